// The files under exercises/ are notebook cell sources (typical wrong answers to the workshop's
// exercises, see tests/test_exercises.py), not Go packages: this go.mod keeps `go vet ./...` and
// `go test ./...` of the main module out of them.
module corelab/tests/data/exercises

go 1.25
