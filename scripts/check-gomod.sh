#!/usr/bin/env bash
# check-gomod.sh: fail when `go mod tidy` would change go.mod or go.sum (a direct dependency marked
# "// indirect", a requirement nothing imports, a missing checksum), showing the diff it would make.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! diff=$(go mod tidy -diff 2>&1); then
	echo "check-gomod: go.mod/go.sum are not tidy; run 'go mod tidy' and commit the result:" >&2
	echo "$diff" >&2
	exit 1
fi
echo "check-gomod: go.mod and go.sum tidy"
