#!/usr/bin/env bash
# test-deps.sh [SET] [PACKAGE...]: make sure the Debian packages a make target needs are installed.
#
#   test       (default) what `make test` needs: Jupyter's Python clients, pytest, Chromium, qemu-user, ...
#   jupyter    what the kernelspec phase needs before any test runs (jupyter_client)
#   workshop   what `make workshop` needs: Jupyter Notebook
#
# As root on Debian (CI, a fresh machine) it installs the missing ones (apt runs only when one is missing, so a
# second run does nothing); otherwise it only checks, names what is missing and prints the one command that
# installs it, and exits 1. PACKAGE... are checked too. Go and Node come with the machine.
set -euo pipefail

set_name=${1:-test}
[ $# -eq 0 ] || shift
case $set_name in
test)
	packages=(
		python3-jupyter-client python3-nbclient python3-nbconvert python3-nbformat python3-ipykernel
		python3-jupyter-kernel-test python3-zmq jupyter-notebook jupyter-console
		python3-pytest python3-pytest-timeout python3-pexpect
		chromium fonts-dejavu-core fonts-liberation
		git make gcc libc6-dev util-linux qemu-user
		jupyterhub node-configurable-http-proxy
	)
	tools=(go node npm)
	;;
jupyter)
	packages=(python3-jupyter-client)
	tools=(go)
	;;
workshop)
	packages=(jupyter-notebook python3-ipykernel)
	tools=(go)
	;;
*)
	echo "usage: scripts/test-deps.sh [test|jupyter|workshop] [PACKAGE...]" >&2
	exit 2
	;;
esac
packages+=("$@")
again="scripts/test-deps.sh $set_name${*:+ $*}"

for tool in "${tools[@]}"; do
	command -v "$tool" >/dev/null || { echo "test-deps: $tool is not on PATH (Go 1.26 and, for tests, Node 20 are needed)" >&2; exit 1; }
done

if ! command -v dpkg-query >/dev/null; then
	echo "test-deps: not a Debian system; install the equivalents of: ${packages[*]}"
	exit 0
fi
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "test-deps: all ${#packages[@]} Debian packages of '$set_name' present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "test-deps: missing Debian packages: ${missing[*]}" >&2
	echo "test-deps: install them with: sudo $again" >&2
	exit 1
fi
echo "test-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# make -j may run two sets at once: wait for the other's dpkg lock instead of failing
apt-get -o DPkg::Lock::Timeout=600 update -q
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
