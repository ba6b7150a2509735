#!/usr/bin/env bash
# Every dispatcher of the sample (full stack: routing + HPACK, GET / -> "Hello World\n") against Kestrel, h2c and TLS,
# with h2load; interleaved rounds, median req/s per point; ratios to Kestrel. The figures behind the README's
# Dispatchers section.
#   bench/dispatchers.sh [--rounds 3] [--points "-c 1 -m 1;-c 1 -m 100;-c 5 -m 20"] [--no-build]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=3; POINTS="-c 1 -m 1;-c 1 -m 100;-c 5 -m 20"; BUILD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift ;;
    --points) POINTS="$2"; shift ;;
    --no-build) BUILD=0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [ "$BUILD" = 1 ]; then
  dotnet build "$ROOT/samples/WebHost" -c Release -nologo -v quiet >/dev/null
  dotnet build "$ROOT/bench/KestrelBaseline" -c Release -nologo -v quiet >/dev/null
fi
SERVERS=(Async SingleClient ThreadPerConnection Poll Kestrel)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
port=30000
declare -A H2C H2
for s in "${SERVERS[@]}"; do
  H2C[$s]=$((port)); H2[$s]=$((port + 1)); port=$((port + 10))
  if [ "$s" = Kestrel ]; then
    dotnet "$ROOT/bench/KestrelBaseline/bin/Release/net10.0/KestrelBaseline.dll" --h2c "${H2C[$s]}" --h2 "${H2[$s]}" >/dev/null 2>&1 &
  else
    dotnet "$ROOT/samples/WebHost/bin/Release/net10.0/WebHost.dll" --Logging:LogLevel:Default=Warning \
      --Http2Lab:Endpoints:h2c:Url=http://127.0.0.1:${H2C[$s]} --Http2Lab:Endpoints:h2c:Dispatcher="$s" \
      --Http2Lab:Endpoints:h2:Url=https://127.0.0.1:${H2[$s]} --Http2Lab:Endpoints:h2:Dispatcher="$s" \
      --Http2Lab:Endpoints:echo:Url=http://127.0.0.1:0 >/dev/null 2>&1 &
  fi
  PIDS+=($!)
done
for s in "${SERVERS[@]}"; do
  for _ in $(seq 150); do curl -s --http2-prior-knowledge "http://127.0.0.1:${H2C[$s]}/" >/dev/null 2>&1 && break; sleep 0.2; done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print int(a[int((NR+1)/2)])}'; }
echo "req/s, median of $ROUNDS interleaved rounds (h2load -D 1 --warm-up-time 100ms -t 1); (× Kestrel)"
for mode in h2c tls; do
  echo; echo "### $mode"; echo
  header="| point |"; rule="|---|"
  for s in "${SERVERS[@]}"; do header+=" $s |"; rule+="---|"; done
  echo "$header"; echo "$rule"
  IFS=';' read -ra points <<< "$POINTS"
  for point in "${points[@]}"; do
    declare -A got=()
    for _ in $(seq "$ROUNDS"); do
      for s in "${SERVERS[@]}"; do
        if [ "$mode" = h2c ]; then url="http://127.0.0.1:${H2C[$s]}/"; else url="https://127.0.0.1:${H2[$s]}/"; fi
        # shellcheck disable=SC2086
        rps=$(h2load -D 1 --warm-up-time 100ms -t 1 $point "$url" 2>/dev/null | awk '/^finished in/ {gsub(",","",$4); print $4}')
        got[$s]+="${rps:-0} "
      done
    done
    kestrel=$(echo "${got[Kestrel]}" | median)
    row="| $point |"
    for s in "${SERVERS[@]}"; do
      m=$(echo "${got[$s]}" | median)
      row+=" $m ($(awk -v a="$m" -v b="$kestrel" 'BEGIN { printf (b > 0 ? "%.2f" : "-"), a / b }')×) |"
    done
    echo "$row"
    unset got
  done
done
