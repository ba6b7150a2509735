#!/usr/bin/env bash
# Http2Lab's sample vs a minimal Kestrel app (bench/KestrelBaseline), both serving GET / -> "Hello World\n",
# measured with h2load over h2c (prior knowledge) and TLS (ALPN h2), for a grid of clients x concurrent streams.
#
#   bench/h2load-compare.sh                 short set: m in {1 10 20 60 120}, c in {1 5}, h2c and tls, 3 repeats
#   bench/h2load-compare.sh --full          m in {1 2 5 10 20 30 40 50 60 70 80 100 120}
#   options: --repeats N (3)  --duration S (1)  --clients "1 5"  --streams "1 10"  --modes "h2c tls"
#            --dispatcher NAME (Http2Lab dispatcher for both endpoints; default: appsettings.json, i.e. Async)
#            --pin (h2load on the last CPU, both servers on the others)  --no-build  --out DIR (bench/out)
#            --summarize FILE.csv (only rebuild the .md table and .png chart of an earlier run)
#
# Writes DIR/h2load-<stamp>.csv (every run), DIR/h2load-<stamp>.md (medians, ratio Http2Lab/Kestrel) and, when
# gnuplot is installed, DIR/h2load-<stamp>.png. Servers are started once, measured alternately point by point (the
# order flips every point and repeat so slow drift of a shared machine hits both), and always killed on exit.
#
# h2load method (seed): h2load -D 1 -m M -c C --warm-up-time 100ms -t 1 ... In nghttp2 1.52, -T/-N are the
# connection active/inactivity timeouts (not thread counts); -T 1 would cut connections before the 1 s measurement
# ends, so -T is not passed and -N 2 only guards against a hung server. -t 1: one h2load thread.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/bench/out"
STREAMS="1 10 20 60 120"
FULL_STREAMS="1 2 5 10 20 30 40 50 60 70 80 100 120"
CLIENTS="1 5"
MODES="h2c tls"
REPEATS=3
DURATION=1
WARMUP=100ms
DISPATCHER=""
PIN=0
BUILD=1
SUMMARIZE=""
LAB_H2C_PORT="${LAB_H2C_PORT:-18080}"
LAB_H2_PORT="${LAB_H2_PORT:-18443}"
KESTREL_H2C_PORT="${KESTREL_H2C_PORT:-19080}"
KESTREL_H2_PORT="${KESTREL_H2_PORT:-19443}"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --full) STREAMS="$FULL_STREAMS" ;;
    --streams) STREAMS="$2"; shift ;;
    --clients) CLIENTS="$2"; shift ;;
    --modes) MODES="$2"; shift ;;
    --repeats) REPEATS="$2"; shift ;;
    --duration) DURATION="$2"; shift ;;
    --dispatcher) DISPATCHER="$2"; shift ;;
    --pin) PIN=1 ;;
    --no-build) BUILD=0 ;;
    --out) OUT="$2"; shift ;;
    --summarize) SUMMARIZE="$2"; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

