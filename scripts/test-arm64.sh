#!/usr/bin/env bash
# test-arm64.sh [PKG...]: run Go tests built for linux/arm64 under Debian's qemu-aarch64 (package qemu-user),
# so the GIL's goroutine identity and its other architecture-dependent paths run on arm64 in CI, not only on
# the machine's own architecture. Default packages: ./runtime/gil ./runtime/interp. Each test binary is
# cross-compiled with `go test -c` (static, CGO_ENABLED=0) and run from its package directory, as go test does.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

GO=${GO:-go}
QEMU=${QEMU:-qemu-aarch64}
if ! command -v "$QEMU" >/dev/null; then
	echo "test-arm64: $QEMU not found: install Debian's qemu-user (see .ci/run)" >&2
	exit 1
fi
pkgs=("$@")
[ ${#pkgs[@]} -gt 0 ] || pkgs=(./runtime/gil ./runtime/interp)

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rc=0
for pkg in "${pkgs[@]}"; do
	bin="$out/$(echo "$pkg" | tr -c 'a-zA-Z0-9\n' _).test"
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 "$GO" test -c -o "$bin" "$pkg"
	echo "--- arm64 (qemu): $pkg"
	if ! (cd "$pkg" && "$QEMU" "$bin" -test.count=1 -test.timeout=600s); then
		rc=1
	fi
done
[ "$rc" -eq 0 ] && echo "ok: ${pkgs[*]} on linux/arm64 under $QEMU"
exit "$rc"
