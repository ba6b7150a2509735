#!/usr/bin/env bash
# The README's test command: installs the Debian tools the interop tests drive
# (nghttp2-client for nghttp/h2load, nghttp2-server for nghttpd, h2o, curl, python3-h2, haproxy), then runs every test.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v h2load >/dev/null 2>&1 && command -v nghttp >/dev/null 2>&1 || missing+=(nghttp2-client)
command -v nghttpd >/dev/null 2>&1 || [ -x /usr/sbin/nghttpd ] || missing+=(nghttp2-server)
command -v h2o >/dev/null 2>&1 || [ -x /usr/sbin/h2o ] || missing+=(h2o)
command -v curl >/dev/null 2>&1 || missing+=(curl)
/usr/bin/python3 -c 'import h2' >/dev/null 2>&1 || missing+=(python3-h2)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

dotnet build Http2Transport.sln -warnaserror -nologo -v quiet

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test Http2Transport.sln --no-build -nologo "$@" 2>&1 | tee "$log" || status=$?

# One closing line over all test assemblies, e.g. "tests: 780 passed, 0 failed, 0 skipped".
summary=$(grep -Eo 'Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" | tr -d ',' |
  awk '{f+=$2; p+=$4; s+=$6} END {printf "%d passed, %d failed, %d skipped", p, f, s}')
echo "tests: ${summary:-0 passed, 0 failed}"
case "$summary" in ""|"0 passed"*) echo "test.sh: no test ran" >&2; exit 1 ;; esac
exit "$status"
