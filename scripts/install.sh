#!/usr/bin/env bash
# install.sh: the one way corelab is built and installed.
#
# `make build`, `make install`, the Dockerfile (the Binder image) and tests/test_install_script.py all
# call this script, so the image cannot drift from what CI exercises on every run.
#
#   scripts/install.sh build OUT             build the corelab binary to OUT (needs Go; run from anywhere)
#   scripts/install.sh kernelspec BIN FLAGS  run `BIN install FLAGS`: write the Jupyter kernelspec whose argv
#                                            points at BIN (FLAGS: --user | --sys-prefix | --prefix DIR)
#   scripts/install.sh all OUT FLAGS         both, in that order
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
	sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# build OUT: a static, path-independent binary. CGO is off because nothing needs it (zmq4 and yaegi are
# pure Go), and a static binary runs unchanged in any Jupyter base image.
build() {
	local out
	out=$(realpath -m "$1") # absolute: the build runs from the repository root
	mkdir -p "$(dirname "$out")"
	# The version `corelab version` prints: $CORELAB_VERSION, else git's description of the checkout, else "dev".
	local version=${CORELAB_VERSION:-$(git -C "$root" describe --tags --always --dirty 2>/dev/null || true)}
	(cd "$root" && CGO_ENABLED=0 go build -trimpath -ldflags "-X main.version=${version}" -o "$out" .)
	echo "install.sh: built $out ($(go version | awk '{print $3}'))"
}

# kernelspec BIN FLAGS...: the binary writes its own kernelspec, so argv always names the binary that ran.
kernelspec() {
	local bin=$1
	shift
	[ -x "$bin" ] || { echo "install.sh: $bin is not an executable; build it first" >&2; exit 1; }
	"$bin" install "$@"
}

[ $# -ge 2 ] || usage
cmd=$1
shift
case $cmd in
build) [ $# -eq 1 ] || usage; build "$1" ;;
kernelspec) kernelspec "$@" ;;
all)
	out=$1
	shift
	build "$out"
	kernelspec "$out" "$@"
	;;
*) usage ;;
esac