summarize() { # csv md png datadir placement
  echo "== summary"
  python3 - "$@" <<'PY'
import csv, os, shutil, statistics, subprocess, sys
from collections import defaultdict

csv_path, md_path, png_path, logdir, placement = sys.argv[1:6]
rows = list(csv.DictReader(open(csv_path)))
runs = defaultdict(list)
for row in rows:
    runs[(row["mode"], int(row["clients"]), int(row["streams"]), row["server"])].append(row)

def median(key, field):
    values = [float(r[field]) for r in runs.get(key, []) if r[field] not in ("", None)]
    return statistics.median(values) if values else float("nan")

points = sorted({k[:3] for k in runs}, key=lambda k: (k[0] != "h2c", k[1], k[2]))
lines = [
    "| mode | c | m | Http2Lab req/s | Kestrel req/s | ratio Lab/Kestrel | Lab mean latency | Kestrel mean latency | Lab req per CPU-s | Kestrel req per CPU-s | failed+errored |",
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
]
for mode, c, m in points:
    lab, kes = (mode, c, m, "http2lab"), (mode, c, m, "kestrel")
    lab_rps, kes_rps = median(lab, "req_per_s"), median(kes, "req_per_s")
    ratio = lab_rps / kes_rps if kes_rps else float("nan")
    def per_cpu(key):
        cpu = median(key, "server_cpu_cores")
        return median(key, "req_per_s") / cpu if cpu > 0 else float("nan")
    bad = sum(int(r["failed"]) + int(r["errored"]) for r in runs[lab] + runs[kes])
    lines.append(f"| {mode} | {c} | {m} | {lab_rps:,.0f} | {kes_rps:,.0f} | **{ratio:.2f}** | {median(lab, 'lat_mean_us'):,.0f} µs | "
                 f"{median(kes, 'lat_mean_us'):,.0f} µs | {per_cpu(lab):,.0f} | {per_cpu(kes):,.0f} | {bad} |")

repeats = max(int(r["repeat"]) for r in rows)
ratios = [median((m, c, s, "http2lab"), "req_per_s") / median((m, c, s, "kestrel"), "req_per_s") for m, c, s in points]
header = (f"CPU placement: {placement}. Median of {repeats} run(s) per point; req/s and latency from h2load, 'req per CPU-s' = req/s divided by the "
          f"server process's CPU use (cores) during the run. Geometric-mean ratio over all points: "
          f"**{statistics.geometric_mean([x for x in ratios if x == x and x > 0]):.2f}**.\n")
open(md_path, "w").write(header + "\n" + "\n".join(lines) + "\n")
print(header)
print("\n".join(lines))

if shutil.which("gnuplot"):
    panels = [(mode, c) for mode in ("h2c", "tls") for c in sorted({p[1] for p in points}) if any(p[0] == mode and p[1] == c for p in points)]
    script = [f"set terminal pngcairo size 1400,{420 * ((len(panels) + 1) // 2)} font 'Sans,11'",
              f"set output '{png_path}'",
              f"set multiplot layout {(len(panels) + 1) // 2},2 title 'h2load GET / (Hello World): Http2Lab vs Kestrel, median req/s; {placement}'",
              "set grid", "set key bottom right", "set xlabel 'concurrent streams per connection (-m)'", "set ylabel 'req/s'",
              "set yrange [0:*]", "set format y '%.0s%c'"]
    for mode, c in panels:
        data = os.path.join(logdir, f"plot-{mode}-c{c}.dat")
        with open(data, "w") as f:
            for m in sorted(p[2] for p in points if p[0] == mode and p[1] == c):
                f.write(f"{m} {median((mode, c, m, 'http2lab'), 'req_per_s')} {median((mode, c, m, 'kestrel'), 'req_per_s')}\n")
        script.append(f"set title '{mode.upper()}, {c} connection(s)'")
        script.append(f"plot '{data}' using 1:2 with linespoints lw 2 pt 7 title 'Http2Lab', "
                      f"'' using 1:3 with linespoints lw 2 pt 5 title 'Kestrel'")
    script.append("unset multiplot")
    result = subprocess.run(["gnuplot"], input="\n".join(script), text=True, capture_output=True)
    if result.returncode == 0:
        print(f"\nchart: {png_path}")
    else:
        print("gnuplot failed:\n" + result.stderr, file=sys.stderr)
else:
    print("\n(gnuplot not installed: no chart; apt-get install -y gnuplot-nox)")
PY
}

for tool in dotnet h2load python3; do
  command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 1; }
done

if [[ -n "$SUMMARIZE" ]]; then
  base="${SUMMARIZE%.csv}"
  mkdir -p "$base-logs"
  placement="$(cat "$base-logs/placement.txt" 2>/dev/null || echo "unknown")"
  summarize "$SUMMARIZE" "$base.md" "$base.png" "$base-logs" "$placement"
  exit 0
fi

mkdir -p "$OUT"
STAMP="$(date +%Y%m%d-%H%M%S)"
CSV="$OUT/h2load-$STAMP.csv"
MD="$OUT/h2load-$STAMP.md"
PNG="$OUT/h2load-$STAMP.png"
LOGDIR="$OUT/h2load-$STAMP-logs"
mkdir -p "$LOGDIR"

