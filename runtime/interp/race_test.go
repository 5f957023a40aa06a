//go:build race

package interp

// raceBuild: yaegi's ExecuteWithContext writes its results from its own
// goroutine after a cancelled call returned (program.go), which the race
// detector reports; tests that cancel a blocked cell are skipped under -race.
const raceBuild = true
