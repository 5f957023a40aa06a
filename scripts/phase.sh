#!/usr/bin/env bash
# phase.sh NAME CMD...: run one phase of the build or of CI between a header and a closing line with its
# wall time, e.g. "=== phase unit: ok in 41.2s". The exit status is CMD's.
#
# With PHASE_LOG=FILE set (as .ci/run does), each phase also appends one tab-separated line to FILE:
# name, ok|FAILED, seconds, and the last line CMD printed (a test runner's closing line), for the summary.
set -uo pipefail
name=$1
shift
echo "--- phase $name: $(echo "$*" | cut -c1-240)"
start=$(date +%s%N)
if [ -n "${PHASE_LOG:-}" ]; then
	out=$(mktemp)
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	last=$(grep -v '^[[:space:]]*$' "$out" | tail -n 1 | cut -c1-160)
	rm -f "$out"
else
	"$@"
	rc=$?
fi
secs=$(awk -v ns=$(($(date +%s%N) - start)) 'BEGIN { printf "%.1f", ns / 1e9 }')
status=ok
[ "$rc" -eq 0 ] || status=FAILED
echo "=== phase $name: $status in ${secs}s$([ "$rc" -eq 0 ] || echo " (exit $rc)")"
[ -z "${PHASE_LOG:-}" ] || printf '%s\t%s\t%s\t%s\n' "$name" "$status" "$secs" "$last" >>"$PHASE_LOG"
exit "$rc"