LAB_DLL="$ROOT/samples/WebHost/bin/Release/net10.0/WebHost.dll"
KESTREL_DLL="$ROOT/bench/KestrelBaseline/bin/Release/net10.0/KestrelBaseline.dll"

if [[ $BUILD -eq 1 ]]; then
  echo "== building (Release)"
  dotnet build -c Release -nologo -v q "$ROOT/samples/WebHost/WebHost.csproj" >"$LOGDIR/build-webhost.log" 2>&1 \
    || { tail -20 "$LOGDIR/build-webhost.log"; exit 1; }
  dotnet build -c Release -nologo -v q "$ROOT/bench/KestrelBaseline/KestrelBaseline.csproj" >"$LOGDIR/build-kestrel.log" 2>&1 \
    || { tail -20 "$LOGDIR/build-kestrel.log"; exit 1; }
fi

# CPU placement: with --pin, h2load gets the last CPU and the servers the rest (no effect on a 1-CPU machine).
NCPU="$(nproc)"
SERVER_CPUS=""; CLIENT_CPUS=""
if [[ $PIN -eq 1 && $NCPU -ge 2 ]] && command -v taskset >/dev/null; then
  CLIENT_CPUS="$((NCPU - 1))"
  SERVER_CPUS="0-$((NCPU - 2))"
fi
if [[ -n "$SERVER_CPUS" ]]; then
  PLACEMENT="pinned: servers on CPU $SERVER_CPUS, h2load on CPU $CLIENT_CPUS"
else
  PLACEMENT="unpinned: servers and h2load share $NCPU CPUs"
fi
echo "$PLACEMENT" >"$LOGDIR/placement.txt"
server_prefix() { [[ -n "$SERVER_CPUS" ]] && echo "taskset -c $SERVER_CPUS"; true; }
client_prefix() { [[ -n "$CLIENT_CPUS" ]] && echo "taskset -c $CLIENT_CPUS"; true; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$LAB_H2C_PORT" "$LAB_H2_PORT" "$KESTREL_H2C_PORT" "$KESTREL_H2_PORT"; do
  if port_busy "$port"; then echo "port $port is in use; set LAB_H2C_PORT/LAB_H2_PORT/KESTREL_H2C_PORT/KESTREL_H2_PORT" >&2; exit 1; fi
done

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

LAB_ARGS=(--Http2Lab:Endpoints:h2c:Url="http://127.0.0.1:$LAB_H2C_PORT"
          --Http2Lab:Endpoints:h2:Url="https://127.0.0.1:$LAB_H2_PORT"
          --Logging:LogLevel:Default=Warning)
if [[ -n "$DISPATCHER" ]]; then
  LAB_ARGS+=(--Http2Lab:Endpoints:h2c:Dispatcher="$DISPATCHER" --Http2Lab:Endpoints:h2:Dispatcher="$DISPATCHER")
fi

echo "== starting servers"
# shellcheck disable=SC2046
$(server_prefix) dotnet "$LAB_DLL" "${LAB_ARGS[@]}" >"$LOGDIR/http2lab.log" 2>&1 &
LAB_PID=$!; PIDS+=("$LAB_PID")
# shellcheck disable=SC2046
$(server_prefix) dotnet "$KESTREL_DLL" --h2c "$KESTREL_H2C_PORT" --h2 "$KESTREL_H2_PORT" >"$LOGDIR/kestrel.log" 2>&1 &
KESTREL_PID=$!; PIDS+=("$KESTREL_PID")

url() { # server mode
  local port
  case "$1:$2" in
    http2lab:h2c) port=$LAB_H2C_PORT ;; http2lab:tls) port=$LAB_H2_PORT ;;
    kestrel:h2c) port=$KESTREL_H2C_PORT ;; kestrel:tls) port=$KESTREL_H2_PORT ;;
  esac
  if [[ $2 == tls ]]; then echo "https://127.0.0.1:$port/"; else echo "http://127.0.0.1:$port/"; fi
}

