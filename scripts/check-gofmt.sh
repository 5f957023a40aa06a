#!/usr/bin/env bash
# check-gofmt.sh: fail, listing them, if any Go file in the repository (tracked or new, not ignored) is not
# gofmt-formatted.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
files=()
while IFS= read -r f; do
	[ -f "$f" ] && files+=("$f") # a tracked file deleted in the work tree is not ours to format
done < <(git ls-files --cached --others --exclude-standard -- '*.go' \
	':(exclude)tests/data/exercises/**') # cell sources (an exercise's wrong answers), not Go files
[ ${#files[@]} -gt 0 ] || { echo "check-gofmt: no Go files"; exit 0; }
bad=$(gofmt -l "${files[@]}")
if [ -n "$bad" ]; then
	echo "check-gofmt: gofmt -w needed on:" >&2
	echo "$bad" >&2
	exit 1
fi
echo "check-gofmt: ${#files[@]} Go files formatted"
