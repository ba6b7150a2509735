#!/usr/bin/env bash
# HTTP/2 conformance: runs h2spec (the public HTTP/2 conformance suite, 146 cases) against the sample server
# on every dispatcher, h2c and TLS, several times in a row, and fails on any failed case in any run — a result
# that changes from run to run is a bug too. The static responder (Protocol Http2Static) is checked on every
# dispatcher as well, twice, and so is the ASP.NET Core sample (samples/AspNetCoreApp) on Async and Poll.
# Usage: ./conformance.sh [runs, default 5]
#   H2SPEC=/path/to/h2spec ./conformance.sh 3
set -euo pipefail
cd "$(dirname "$0")"

runs="${1:-5}"
h2spec="${H2SPEC:-../shared/tools/h2spec}"
if [ ! -x "$h2spec" ]; then
  cat >&2 <<MSG
conformance.sh: h2spec not found at '$h2spec'.
It is not packaged in Debian; build it from source with Go and point H2SPEC at it:
  git clone https://github.com/summerwind/h2spec && (cd h2spec && go build ./cmd/h2spec)
  H2SPEC=\$PWD/h2spec/h2spec ./conformance.sh
MSG
  exit 2
fi

# Dispatchers and whether they serve TLS yet.
dispatchers=(Async:tls SingleClient:tls ThreadPerConnection:tls Poll:tls)

# Known and explained, for one combination only: SingleClient serves one client at a time, and these four h2spec
# cases hold their TLS test connection open and idle (handshake done, no HTTP/2 yet) while they open a second
# connection to measure the server's response (spec.ServerDataLength). The second waits for the first: a timeout.
declare -A expected=(
  ["SingleClient tls"]="http2/6.5.3#1 http2/6.9.1#1 http2/6.9.2#1 http2/6.9.2#2"
)

dotnet build samples/WebHost -c Release -nologo -v quiet >/dev/null
dotnet build samples/AspNetCoreApp -c Release -nologo -v quiet >/dev/null
work="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

failed_cases() { # JUnit report → one "package#index" per failed or errored case
  python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
for suite in ET.parse(sys.argv[1]).getroot().iter("testsuite"):
    for i, case in enumerate(suite.iter("testcase"), 1):
        if case.find("failure") is not None or case.find("error") is not None:
            print(f"{case.get('package')}#{i}")
PY
}

# check LABEL TRANSPORT PORT RUNS: h2spec RUNS times against 127.0.0.1:PORT (TLS when TRANSPORT ends in tls); a
# failure not expected for "LABEL TRANSPORT", or a result that changes between runs, fails the script.
check() {
  local label=$1 transport=$2 port=$3 count=$4 key allowed first run summary failures unexpected note case
  if [ -z "$port" ]; then
    echo "$label $transport: the server did not start; its log:" >&2
    tail -20 "$work/server.log" >&2
    status=1
    return
  fi
  key="$label ${transport#static-}"
  allowed="${expected[$key]:-}"
  first=""
  for run in $(seq "$count"); do
    if [[ "$transport" == *tls ]]; then
      "$h2spec" -t -k -h 127.0.0.1 -p "$port" -o 3 -j "$work/report.xml" >"$work/h2spec.txt" || true
    else
      "$h2spec" -h 127.0.0.1 -p "$port" -o 3 -j "$work/report.xml" >"$work/h2spec.txt" || true
    fi
    summary=$(tail -1 "$work/h2spec.txt")
    failures=$(failed_cases "$work/report.xml" | tr '\n' ' ' | sed 's/ $//')
    unexpected=""
    for case in $failures; do [[ " $allowed " == *" $case "* ]] || unexpected+="$case "; done
    note=""
    [ -n "$failures" ] && [ -z "$unexpected" ] && note=" (expected, see the comment in conformance.sh: $failures)"
    printf '%-20s %-10s run %d: %s%s\n' "$label" "$transport" "$run" "$summary" "$note"
    if [ -n "$unexpected" ]; then
      echo "  FAILED: $unexpected" >&2
      sed -n '/^Failures:/,$p' "$work/h2spec.txt" | head -40 >&2
      status=1
    fi
    if [ "$run" = 1 ]; then first="$failures"; elif [ "$failures" != "$first" ]; then
      echo "  CHANGED between runs: run 1 failed [$first], run $run failed [$failures]" >&2
      status=1
    fi
  done
}