wait_ready() { # server pid
  local target
  for mode in $MODES; do
    target="$(url "$1" "$mode")"
    for i in $(seq 300); do
      kill -0 "$2" 2>/dev/null || { echo "$1 exited; log:" >&2; cat "$LOGDIR/$1.log" >&2; exit 1; }
      if h2load -n 1 -c 1 "$target" 2>/dev/null | grep -q ' 1 succeeded'; then break; fi
      [[ $i -eq 300 ]] && { echo "$1 not ready on $target after 30 s" >&2; exit 1; }
      sleep 0.1
    done
  done
  echo "   $1 ready"
}
wait_ready http2lab "$LAB_PID"
wait_ready kestrel "$KESTREL_PID"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime + stime of the server process
CLK_TCK="$(getconf CLK_TCK)"

echo "timestamp,mode,clients,streams,repeat,server,req_per_s,succeeded,failed,errored,timeout,lat_min_us,lat_max_us,lat_mean_us,lat_sd_us,server_cpu_cores" >"$CSV"

to_us() { # h2load prints e.g. 123us, 1.23ms, 2.00s
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); print v + 0 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); print v * 1000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); print v * 1000000 }
    else print "" }'
}

run_point() { # server mode clients streams repeat
  local server=$1 mode=$2 c=$3 m=$4 r=$5 pid log before after start end
  [[ $server == http2lab ]] && pid=$LAB_PID || pid=$KESTREL_PID
  log="$LOGDIR/$server-$mode-c$c-m$m-r$r.txt"
  before="$(cpu_ticks "$pid")"; start="$(date +%s.%N)"
  # shellcheck disable=SC2046
  $(client_prefix) h2load -D "$DURATION" --warm-up-time "$WARMUP" -c "$c" -m "$m" -t 1 -N 2 "$(url "$server" "$mode")" >"$log" 2>&1 || true
  after="$(cpu_ticks "$pid")"; end="$(date +%s.%N)"
  local rps req tfr cpu
  rps="$(awk '/^finished in/ { gsub(",", "", $5); print $4 }' "$log")"
  req="$(awk '/^requests:/ { print $8","$10","$12","$14 }' "$log")"   # succeeded,failed,errored,timeout
  tfr="$(awk '/^time for request:/ { print $4, $5, $6, $7 }' "$log")"  # min max mean sd
  cpu="$(awk -v a="$before" -v b="$after" -v t="$CLK_TCK" -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", (b - a) / t / (e - s) }')"
  read -r tmin tmax tmean tsd <<<"${tfr:-x x x x}"
  echo "$(date +%H:%M:%S),$mode,$c,$m,$r,$server,${rps:-0},${req:-0,0,0,0},$(to_us "$tmin"),$(to_us "$tmax"),$(to_us "$tmean"),$(to_us "$tsd"),$cpu" >>"$CSV"
  printf '   %-8s %-3s c=%-2s m=%-3s r=%s  %10s req/s  mean %s  server cpu %s\n' "$server" "$mode" "$c" "$m" "$r" "${rps:-FAILED}" "${tmean:-?}" "$cpu"
}

echo "== measuring: modes [$MODES] clients [$CLIENTS] streams [$STREAMS] x $REPEATS, ${DURATION}s each (+$WARMUP warm-up)"
flip=0
for r in $(seq "$REPEATS"); do
  for mode in $MODES; do
    for c in $CLIENTS; do
      for m in $STREAMS; do
        if [[ $flip -eq 0 ]]; then order="http2lab kestrel"; else order="kestrel http2lab"; fi
        flip=$((1 - flip))
        for server in $order; do run_point "$server" "$mode" "$c" "$m" "$r"; done
      done
    done
  done
done

cleanup
PIDS=()

summarize "$CSV" "$MD" "$PNG" "$LOGDIR" "$PLACEMENT"

echo "csv:      $CSV"
echo "markdown: $MD"
echo "logs:     $LOGDIR"
