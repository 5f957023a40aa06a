#!/usr/bin/env bash
# test-deps.sh: make sure what `make test` needs is installed. As root on Debian (CI, a fresh machine), it installs
# the missing Debian packages (apt runs only when one is missing, so a second run does nothing); otherwise it only
# checks and names what is missing, with the command that installs it. Go and Node come with the machine.
set -euo pipefail

packages=(
	python3-jupyter-client python3-nbclient python3-nbconvert python3-nbformat python3-ipykernel
	python3-jupyter-kernel-test python3-zmq jupyter-notebook jupyter-console
	python3-pytest python3-pytest-timeout python3-pexpect
	chromium fonts-dejavu-core fonts-liberation
	git make gcc libc6-dev util-linux qemu-user
	jupyterhub node-configurable-http-proxy
)

for tool in go node npm; do
	command -v "$tool" >/dev/null || { echo "test-deps: $tool is not on PATH (Go 1.26 and Node 20 are needed)" >&2; exit 1; }
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
	echo "test-deps: all ${#packages[@]} Debian packages present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "test-deps: missing Debian packages: ${missing[*]}" >&2
	echo "test-deps: install them with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
	exit 1
fi
echo "test-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
