#!/usr/bin/env bash
# check-generated.sh: fail when `go generate ./...` would change a committed generated file.
#
# Generated files are the Go files carrying the standard "// Code generated ... DO NOT EDIT." line (today the
# yaegi symbol tables in runtime/symbols) and the data files listed in $data below (the documentation
# runtime/interp embeds, written by runtime/interp/internal/docgen). The check snapshots them, regenerates, and
# compares, so it works on a clean clone and on a work tree with uncommitted changes alike. It leaves the regenerated files in place:
# if it fails, `git diff` shows what to commit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

data="./runtime/interp/stddoc.zip"

generated() {
	{
		grep -rlE --include='*.go' --exclude-dir=.git --exclude-dir=.build --exclude-dir=node_modules \
			'^// Code generated .* DO NOT EDIT\.$' . || true
		for f in $data; do
			if [ -f "$f" ]; then echo "$f"; fi
		done
	} | sort
}

snap=$(mktemp -d)
trap 'rm -rf "$snap"' EXIT
before=$(generated)
for f in $before; do
	mkdir -p "$snap/$(dirname "$f")"
	cp "$f" "$snap/$f"
done

go generate ./...

after=$(generated)
status=0
for f in $(printf '%s\n%s\n' "$before" "$after" | sort -u); do
	if [ ! -f "$snap/$f" ]; then
		echo "check-generated: go generate created $f, which is not in the tree" >&2
		status=1
	elif [ ! -f "$f" ]; then
		echo "check-generated: go generate no longer produces $f" >&2
		status=1
	elif ! cmp -s "$snap/$f" "$f"; then
		echo "check-generated: $f is out of date:" >&2
		diff -u "$snap/$f" "$f" 2>/dev/null | head -40 >&2 || true
		status=1
	fi
done
if [ $status -ne 0 ]; then
	echo "check-generated: run 'go generate ./...' and commit the result" >&2
	exit 1
fi
echo "check-generated: $(echo "$before" | grep -c . || true) generated file(s) up to date"
