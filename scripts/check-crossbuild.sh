#!/usr/bin/env bash
# check-crossbuild.sh: build, vet and compile the tests of every package for the systems that are built but not
# run here (macOS on Apple silicon and Intel, Windows), without cgo, so that a Linux-only call fails CI at once.
# Compile only: nothing built for them runs (on Linux, the gopsutil per-core reader they use is run once).
# Usage: [LINK_TESTS=1] scripts/check-crossbuild.sh [GOOS/GOARCH ...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
GO=${GO:-go}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(darwin/arm64 darwin/amd64 windows/amd64)
mapfile -t pkgs < <($GO list ./... | grep -v '/tests/')
status=0
# The one non-Linux code path that can run here: the macOS/Windows per-core reader (gopsutil), against /proc/stat.
if [ "$($GO env GOOS)" = linux ]; then
	$GO test -count=1 -tags gopsutil -run Gopsutil ./runtime/meter/ >/dev/null &&
		echo "check-crossbuild: the macOS/Windows per-core reader works on linux (-tags gopsutil)" ||
		{ echo "check-crossbuild: the gopsutil per-core reader FAILED on linux" >&2; status=1; }
fi
for t in "${targets[@]}"; do
	export GOOS=${t%/*} GOARCH=${t#*/} CGO_ENABLED=0
	start=$(date +%s)
	# vet type-checks every package with its test files, which is where a call missing on this system fails;
	# LINK_TESTS=1 also links each test binary (test -exec true: built, not run), about 3x slower
	what="build, vet (with tests)"
	if $GO build ./... && $GO build -o /dev/null . && $GO vet "${pkgs[@]}" &&
		{ [ "${LINK_TESTS:-0}" != 1 ] || { what="$what, test binaries" && $GO test -count=1 -exec true -run '^$' "${pkgs[@]}" >/dev/null; }; }; then
		echo "check-crossbuild: $t: $what ok ($(($(date +%s) - start)) s)"
	else
		echo "check-crossbuild: $t FAILED" >&2
		status=1
	fi
done
exit $status