status=0
declare -A ports
for entry in "${dispatchers[@]}"; do
  dispatcher="${entry%%:*}"
  transports=(h2c)
  tls_dispatcher=Async # a dispatcher without TLS leaves the sample's https endpoint on Async, untested here
  if [ "${entry#*:}" = tls ]; then transports+=(tls); tls_dispatcher="$dispatcher"; fi
  args=(--Http2Lab:Endpoints:h2c:Url=http://127.0.0.1:0 --Http2Lab:Endpoints:h2c:Dispatcher="$dispatcher"
        --Http2Lab:Endpoints:h2:Url=https://127.0.0.1:0 --Http2Lab:Endpoints:h2:Dispatcher="$tls_dispatcher"
        --Http2Lab:Endpoints:echo:Url=http://127.0.0.1:0
        --Http2Lab:Endpoints:static-h2c:Url=http://127.0.0.1:0 --Http2Lab:Endpoints:static-h2c:Dispatcher="$dispatcher"
        --Http2Lab:Endpoints:static-h2c:Protocol=Http2Static
        --Http2Lab:Endpoints:static-tls:Url=https://127.0.0.1:0 --Http2Lab:Endpoints:static-tls:Dispatcher="$tls_dispatcher"
        --Http2Lab:Endpoints:static-tls:Protocol=Http2Static)

  dotnet samples/WebHost/bin/Release/net10.0/WebHost.dll "${args[@]}" >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do grep -q "Application started" "$work/server.log" && break; sleep 0.2; done
  h2c_port=$(grep -o "'h2c' listening on http://127.0.0.1:[0-9]*" "$work/server.log" | grep -o '[0-9]*$')
  tls_port=$(grep -o "'h2' listening on https://127.0.0.1:[0-9]*" "$work/server.log" | grep -o '[0-9]*$')
  ports=([h2c]="$h2c_port" [tls]="$tls_port"
         [static-h2c]=$(grep -o "'static-h2c' listening on http://127.0.0.1:[0-9]*" "$work/server.log" | grep -o '[0-9]*$')
         [static-tls]=$(grep -o "'static-tls' listening on https://127.0.0.1:[0-9]*" "$work/server.log" | grep -o '[0-9]*$'))

  # The full stack (routing, handlers) $runs times; the static responder (Protocol Http2Static) twice.
  targets=()
  for transport in "${transports[@]}"; do targets+=("$transport:$runs"); done
  for transport in "${transports[@]}"; do targets+=("static-$transport:2"); done
  for target in "${targets[@]}"; do
    transport="${target%%:*}"
    check "$dispatcher" "$transport" "${ports[$transport]}" "${target#*:}"
  done

  kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; server=""
done

# ASP.NET Core applications on Http2Lab (samples/AspNetCoreApp through Http2Lab.AspNetCore's IServer), twice per
# transport on the Async and Poll dispatchers: the protocol answers must not depend on what runs the application.
for dispatcher in Async Poll; do
  dotnet samples/AspNetCoreApp/bin/Release/net10.0/AspNetCoreApp.dll --environment Development \
    --contentRoot "$PWD/samples/AspNetCoreApp" --Logging:LogLevel:Default=Information \
    --Http2Lab:Endpoints:h2c:Url=http://127.0.0.1:0 --Http2Lab:Endpoints:h2c:Dispatcher="$dispatcher" \
    --Http2Lab:Endpoints:h2:Url=https://127.0.0.1:0 --Http2Lab:Endpoints:h2:Dispatcher="$dispatcher" >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do grep -q "Application started" "$work/server.log" && break; sleep 0.2; done
  check "AspNetCore-$dispatcher" h2c "$(grep -o "'h2c' listening on http://127.0.0.1:[0-9]*" "$work/server.log" | grep -o '[0-9]*$')" 2
  check "AspNetCore-$dispatcher" tls "$(grep -o "'h2' listening on https://127.0.0.1:[0-9]*" "$work/server.log" | grep -o '[0-9]*$')" 2
  kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; server=""
done

[ "$status" = 0 ] && echo "conformance: every dispatcher passed h2spec $runs times in a row (the static responder and the ASP.NET Core sample twice)" || echo "conformance: FAILED" >&2
exit "$status"
