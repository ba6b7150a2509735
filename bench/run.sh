#!/usr/bin/env bash
# bench/run.sh — the lab's one-command comparison. Every Http2Lab dispatcher running the sample's full stack
# (GET / -> "Hello World\n" through routing and HPACK), the static responder (Protocol=Http2Static, prebuilt frames,
# same body), the Kestrel baseline, h2o and nghttpd, all serving the same 12-octet body, measured with h2load over
# h2c (prior knowledge) and TLS (ALPN h2, one shared self-signed certificate, cipher suite pinned by h2load).
#
# usage: bench/run.sh [options]
#   (no option)            quick matrix, 3 interleaved rounds: 6 points x 9 servers x 3 = 162 runs of ~1.2-1.4 s,
#                            4-5 min on 2 cores in all (4:21 and 4:52 measured at load average ~10, build up to date);
#                            the three charts need two -m values each:
#                            h2c: -c 1 -m 1, -c 1 -m 100
#                            tls: -c 1 -m 1, -c 1 -m 100, -c 5 -m 20, -c 5 -m 100
#                          more points cost ~27 s each (9 servers x 3 rounds), e.g. --points "... h2c:5:20"
#   --full                 the seed's matrix: c in {1 5 50} x m in {1 2 5 10 20 30 40 50 60 70 80 100 120}, h2c and
#                            tls (78 points), static responder on all four dispatchers: 11 servers x 78 points x 3
#                            rounds = 2,574 runs of ~1.2 s, about 55-60 min
#   --points "P ..."       explicit points MODE:C:M, e.g. "tls:1:100 h2c:5:20" (replaces the quick/full matrix)
#   --modes "h2c tls"      only these modes (filters the points)
#   --rounds N             interleaved rounds (3); the server order rotates every round and every point
#   --servers "..."        subset, in any order, of: Async SingleClient ThreadPerConnection Poll
#                            Static-<dispatcher> Kestrel h2o nghttpd AspNet-Http2Lab AspNet-Kestrel
#                            (default: all but the AspNet ones, statics per --static-dispatchers)
#   --static-dispatchers "Poll Async"   dispatchers that run the static responder (all four with --full)
#   --aspnetcore           issue 8's comparison instead: the same minimal-API ASP.NET Core app (bench/MinimalApi:
#                            GET / -> "Hello World\n" through routing and a minimal-API delegate) on Http2Lab
#                            (server AspNet-Http2Lab, dispatcher --aspnet-dispatcher) and on Kestrel (AspNet-Kestrel),
#                            HTTP/2 only, at h2c:1:100 h2c:10:10 tls:1:100 tls:10:10 unless --points says otherwise
#                            (4 points x 2 servers x 3 rounds: about 1 min); the servers may also be named in --servers
#   --aspnet-dispatcher D  the dispatcher AspNet-Http2Lab runs on (Poll, the fastest for it; Async: 0.93-1.25x Kestrel)
#   --duration S           h2load -D (1); warm-up is always 100 ms
#   --out DIR              runs go to DIR/run-<stamp>/ (bench/out)
#   --no-build             do not build samples/WebHost, bench/KestrelBaseline and bench/MinimalApi (Release)
#   --summarize CSV        only rebuild results.md and the charts beside an earlier results.csv
#   -h, --help
#
# Every point: taskset -c 1 h2load -D 1 --warm-up-time 100ms -c C -m M -t 1 [TLS: --tls13-ciphers=TLS_AES_128_GCM_SHA256
# --ciphers=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256] URL, every server pinned with taskset -c 0
# (on a machine with at least 2 CPUs). Each server is started once, answers GET / with the body checked, gets an
# unrecorded warm-up per mode (2.5 s at -c 1 -m 100: JIT tiering), and is killed on exit (also on Ctrl-C). MAX_CONCURRENT_STREAMS is 100 everywhere
# (checked from each server's SETTINGS with nghttp). Server CPU = utime+stime of the server's processes
# (/proc/PID/stat) over the run's wall time, in cores; server wait = time its threads were runnable but not running
# (/proc/PID/task/*/schedstat), in cores: how much other processes starved it. h2load CPU = user+system time of the
# finished h2load (bash's 'times' for children), in cores over the run's wall time (its start and TLS handshakes
# included, so ~0.92 is all of its CPU): at 0.85 and above the load generator, not the server, set the rate, and the
# summary marks that cell ‡ (a ratio there is a floor on the faster server's lead, not its measure). An h2load run that has not finished 2 s + C/5 s after its duration
# (c=50: 12 s, past Http2Lab's 10 s handshake timeout) is killed, counts as no result and is run once more; a server
# that hangs twice in a row at a point is not measured there again in later rounds.
#
# Output, DIR/run-<stamp>/: results.csv (every run), results.md (median tables, ratios, the issue's targets),
# machine.txt (machine, versions, settings, negotiated TLS, the exact command), req-per-s.png and
# mean-request-time.png (gnuplot), responses.txt (each server's response headers), logs/ (every h2load output,
# server logs, builds). Ports: BENCH_PORT_BASE (21000) + 10 per server (h2c) and +1 (TLS); keep them below the
# ephemeral range (32768).
#
# Needs dotnet, python3, openssl, curl, taskset, timeout; installs h2o, nghttp2-server (nghttpd), nghttp2-client
# (h2load, nghttp) and gnuplot-nox with apt-get when missing (as root), or says what is missing and exits 1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COMMAND_LINE="$(printf '%q ' "$0" "$@")"
COMMAND_LINE="${COMMAND_LINE% }"

DISPATCHERS=(Async SingleClient ThreadPerConnection Poll)
QUICK_POINTS="h2c:1:1 h2c:1:100 tls:1:1 tls:1:100 tls:5:20 tls:5:100"
FULL_CLIENTS="1 5 50"
FULL_STREAMS="1 2 5 10 20 30 40 50 60 70 80 100 120"
OUT="$ROOT/bench/out"
ROUNDS=3
DURATION=1
WARMUP=100ms
# Per server and mode before the first point: long enough for .NET's tiered JIT to reach optimised code under load (a
# fresh Poll server ran at a third of its later speed for its first seconds, 18 µs of CPU per request instead of 5.5,
# and that landed in the first points' cells). Every server gets the same, the C servers too.
SERVER_WARMUP=2500ms
MODES="h2c tls"
FULL=0
POINTS=""
SERVERS=""
STATIC_DISPATCHERS=""
BUILD=1
SUMMARIZE=""
PORT_BASE="${BENCH_PORT_BASE:-21000}"
MAX_STREAMS=100
POLL_MAX_CLIENTS=128
TLS13_CIPHERS="TLS_AES_128_GCM_SHA256"
TLS12_CIPHERS="ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"
BODY=$'Hello World\n'
ASPNETCORE=0
ASPNET_DISPATCHER=Poll
ASPNET_POINTS="h2c:1:100 h2c:10:10 tls:1:100 tls:10:10"

die() { echo "run.sh: $*" >&2; exit 1; }
need_arg() { [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value (see --help)"; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --full) FULL=1 ;;
    --points) need_arg "$@"; POINTS="$2"; shift ;;
    --modes) need_arg "$@"; MODES="$2"; shift ;;
    --rounds) need_arg "$@"; ROUNDS="$2"; shift ;;
    --servers) need_arg "$@"; SERVERS="$2"; shift ;;
    --static-dispatchers) need_arg "$@"; STATIC_DISPATCHERS="$2"; shift ;;
    --duration) need_arg "$@"; DURATION="$2"; shift ;;
    --out) need_arg "$@"; OUT="$2"; shift ;;
    --no-build) BUILD=0 ;;
    --aspnetcore) ASPNETCORE=1 ;;
    --aspnet-dispatcher) need_arg "$@"; ASPNET_DISPATCHER="$2"; shift ;;
    --summarize) need_arg "$@"; SUMMARIZE="$2"; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive integer"
[[ "$DURATION" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--duration must be a number of seconds"
for mode in $MODES; do [[ $mode == h2c || $mode == tls ]] || die "unknown mode '$mode' (h2c, tls)"; done

# ---------------------------------------------------------------------------------------------------------- summary
# summarize CSV DIR: results.md and the two charts in DIR, from every run in CSV (medians over rounds).
summarize() {
  python3 - "$1" "$2" <<'PY'
import csv, math, os, shutil, statistics, subprocess, sys
from collections import defaultdict

csv_path, out_dir = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(csv_path, newline="")))
if not rows:
    sys.exit("no rows in " + csv_path)

DISPATCHERS = ["Async", "SingleClient", "ThreadPerConnection", "Poll"]
CANON = DISPATCHERS + ["Static-" + d for d in ("Poll", "Async", "SingleClient", "ThreadPerConnection")] + ["Kestrel", "h2o", "nghttpd", "AspNet-Http2Lab", "AspNet-Kestrel"]
rank = lambda s: (CANON.index(s) if s in CANON else len(CANON), s)
servers = sorted({r["server"] for r in rows}, key=rank)
modes = [m for m in ("tls", "h2c") if any(r["mode"] == m for r in rows)]
runs = defaultdict(list)
for r in rows:
    runs[(r["mode"], int(r["c"]), int(r["m"]), r["server"])].append(r)
rounds = max(int(r["round"]) for r in rows)
duration_note = "2 s + C/5 s after its duration"
points = {mode: sorted({(int(r["c"]), int(r["m"])) for r in rows if r["mode"] == mode}) for mode in modes}

def valid(r): return r.get("h2load_exit", "0") in ("0", "")
def med(mode, c, m, server, field):
    vals = [float(r[field]) for r in runs.get((mode, c, m, server), []) if valid(r) and r.get(field) not in ("", None)]
    return statistics.median(vals) if vals else math.nan
CLIENT_BOUND = 0.85  # h2load's cores (over the run's wall time, its start included: ~0.92 is all it gets) at which it sets the rate
def client_bound(mode, c, m, server):
    x = med(mode, c, m, server, "client_cpu_cores")
    return x == x and x >= CLIENT_BOUND
def missing(mode, c, m, server):  # runs at this cell without a result (h2load killed, or skipped after that)
    return sum(1 for r in runs.get((mode, c, m, server), []) if not valid(r))
HUNG = "no result†"

def rps(mode, c, m, s): return med(mode, c, m, s, "req_per_s")
def best_rps(mode, c, m, server):
    vals = [float(r["req_per_s"]) for r in runs.get((mode, c, m, server), []) if valid(r) and r["req_per_s"] not in ("", None)]
    return max(vals) if vals else math.nan
def ok(x): return x == x and x > 0
def n0(x): return "–" if x != x else f"{x:,.0f}".replace(",", " ")
def ratio(a, b): return a / b if ok(a) and ok(b) else math.nan
def fr(x): return "–" if x != x else f"{x:.2f}×"

out = []
out.append(f"# bench/run.sh results\n")
out.append(f"Source: `{os.path.basename(csv_path)}` ({len(rows)} runs). Every cell is the **median of {rounds} interleaved "
           "round(s)**; the servers' order rotates every round and point. req/s cells: `req/s (×Kestrel, ×h2o)`. "
           "Machine, versions, settings and the exact command: `machine.txt`.\n")
loadavg = os.path.join(out_dir, "logs", "loadavg.txt")
if os.path.exists(loadavg):
    out.append("Load average (1, 5, 15 min) at the start of each round, from other processes on this machine: " +
               "; ".join(l.strip().split("load average ")[-1] for l in open(loadavg) if l.strip()) + ".\n")

for mode in modes:
    title = "TLS (ALPN h2)" if mode == "tls" else "h2c (prior knowledge)"
    out.append(f"## {title}: req/s (×Kestrel, ×h2o)\n")
    out.append("| point | " + " | ".join(servers) + " |")
    out.append("|---|" + "--:|" * len(servers))
    for c, m in points[mode]:
        k, h = rps(mode, c, m, "Kestrel"), rps(mode, c, m, "h2o")
        cells = []
        for s in servers:
            v = rps(mode, c, m, s)
            if v != v and missing(mode, c, m, s):
                cells.append(HUNG)
                continue
            cell = n0(v)
            if missing(mode, c, m, s): cell += "†"
            if client_bound(mode, c, m, s): cell += "‡"
            if "Kestrel" in servers or "h2o" in servers:
                parts = []
                if "Kestrel" in servers: parts.append(fr(ratio(v, k)))
                if "h2o" in servers: parts.append(fr(ratio(v, h)))
                cell += " (" + ", ".join(parts) + ")"
            best = max((rps(mode, c, m, x) for x in servers if ok(rps(mode, c, m, x))), default=math.nan)
            if ok(v) and v == best: cell = f"**{cell}**"
            cells.append(cell)
        out.append(f"| `-c {c} -m {m}` | " + " | ".join(cells) + " |")
    out.append("")
    out.append(f"## {title}: req/s, best of the rounds (load from other processes only ever lowers a run)\n")
    out.append("| point | " + " | ".join(servers) + " |")
    out.append("|---|" + "--:|" * len(servers))
    for c, m in points[mode]:
        k, h = best_rps(mode, c, m, "Kestrel"), best_rps(mode, c, m, "h2o")
        cells = []
        for s in servers:
            v = best_rps(mode, c, m, s)
            if v != v:
                cells.append(HUNG if missing(mode, c, m, s) else "–")
                continue
            parts = []
            if "Kestrel" in servers: parts.append(fr(ratio(v, k)))
            if "h2o" in servers: parts.append(fr(ratio(v, h)))
            cells.append(n0(v) + (" (" + ", ".join(parts) + ")" if parts else ""))
        out.append(f"| `-c {c} -m {m}` | " + " | ".join(cells) + " |")
    out.append("")
    out.append(f"## {title}: mean request time (h2load 'time for request' mean, µs; median of rounds)\n")
    out.append("| point | " + " | ".join(servers) + " |")
    out.append("|---|" + "--:|" * len(servers))
    for c, m in points[mode]:
        out.append(f"| `-c {c} -m {m}` | " + " | ".join(HUNG if missing(mode, c, m, s) and med(mode, c, m, s, "mean_request_us") != med(mode, c, m, s, "mean_request_us")
                                                     else n0(med(mode, c, m, s, "mean_request_us")) for s in servers) + " |")
    out.append("")
    if any(r.get("server_wait_cores") for r in rows if r["mode"] == mode):
        out.append(f"## {title}: server threads waiting for a CPU (cores: seconds runnable but not running, per second; median)\n")
        out.append("High values mean the server was starved by other processes on CPU 0 during the run.\n")
        out.append("| point | " + " | ".join(servers) + " |")
        out.append("|---|" + "--:|" * len(servers))
        for c, m in points[mode]:
            out.append(f"| `-c {c} -m {m}` | " + " | ".join(
                "–" if med(mode, c, m, s, "server_wait_cores") != med(mode, c, m, s, "server_wait_cores") else f"{med(mode, c, m, s, 'server_wait_cores'):.2f}"
                for s in servers) + " |")
        out.append("")
    if any(r.get("client_cpu_cores") for r in rows if r["mode"] == mode):
        out.append(f"## {title}: h2load CPU (cores, user+system over the run; median)\n")
        out.append(f"h2load has one CPU of its own. At {CLIENT_BOUND} and above it was the limit, not the server (‡ in the req/s "
                   "table): the server had time to spare, and its ratio to a slower server there is a floor on its lead.\n")
        out.append("| point | " + " | ".join(servers) + " |")
        out.append("|---|" + "--:|" * len(servers))
        for c, m in points[mode]:
            out.append(f"| `-c {c} -m {m}` | " + " | ".join(
                "–" if med(mode, c, m, s, "client_cpu_cores") != med(mode, c, m, s, "client_cpu_cores")
                else f"{med(mode, c, m, s, 'client_cpu_cores'):.2f}" + ("‡" if client_bound(mode, c, m, s) else "")
                for s in servers) + " |")
        out.append("")
    out.append(f"## {title}: server CPU (cores, utime+stime over the run; median) and req per server CPU-second\n")
    out.append("| point | " + " | ".join(servers) + " |")
    out.append("|---|" + "--:|" * len(servers))
    for c, m in points[mode]:
        cells = []
        for s in servers:
            cpu, v = med(mode, c, m, s, "server_cpu_cores"), rps(mode, c, m, s)
            cells.append("–" if cpu != cpu else f"{cpu:.2f} / {n0(v / cpu) if cpu > 0 else '–'}")
        out.append(f"| `-c {c} -m {m}` | " + " | ".join(cells) + " |")
    out.append("")

# Failures of any kind.
bad = defaultdict(int)
for r in rows:
    if valid(r):
        n = sum(int(r[f] or 0) for f in ("failed", "errored", "timeout"))
        if n: bad[(r["mode"], r["server"], f"-c {r['c']} -m {r['m']}")] += n
hung = defaultdict(list)
for r in rows:
    if not valid(r):
        hung[(r["mode"], r["server"], f"-c {r['c']} -m {r['m']}")].append(r["h2load_exit"])
out.append("## Failures\n")
if not bad and not hung:
    out.append("None: every request of every run succeeded.\n")
for (mode, s, p), n in sorted(bad.items()):
    out.append(f"- {s}, {mode} `{p}`: {n} failed/errored/timed-out requests over the rounds")
for (mode, s, p), codes in sorted(hung.items()):
    killed = sum(1 for x in codes if x != "skipped")
    got = len([r for r in runs[(mode, int(p.split()[1]), int(p.split()[3]), s)] if valid(r)])
    out.append(f"- {'† ' if not got else ''}{s}, {mode} `{p}`: h2load did not finish (killed {duration_note}) in {killed} run(s)"
               + (f", not measured in {len(codes) - killed} later round(s) after hanging twice in a row" if len(codes) > killed else "")
               + (f"; {got} run(s) with a result" if got else "; no result"))
out.append("")

# The issue's targets.
lab = [d for d in DISPATCHERS if d in servers]
statics = [s for s in servers if s.startswith("Static-")]
def best(mode, c, m, names, f):
    vals = [(f(mode, c, m, s), s) for s in names if ok(f(mode, c, m, s))]
    return max(vals) if vals else (math.nan, "–")
def verdict(x, goal): return "–" if x != x else ("**met**" if x >= goal else "**not met**")
lines = []
def target(name, mode, c, m, names, ref, goal):
    v, s = best(mode, c, m, names, rps)
    x = ratio(v, rps(mode, c, m, ref))
    xb = ratio(best(mode, c, m, names, best_rps)[0], best_rps(mode, c, m, ref))
    judged = verdict(x, goal) if goal else ("–" if x != x else "ahead" if x >= 1 else "behind")
    lines.append(f"| {name} | {mode} | `-c {c} -m {m}` | {s} {n0(v)}{'‡' if client_bound(mode, c, m, s) else ''} / {ref} {n0(rps(mode, c, m, ref))}{'‡' if client_bound(mode, c, m, ref) else ''} | {fr(x)} | {judged} | {fr(xb)} |")
    return x
for mode in modes:
    for (c, m) in [(1, 100), (5, 20)]:
        if (c, m) not in points[mode] or not lab: continue
        if "h2o" in servers: target("best dispatcher ≥ 1.0× h2o", mode, c, m, lab, "h2o", 1.0)
        if "nghttpd" in servers: target("best dispatcher vs nghttpd (for reference)", mode, c, m, lab, "nghttpd", None)
    if "Kestrel" in servers and lab:
        for c, m in [(c, m) for c, m in points[mode] if m >= 10]:
            target("best dispatcher ≥ 2× Kestrel at -m ≥ 10", mode, c, m, lab, "Kestrel", 2.0)
    if mode == "tls" and (5, 50) in points[mode] and "Poll" in servers and "ThreadPerConnection" in servers:
        target("Poll ≥ 2× ThreadPerConnection (TLS)", mode, 5, 50, ["Poll"], "ThreadPerConnection", 2.0)
    if statics and (1, 100) in points[mode] and "h2o" in servers:
        target("static responder ≥ 1.3× h2o", mode, 1, 100, statics, "h2o", 1.3)
    if "AspNet-Http2Lab" in servers and "AspNet-Kestrel" in servers:
        for c, m in [(1, 100), (10, 10)]:
            if (c, m) in points[mode]:
                target("ASP.NET Core app on Http2Lab ≥ 1.0× on Kestrel", mode, c, m, ["AspNet-Http2Lab"], "AspNet-Kestrel", 1.0)
if lines:
    out.append("## The issue's targets (verdicts from the medians above)\n")
    out.append("| target | mode | point | figures (median req/s) | ratio of medians | verdict | ratio, best rounds |")
    out.append("|---|---|---|---|--:|---|--:|")
    out.extend(lines)
    out.append("\n'best dispatcher' is the fastest of the four full-stack dispatchers at that point. A ratio where the faster "
               "server's runs were client-bound (‡ above) is what the load generator allowed, not the servers' whole gap.\n")

# Negotiated TLS.
tls = defaultdict(set)
for r in rows:
    if r["mode"] == "tls" and r.get("tls_protocol"):
        tls[r["server"]].add(f"{r['tls_protocol']} {r['cipher']}")
if tls:
    out.append("## Negotiated TLS (h2load's 'TLS Protocol:' and 'Cipher:', every TLS run)\n")
    for s in sorted(tls, key=rank):
        out.append(f"- {s}: {', '.join(sorted(tls[s]))}")
    out.append("")
md_path = os.path.join(out_dir, "results.md")
open(md_path, "w").write("\n".join(out) + "\n")
print("\n".join(out))

# Charts: one panel per (mode, clients) with at least two -m values; the three asked for come first.
if not shutil.which("gnuplot"):
    print("gnuplot not installed: no charts", file=sys.stderr)
    sys.exit(0)
order = [("tls", 1), ("tls", 5), ("h2c", 1), ("h2c", 5), ("tls", 50), ("h2c", 50)]
panels = [(mode, c) for mode, c in order if mode in points and len({m for cc, m in points[mode] if cc == c}) >= 2]
panels += [(mode, c) for mode in modes for c in sorted({cc for cc, _ in points[mode]})
           if (mode, c) not in panels and len({m for cc, m in points[mode] if cc == c}) >= 2]
if not panels:
    print("no (mode, clients) with two or more -m values: no charts")
    sys.exit(0)
STYLE = {
    "Async": "lc rgb '#1f77b4' pt 7 dt 1", "SingleClient": "lc rgb '#ff7f0e' pt 5 dt 1",
    "ThreadPerConnection": "lc rgb '#2ca02c' pt 9 dt 1", "Poll": "lc rgb '#d62728' pt 11 dt 1",
    "Static-Poll": "lc rgb '#d62728' pt 6 dt 2", "Static-Async": "lc rgb '#1f77b4' pt 4 dt 2",
    "Static-SingleClient": "lc rgb '#ff7f0e' pt 4 dt 2", "Static-ThreadPerConnection": "lc rgb '#2ca02c' pt 8 dt 2",
    "Kestrel": "lc rgb '#7f3fbf' pt 13 dt 4", "h2o": "lc rgb '#000000' pt 2 dt 5", "nghttpd": "lc rgb '#8c564b' pt 3 dt 5",
    "AspNet-Http2Lab": "lc rgb '#d62728' pt 7 dt 3", "AspNet-Kestrel": "lc rgb '#7f3fbf' pt 5 dt 3",
}
data_dir = os.path.join(out_dir, "plot-data")
os.makedirs(data_dir, exist_ok=True)
def chart(png, field, ylabel, logy):
    rows_n = len(panels)
    g = [f"set terminal pngcairo size 1200,{380 * rows_n + 60} font 'Sans,11'", f"set output '{png}'",
         f"set multiplot layout {rows_n},1 title 'h2load GET / (12-octet body), median of {rounds} rounds; servers on CPU 0, h2load on CPU 1' font 'Sans,13'",
         "set grid", "set key outside right top vertical", "set logscale x", "set xlabel 'concurrent streams per connection (-m, log scale)'",
         f"set ylabel '{ylabel}'", "set format y '%.0s%c'" if not logy else "set format y '%g'"]
    g.append("set logscale y" if logy else "set yrange [0:*]")
    for mode, c in panels:
        ms = sorted({m for cc, m in points[mode] if cc == c})
        data = os.path.join(data_dir, f"{field}-{mode}-c{c}.dat")
        with open(data, "w") as f:
            f.write("# m " + " ".join(servers) + "\n")
            for m in ms:
                f.write(f"{m} " + " ".join(("NaN" if med(mode, c, m, s, field) != med(mode, c, m, s, field) else f"{med(mode, c, m, s, field):.1f}") for s in servers) + "\n")
        g.append("set xtics (" + ", ".join(f"'{m}' {m}" for m in ms) + ")")
        g.append(f"set xrange [{ms[0] / 1.3}:{ms[-1] * 1.3}]")
        g.append(f"set title '{'TLS' if mode == 'tls' else 'h2c'}, {c} client{'s' if c > 1 else ''} (-c {c})'")
        def label(s):
            return s if any(med(mode, c, m, s, field) == med(mode, c, m, s, field) for m in ms) else s + " (no result)"
        plots = [f"'{data}' using 1:{i + 2} with linespoints lw 2 ps 1.3 {STYLE.get(s, '')} title '{label(s)}'" for i, s in enumerate(servers)]
        g.append("plot " + ", ".join(plots))
    g.append("unset multiplot")
    res = subprocess.run(["gnuplot"], input="\n".join(g) + "\n", text=True, capture_output=True)
    if res.returncode != 0:
        print("gnuplot failed:\n" + res.stderr, file=sys.stderr)
    else:
        print("chart: " + png)
chart(os.path.join(out_dir, "req-per-s.png"), "req_per_s", "requests per second", False)
chart(os.path.join(out_dir, "mean-request-time.png"), "mean_request_us", "mean request time (µs, log scale)", True)
PY
}

if [[ -n "$SUMMARIZE" ]]; then
  [[ -f "$SUMMARIZE" ]] || die "no such file: $SUMMARIZE"
  summarize "$SUMMARIZE" "$(cd "$(dirname "$SUMMARIZE")" && pwd)"
  exit 0
fi

# ---------------------------------------------------------------------------------------------------------- servers
if [[ -z "$STATIC_DISPATCHERS" ]]; then
  if [[ $FULL -eq 1 ]]; then STATIC_DISPATCHERS="${DISPATCHERS[*]}"; else STATIC_DISPATCHERS="Poll Async"; fi
fi
if [[ -z "$SERVERS" && $ASPNETCORE -eq 1 ]]; then
  SERVERS="AspNet-Http2Lab AspNet-Kestrel"
  [[ -n "$POINTS" ]] || POINTS="$ASPNET_POINTS"
fi
if [[ -z "$SERVERS" ]]; then
  SERVERS="${DISPATCHERS[*]}"
  for d in $STATIC_DISPATCHERS; do SERVERS+=" Static-$d"; done
  SERVERS+=" Kestrel h2o nghttpd"
fi
declare -A KIND=() DISPATCHER=()
SERVER_LIST=()
for s in $SERVERS; do
  [[ -z "${KIND[$s]:-}" ]] || die "server $s listed twice"
  case "$s" in
    Async|SingleClient|ThreadPerConnection|Poll) KIND[$s]=lab; DISPATCHER[$s]=$s ;;
    Static-Async|Static-SingleClient|Static-ThreadPerConnection|Static-Poll) KIND[$s]=static; DISPATCHER[$s]=${s#Static-} ;;
    Kestrel|h2o|nghttpd) KIND[$s]=$s ;;
    AspNet-Http2Lab) KIND[$s]=aspnet; DISPATCHER[$s]=$ASPNET_DISPATCHER ;;
    AspNet-Kestrel) KIND[$s]=aspnet ;;
    *) die "unknown server '$s' (Async SingleClient ThreadPerConnection Poll Static-<dispatcher> Kestrel h2o nghttpd AspNet-Http2Lab AspNet-Kestrel)" ;;
  esac
  SERVER_LIST+=("$s")
done
[[ ${#SERVER_LIST[@]} -gt 0 ]] || die "no servers"
has_kind() { local s; for s in "${SERVER_LIST[@]}"; do [[ ${KIND[$s]} == "$1" ]] && return 0; done; return 1; }

# ---------------------------------------------------------------------------------------------------------- points
if [[ -z "$POINTS" ]]; then
  if [[ $FULL -eq 1 ]]; then
    for mode in h2c tls; do for c in $FULL_CLIENTS; do for m in $FULL_STREAMS; do POINTS+="$mode:$c:$m "; done; done; done
  else
    POINTS="$QUICK_POINTS"
  fi
fi
POINT_LIST=()
for p in $POINTS; do
  [[ "$p" =~ ^(h2c|tls):([1-9][0-9]*):([1-9][0-9]*)$ ]] || die "bad point '$p' (MODE:C:M, e.g. tls:1:100)"
  [[ " $MODES " == *" ${BASH_REMATCH[1]} "* ]] && POINT_LIST+=("$p")
done
[[ ${#POINT_LIST[@]} -gt 0 ]] || die "no points left for modes '$MODES'"
USED_MODES=""
for mode in h2c tls; do [[ " ${POINT_LIST[*]} " == *" $mode:"* ]] && USED_MODES+="$mode "; done

# ---------------------------------------------------------------------------------------------------------- tools
declare -A PACKAGE_OF=([h2load]=nghttp2-client [nghttp]=nghttp2-client [gnuplot]=gnuplot-nox [openssl]=openssl
                       [curl]=curl [taskset]=util-linux [timeout]=coreutils [h2o]=h2o [nghttpd]=nghttp2-server)
tools=(h2load nghttp gnuplot openssl curl taskset timeout)
has_kind h2o && tools+=(h2o)
has_kind nghttpd && tools+=(nghttpd)
missing=()
for t in "${tools[@]}"; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
if [[ ${#missing[@]} -gt 0 ]]; then
  packages=()
  for t in "${missing[@]}"; do [[ " ${packages[*]} " == *" ${PACKAGE_OF[$t]} "* ]] || packages+=("${PACKAGE_OF[$t]}"); done
  echo "== installing ${packages[*]} (missing: ${missing[*]})"
  if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    die "missing ${missing[*]}; install as root: apt-get install -y ${packages[*]}"
  fi
  if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}"; } >/tmp/run-sh-apt.$$.log 2>&1; then
    tail -5 /tmp/run-sh-apt.$$.log >&2
    die "apt-get failed (log /tmp/run-sh-apt.$$.log); still missing: ${missing[*]} (packages ${packages[*]})"
  fi
  rm -f /tmp/run-sh-apt.$$.log
  for t in "${missing[@]}"; do command -v "$t" >/dev/null 2>&1 || die "$t still missing after installing ${PACKAGE_OF[$t]}"; done
fi
for t in dotnet python3; do command -v "$t" >/dev/null 2>&1 || die "$t is required"; done

# ---------------------------------------------------------------------------------------------------------- run dir
STAMP="$(date +%Y%m%d-%H%M%S)"
RUN="$OUT/run-$STAMP"
LOGS="$RUN/logs"
mkdir -p "$LOGS" "$RUN/htdocs"
RUN="$(cd "$RUN" && pwd)"; LOGS="$RUN/logs"
CSV="$RUN/results.csv"
MACHINE="$RUN/machine.txt"
printf '%s' "$BODY" >"$RUN/htdocs/index.html"
echo "== run directory: $RUN"

LAB_DLL="$ROOT/samples/WebHost/bin/Release/net10.0/WebHost.dll"
KESTREL_DLL="$ROOT/bench/KestrelBaseline/bin/Release/net10.0/KestrelBaseline.dll"
MINIMAL_DLL="$ROOT/bench/MinimalApi/bin/Release/net10.0/MinimalApi.dll"
# Machine facts and versions, gathered beside the build (the dotnet CLI is slow to answer on a busy machine).
{
  echo "source:          $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') with $(git -C "$ROOT" status --porcelain 2>/dev/null | wc -l) changed/untracked paths in the working tree"
  echo "nproc:           $(nproc)"
  echo "cpu model:       $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "memory:          $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "kernel:          $(uname -r)"
  echo "os:              $(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release 2>/dev/null)"
  echo "dotnet sdk:      $(dotnet --version)"
  echo "dotnet runtime:  $(dotnet --list-runtimes 2>/dev/null | awk '/Microsoft.NETCore.App/ { v = $2 } END { print v }')"
  echo "h2load:          $(h2load --version 2>&1 | head -1)"
  has_kind h2o && echo "h2o:             $(h2o --version 2>&1 | head -1)"
  has_kind nghttpd && echo "nghttpd:         $(nghttpd --version 2>&1 | head -1)"
  echo "openssl:         $(openssl version)"
  echo "gnuplot:         $(gnuplot --version 2>&1 | head -1)"
} >"$LOGS/facts.txt" 2>&1 &
FACTS_PID=$!

build() { # project log: one retry, since a concurrent build of the same tree can hold a file for a moment
  local project=$1 log=$2
  local -a restore=()
  [[ -f "$(dirname "$project")/obj/project.assets.json" ]] && restore=(--no-restore) # the retry restores
  echo "== building ${project#"$ROOT/"} (Release)"
  dotnet build -c Release -nologo -v q "${restore[@]}" "$project" >"$log" 2>&1 && return 0
  echo "   build failed; retrying once in 5 s (log $log)"
  sleep 5
  dotnet build -c Release -nologo -v q "$project" >>"$log" 2>&1 && return 0
  tail -20 "$log" >&2
  die "build of ${project#"$ROOT/"} failed"
}
if [[ $BUILD -eq 1 ]]; then # the two projects share nothing: built side by side
  build_pids=()
  if has_kind lab || has_kind static; then build "$ROOT/samples/WebHost/WebHost.csproj" "$LOGS/build-webhost.log" & build_pids+=($!); fi
  if has_kind Kestrel; then build "$ROOT/bench/KestrelBaseline/KestrelBaseline.csproj" "$LOGS/build-kestrel.log" & build_pids+=($!); fi
  if has_kind aspnet; then build "$ROOT/bench/MinimalApi/MinimalApi.csproj" "$LOGS/build-minimalapi.log" & build_pids+=($!); fi
  for pid in "${build_pids[@]}"; do wait "$pid" || die "build failed"; done
fi
if has_kind lab || has_kind static; then [[ -f "$LAB_DLL" ]] || die "$LAB_DLL missing (build without --no-build)"; fi
if has_kind Kestrel; then [[ -f "$KESTREL_DLL" ]] || die "$KESTREL_DLL missing (build without --no-build)"; fi
if has_kind aspnet; then [[ -f "$MINIMAL_DLL" ]] || die "$MINIMAL_DLL missing (build without --no-build)"; fi

BUILD_SECONDS=$SECONDS

# One certificate for every TLS server: ECDSA P-256, CN=localhost, SAN localhost and 127.0.0.1.
CERT="$RUN/cert.pem"; KEY="$RUN/key.pem"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$KEY" -out "$CERT" -days 7 \
  -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >"$LOGS/openssl.log" 2>&1 \
  || { cat "$LOGS/openssl.log" >&2; die "openssl could not make the certificate"; }

# CPU placement: servers on CPU 0, h2load on CPU 1.
NCPU="$(nproc)"
SERVER_PIN=(); CLIENT_PIN=()
if [[ $NCPU -ge 2 ]]; then
  SERVER_PIN=(taskset -c 0); CLIENT_PIN=(taskset -c 1)
  PLACEMENT="servers pinned to CPU 0 (taskset -c 0), h2load to CPU 1 (taskset -c 1)"
else
  PLACEMENT="not pinned: 1 CPU, servers and h2load share it"
fi

# ---------------------------------------------------------------------------------------------------------- start
declare -A PORT_H2C=() PORT_TLS=() PID_H2C=() PID_TLS=() CPU_PIDS=()
ALL_PIDS=()
cleanup() {
  local pid i
  [[ ${#ALL_PIDS[@]} -gt 0 ]] || return 0
  for pid in "${ALL_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for i in $(seq 60); do
    local alive=0
    for pid in "${ALL_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && break
    sleep 0.1
  done
  for pid in "${ALL_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  ALL_PIDS=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
index=0
for s in "${SERVER_LIST[@]}"; do
  PORT_H2C[$s]=$((PORT_BASE + 10 * index)); PORT_TLS[$s]=$((PORT_BASE + 10 * index + 1)); index=$((index + 1))
  for p in "${PORT_H2C[$s]}" "${PORT_TLS[$s]}"; do
    [[ $p -lt 32768 ]] || die "port $p is in the ephemeral range; lower BENCH_PORT_BASE"
    port_busy "$p" && die "port $p is in use; set BENCH_PORT_BASE"
  done
done

lab_endpoint_args() { # endpoint url dispatcher protocol
  local e=$1
  printf '%s\n' "--Http2Lab:Endpoints:$e:Url=$2" "--Http2Lab:Endpoints:$e:Dispatcher=$3" \
    "--Http2Lab:Endpoints:$e:Protocol=$4" "--Http2Lab:Endpoints:$e:MaxClients=$POLL_MAX_CLIENTS"
}

write_h2o_conf() { # server
  local s=$1 conf="$RUN/h2o.conf"
  {
    echo "# h2o $(h2o --version 2>/dev/null | head -1 | awk '{print $3}') for bench/run.sh: one worker thread, h2c and TLS, static file"
    echo "num-threads: 1"
    [[ $EUID -eq 0 ]] && echo "user: root"
    echo "http2-max-concurrent-requests-per-connection: $MAX_STREAMS"
    echo "listen:"
    echo "  host: 127.0.0.1"
    echo "  port: ${PORT_H2C[$s]}"
    echo "listen:"
    echo "  host: 127.0.0.1"
    echo "  port: ${PORT_TLS[$s]}"
    echo "  ssl:"
    echo "    certificate-file: $CERT"
    echo "    key-file: $KEY"
    echo "    ocsp-update-interval: 0"
    echo "hosts:"
    echo "  default:"
    echo "    paths:"
    echo "      /:"
    echo "        file.dir: $RUN/htdocs"
  } >"$conf"
  echo "$conf"
}

echo "== starting ${#SERVER_LIST[@]} servers (t+${SECONDS}s): ${SERVER_LIST[*]}"
for s in "${SERVER_LIST[@]}"; do
  log="$LOGS/server-$s.log"
  case "${KIND[$s]}" in
    lab|static)
      protocol=Http2; [[ ${KIND[$s]} == static ]] && protocol=Http2Static
      mapfile -t args < <(lab_endpoint_args h2c "http://127.0.0.1:${PORT_H2C[$s]}" "${DISPATCHER[$s]}" "$protocol"
                          lab_endpoint_args h2 "https://127.0.0.1:${PORT_TLS[$s]}" "${DISPATCHER[$s]}" "$protocol")
      args+=("--Http2Lab:Endpoints:h2:Certificate:Path=$CERT" "--Http2Lab:Endpoints:h2:Certificate:KeyPath=$KEY"
             "--Http2Lab:Endpoints:echo:Url=http://127.0.0.1:0" "--Http2Lab:Limits:MaxConcurrentStreams=$MAX_STREAMS"
             "--Logging:LogLevel:Default=Warning")
      echo "dotnet $LAB_DLL ${args[*]}" >"$log"
      "${SERVER_PIN[@]}" dotnet "$LAB_DLL" "${args[@]}" >>"$log" 2>&1 &
      PID_H2C[$s]=$!; PID_TLS[$s]=$!; ALL_PIDS+=($!) ;;
    aspnet)
      if [[ $s == AspNet-Http2Lab ]]; then aspnet_args=(--server http2lab --dispatcher "${DISPATCHER[$s]}"); else aspnet_args=(--server kestrel); fi
      echo "dotnet $MINIMAL_DLL ${aspnet_args[*]} --h2c ${PORT_H2C[$s]} --h2 ${PORT_TLS[$s]} --cert $CERT --key $KEY" >"$log"
      "${SERVER_PIN[@]}" dotnet "$MINIMAL_DLL" "${aspnet_args[@]}" --h2c "${PORT_H2C[$s]}" --h2 "${PORT_TLS[$s]}" --cert "$CERT" --key "$KEY" >>"$log" 2>&1 &
      PID_H2C[$s]=$!; PID_TLS[$s]=$!; ALL_PIDS+=($!) ;;
    Kestrel)
      "${SERVER_PIN[@]}" dotnet "$KESTREL_DLL" --h2c "${PORT_H2C[$s]}" --h2 "${PORT_TLS[$s]}" --cert "$CERT" --key "$KEY" >"$log" 2>&1 &
      PID_H2C[$s]=$!; PID_TLS[$s]=$!; ALL_PIDS+=($!) ;;
    h2o)
      conf="$(write_h2o_conf "$s")"
      h2o -t -c "$conf" >"$LOGS/h2o-config-test.log" 2>&1 || { cat "$LOGS/h2o-config-test.log" >&2; die "h2o rejects $conf"; }
      "${SERVER_PIN[@]}" h2o -c "$conf" >"$log" 2>&1 &
      PID_H2C[$s]=$!; PID_TLS[$s]=$!; ALL_PIDS+=($!) ;;
    nghttpd)
      "${SERVER_PIN[@]}" nghttpd -n 1 -m "$MAX_STREAMS" -a 127.0.0.1 --no-tls -d "$RUN/htdocs" "${PORT_H2C[$s]}" >"$log" 2>&1 &
      PID_H2C[$s]=$!; ALL_PIDS+=($!)
      "${SERVER_PIN[@]}" nghttpd -n 1 -m "$MAX_STREAMS" -a 127.0.0.1 -d "$RUN/htdocs" "${PORT_TLS[$s]}" "$KEY" "$CERT" >"$LOGS/server-$s-tls.log" 2>&1 &
      PID_TLS[$s]=$!; ALL_PIDS+=($!) ;;
  esac
done

url() { # server mode
  if [[ $2 == tls ]]; then echo "https://127.0.0.1:${PORT_TLS[$1]}/"; else echo "http://127.0.0.1:${PORT_H2C[$1]}/"; fi
}
curl_h2() { # mode url [curl args]
  local mode=$1 u=$2; shift 2
  if [[ $mode == tls ]]; then curl -sk --http2 --max-time 3 "$@" "$u"; else curl -s --http2-prior-knowledge --max-time 3 "$@" "$u"; fi
}
pid_of() { if [[ $2 == tls ]]; then echo "${PID_TLS[$1]}"; else echo "${PID_H2C[$1]}"; fi; }
descendants() { local c; for c in $(pgrep -P "$1" 2>/dev/null); do echo "$c"; descendants "$c"; done; }

for s in "${SERVER_LIST[@]}"; do
  for mode in $USED_MODES; do
    pid="$(pid_of "$s" "$mode")"; u="$(url "$s" "$mode")"
    for i in $(seq 600); do
      kill -0 "$pid" 2>/dev/null || { tail -20 "$LOGS/server-$s"*.log >&2; die "$s exited"; }
      answer="$(curl_h2 "$mode" "$u" 2>/dev/null; echo x)"
      [[ "${answer%x}" == "$BODY" ]] && break
      [[ $i -eq 600 ]] && die "$s does not answer GET / with the body on $u after 60 s"
      sleep 0.1
    done
  done
  for mode in $USED_MODES; do
    pid="$(pid_of "$s" "$mode")"
    # The server's CPU: its process and any children (h2o's key-operation process), found once it is ready.
    CPU_PIDS[$s:$mode]="$pid $(descendants "$pid" | tr '\n' ' ')"
    for p in $(descendants "$pid"); do ALL_PIDS+=("$p"); done
  done
  echo "   $s ready (h2c :${PORT_H2C[$s]}, tls :${PORT_TLS[$s]})"
done

# What each server answers and advertises.
echo "== probing responses and SETTINGS (t+${SECONDS}s)"
{
  for s in "${SERVER_LIST[@]}"; do
    for mode in ${USED_MODES%% *}; do # one mode: the readiness check saw the body on both
      echo "### $s $mode $(url "$s" "$mode")"
      curl_h2 "$mode" "$(url "$s" "$mode")" -D - -o /dev/null -w 'body octets: %{size_download}\n' 2>&1 | tr -d '\r' | grep -v '^$'
      echo
    done
  done
} >"$RUN/responses.txt"
SETTINGS_REPORT=""
for s in "${SERVER_LIST[@]}"; do
  for mode in ${USED_MODES%% *}; do # one mode: both share the server's limits
    settings="$(timeout 10 nghttp -nv "$(url "$s" "$mode")" 2>&1 | awk '/recv SETTINGS frame/ && !done { on = 1; next }
      on && /\[SETTINGS_/ { gsub(/[][]/, ""); sub(/\(0x[0-9a-f]+\)/, ""); printf "%s ", $1; next } on && !/niv=/ { on = 0; done = 1 }')"
    SETTINGS_REPORT+="$(printf '  %-28s %-3s %s' "$s" "$mode" "${settings:-(not read)}")"$'\n'
  done
done

# Unrecorded warm-up per server and mode (JIT tiering, TLS session setup paths), which also records the TLS handshake.
echo "== warm-up (t+${SECONDS}s)"
for s in "${SERVER_LIST[@]}"; do
  for mode in $USED_MODES; do
    tls_args=(); [[ $mode == tls ]] && tls_args=(--tls13-ciphers="$TLS13_CIPHERS" --ciphers="$TLS12_CIPHERS")
    timeout -k 2 30 "${CLIENT_PIN[@]}" h2load -D "$SERVER_WARMUP" -c 1 -m 100 -t 1 "${tls_args[@]}" "$(url "$s" "$mode")" \
      >"$LOGS/warmup-$s-$mode.txt" 2>&1 || true
  done
done

# Idle cost: every server's CPU over one second with no traffic (they all share CPU 0 while one is measured).
CLK_TCK="$(getconf CLK_TCK)"
declare -A IDLE_BEFORE=()
for s in "${SERVER_LIST[@]}"; do
  # shellcheck disable=SC2046,SC2086
  IDLE_BEFORE[$s]=$(awk '{ t += $14 + $15 } END { print t + 0 }' $(for p in ${CPU_PIDS[$s:tls]:-} ${CPU_PIDS[$s:h2c]:-}; do echo "/proc/$p/stat"; done | sort -u) 2>/dev/null)
done
sleep 1
IDLE_REPORT=""
for s in "${SERVER_LIST[@]}"; do
  # shellcheck disable=SC2046,SC2086
  now_ticks=$(awk '{ t += $14 + $15 } END { print t + 0 }' $(for p in ${CPU_PIDS[$s:tls]:-} ${CPU_PIDS[$s:h2c]:-}; do echo "/proc/$p/stat"; done | sort -u) 2>/dev/null)
  IDLE_REPORT+="$(printf '  %-28s %s cores' "$s" "$(awk -v a="${IDLE_BEFORE[$s]}" -v b="$now_ticks" -v t="$CLK_TCK" 'BEGIN { printf "%.3f", (b - a) / t }')")"$'\n'
done

# ---------------------------------------------------------------------------------------------------------- machine
{
  echo "bench/run.sh run $STAMP"
  echo "date:            $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "command:         $COMMAND_LINE"
  echo "cwd:             $PWD"
  wait "$FACTS_PID" 2>/dev/null || true
  cat "$LOGS/facts.txt"
  echo "placement:       $PLACEMENT"
  echo "h2load command:  ${CLIENT_PIN[*]} h2load -D $DURATION --warm-up-time $WARMUP -c C -m M -t 1 URL; TLS adds --tls13-ciphers=$TLS13_CIPHERS --ciphers=$TLS12_CIPHERS"
  echo "warm-up:         per server and mode, unrecorded: h2load -D $SERVER_WARMUP -c 1 -m 100 -t 1 (JIT tiering, first handshakes)"
  echo "timeout:         each h2load run under timeout -k 1 (duration + 2 s + C/5 s); a killed run is run once more at once;"
  echo "                 a server that hangs twice in a row at a point is not measured there in later rounds"
  echo "rounds:          $ROUNDS (server order rotated every round and point)"
  echo "points:          ${POINT_LIST[*]}"
  echo "servers:         ${SERVER_LIST[*]}"
  printf 'body:            %s octets, "Hello World\\n" (content-length 12); response headers per server in responses.txt\n' "${#BODY}"
  echo "certificate:     one self-signed ECDSA P-256 certificate, CN=localhost (cert.pem / key.pem here), for every TLS server"
  echo "MAX_CONCURRENT_STREAMS: $MAX_STREAMS configured for every server (Http2Lab --Http2Lab:Limits:MaxConcurrentStreams=$MAX_STREAMS,"
  echo "                 Kestrel default 100, h2o http2-max-concurrent-requests-per-connection: $MAX_STREAMS, nghttpd -m $MAX_STREAMS);"
  echo "                 advertised in each server's first SETTINGS frame (nghttp -nv, one mode):"
  printf '%s' "$SETTINGS_REPORT"
  echo "Http2Lab:        the sample (samples/WebHost) per server process, endpoints h2c and h2 overridden (Url, Dispatcher,"
  echo "                 Protocol Http2 = full stack or Http2Static = static responder, MaxClients=$POLL_MAX_CLIENTS for Poll,"
  echo "                 Certificate:Path/KeyPath), echo on port 0, --Logging:LogLevel:Default=Warning; Poll's TLS engine default (OpenSsl)"
  echo "Kestrel:         bench/KestrelBaseline --h2c P --h2 P --cert cert.pem --key key.pem"
  echo "AspNet-*:        bench/MinimalApi --server http2lab --dispatcher $ASPNET_DISPATCHER | --server kestrel, --h2c P --h2 P --cert cert.pem --key key.pem"
  has_kind h2o && echo "h2o:             h2o -c h2o.conf (num-threads: 1; file.dir htdocs/, index.html = the body)"
  has_kind nghttpd && echo "nghttpd:         nghttpd -n 1 -m $MAX_STREAMS -a 127.0.0.1 [--no-tls] -d htdocs/ PORT [key.pem cert.pem] (one process per mode)"
  echo "TLS at warm-up (h2load's TLS Protocol / Cipher / Server Temp Key):"
  for s in "${SERVER_LIST[@]}"; do
    [[ " $USED_MODES " == *" tls "* ]] || break
    printf '  %-28s %s\n' "$s" "$(awk -F': ' '/^TLS Protocol:|^Cipher:|^Server Temp Key:/ { printf "%s ", $2 }' "$LOGS/warmup-$s-tls.txt")"
  done
  echo "idle servers (CPU over 1 s after the warm-up, no traffic; utime+stime / CLK_TCK $CLK_TCK):"
  printf '%s' "$IDLE_REPORT"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "busiest processes at start (ps, %CPU over their lifetime):"
  ps -eo pcpu=,comm= --sort=-pcpu | head -5 | sed 's/^/  /'
} >"$MACHINE"

# ---------------------------------------------------------------------------------------------------------- measure
# The measurement loop forks nothing but h2load (builtins only), so that a busy machine adds little between runs.
TICKS=0
cpu_ticks() { # pids... -> TICKS: utime + stime of those processes, in clock ticks
  local pid stat
  local -a f
  TICKS=0
  for pid in "$@"; do
    { read -r stat <"/proc/$pid/stat"; } 2>/dev/null || continue
    stat="${stat##*) }"
    read -r -a f <<<"$stat"
    TICKS=$((TICKS + f[11] + f[12]))
  done
}
CHILD_MS=0
TIMES_FILE="$LOGS/.times"
child_cpu() { # -> CHILD_MS: user + system CPU of this shell's finished children (the 'times' builtin), in milliseconds
  local user sys
  times >"$TIMES_FILE"
  { read -r _ _; read -r user sys; } <"$TIMES_FILE"
  to_ms "$user"; CHILD_MS=$MS
  to_ms "$sys"; CHILD_MS=$((CHILD_MS + MS))
}
to_ms() { # 1m2.345s (or 1m2,345s) -> MS
  local v=${1%s} min sec frac
  min=${v%%m*}; sec=${v#*m}; sec=${sec/,/.}
  frac=${sec#*.}; [[ $sec == *.* ]] || frac=""
  frac="${frac}000"; frac=${frac:0:3}
  MS=$((10#$min * 60000 + 10#${sec%%.*} * 1000 + 10#$frac))
}
WAIT_NS=0
sched_wait() { # pids... -> WAIT_NS: time their threads spent runnable but waiting for a CPU (/proc/PID/task/*/schedstat)
  local pid f waiting rest
  WAIT_NS=0
  for pid in "$@"; do
    for f in /proc/"$pid"/task/*/schedstat; do
      { read -r _ waiting rest <"$f"; } 2>/dev/null || continue
      WAIT_NS=$((WAIT_NS + waiting))
    done
  done
}
to_us() { # h2load duration (123us, 1.23ms, 2.01s) -> US (integer microseconds)
  local v=$1 int frac scale
  case "$v" in
    *us) US=${v%us}; US=${US%%.*}; return ;;
    *ms) v=${v%ms}; scale=1000 ;;
    *s) v=${v%s}; scale=1000000 ;;
    *) US=""; return ;;
  esac
  int=${v%%.*}; frac=""; [[ $v == *.* ]] && frac=${v#*.}
  frac="${frac}000000"; frac=${frac:0:6}
  US=$(( (10#$int * 1000000 + 10#$frac) * scale / 1000000 ))
}
parse_h2load() { # log -> RPS OK FAILED ERRORED TMO MEAN PROTO CIPHER
  local line
  local -a w
  RPS=0; OK=0; FAILED=0; ERRORED=0; TMO=0; MEAN=""; PROTO=""; CIPHER=""
  while IFS= read -r line; do
    case "$line" in
      "finished in "*) read -r -a w <<<"$line"; RPS=${w[3]} ;;
      "requests: "*) read -r -a w <<<"$line"; OK=${w[7]}; FAILED=${w[9]}; ERRORED=${w[11]}; TMO=${w[13]} ;;
      "time for request: "*) read -r -a w <<<"$line"; to_us "${w[5]}"; MEAN=$US ;;
      "TLS Protocol: "*) PROTO=${line#TLS Protocol: } ;;
      "Cipher: "*) CIPHER=${line#Cipher: } ;;
    esac
  done <"$1"
}

echo "mode,c,m,round,server,req_per_s,succeeded,failed,errored,mean_request_us,server_cpu_cores,timeout,tls_protocol,cipher,order,time,h2load_exit,wall_s,server_wait_cores,client_cpu_cores" >"$CSV"
nservers=${#SERVER_LIST[@]}
total=$((ROUNDS * ${#POINT_LIST[@]} * nservers))
estimate="$(awk -v n="$total" -v d="$DURATION" 'BEGIN { printf "%.0f", n * (d + 0.2) }')"
echo "== measuring: $total runs (${#POINT_LIST[@]} points x $nservers servers x $ROUNDS rounds), about ${estimate} s (+ more on a busy machine)"
MEASURE_START=$SECONDS
done_runs=0
declare -A HUNG=()
for round in $(seq "$ROUNDS"); do
  read -r load1 load5 load15 _ </proc/loadavg
  echo "   round $round, load average $load1 $load5 $load15" | tee -a "$LOGS/loadavg.txt"
  pindex=0
  for point in "${POINT_LIST[@]}"; do
    IFS=: read -r mode c m <<<"$point"
    shift_by=$(((round - 1 + pindex) % nservers)); pindex=$((pindex + 1))
    order=("${SERVER_LIST[@]:shift_by}" "${SERVER_LIST[@]:0:shift_by}")
    tls_args=(); [[ $mode == tls ]] && tls_args=(--tls13-ciphers="$TLS13_CIPHERS" --ciphers="$TLS12_CIPHERS")
    position=0
    for s in "${order[@]}"; do
      position=$((position + 1)); done_runs=$((done_runs + 1))
      if [[ $mode == tls ]]; then target="https://127.0.0.1:${PORT_TLS[$s]}/"; else target="http://127.0.0.1:${PORT_H2C[$s]}/"; fi
      log="$LOGS/$mode-c$c-m$m-r$round-$s.txt"
      if [[ -n "${HUNG[$s:$point]:-}" ]]; then
        printf -v now '%(%H:%M:%S)T' -1
        echo "$mode,$c,$m,$round,$s,0,0,0,0,,,0,,,$position,$now,skipped,0,," >>"$CSV"
        printf '   [%4d/%d] r%d %-3s -c %-2s -m %-3s %-26s skipped: h2load hung twice here in round %s\n' "$done_runs" "$total" "$round" \
          "$mode" "$c" "$m" "$s" "${HUNG[$s:$point]}"
        continue
      fi
      for attempt in 1 2; do
        # shellcheck disable=SC2086 # CPU_PIDS holds a list of pids
        cpu_ticks ${CPU_PIDS[$s:$mode]}; before=$TICKS
        # shellcheck disable=SC2086
        sched_wait ${CPU_PIDS[$s:$mode]}; wait_before=$WAIT_NS; child_cpu; client_before=$CHILD_MS; t0=${EPOCHREALTIME/./}
        rc=0
        timeout -k 1 $((${DURATION%.*} + 2 + c / 5)) "${CLIENT_PIN[@]}" h2load -D "$DURATION" --warm-up-time "$WARMUP" -c "$c" -m "$m" -t 1 \
          "${tls_args[@]}" "$target" >"$log" 2>&1 || rc=$?
        t1=${EPOCHREALTIME/./}
        # shellcheck disable=SC2086
        cpu_ticks ${CPU_PIDS[$s:$mode]}; after=$TICKS
        # shellcheck disable=SC2086
        sched_wait ${CPU_PIDS[$s:$mode]}; wait_after=$WAIT_NS
        child_cpu
        parse_h2load "$log"
        wall_us=$((t1 - t0))
        milli=$(( (after - before) * 1000000000 / CLK_TCK / (wall_us > 0 ? wall_us : 1) ))
        printf -v cpu '%d.%03d' $((milli / 1000)) $((milli % 1000))
        wmilli=$(( (wait_after > wait_before ? wait_after - wait_before : 0) / (wall_us > 0 ? wall_us : 1) ))
        printf -v waited '%d.%03d' $((wmilli / 1000)) $((wmilli % 1000))
        cmilli=$(( (CHILD_MS - client_before) * 1000000 / (wall_us > 0 ? wall_us : 1) ))
        printf -v client '%d.%03d' $((cmilli / 1000)) $((cmilli % 1000))
        printf -v wall '%d.%03d' $((wall_us / 1000000)) $((wall_us / 1000 % 1000))
        printf -v now '%(%H:%M:%S)T' -1
        echo "$mode,$c,$m,$round,$s,$RPS,$OK,$FAILED,$ERRORED,$MEAN,$cpu,$TMO,$PROTO,$CIPHER,$position,$now,$rc,$wall,$waited,$client" >>"$CSV"
        note=""; [[ $rc -ne 0 || $FAILED != 0 || $ERRORED != 0 || $TMO != 0 ]] && note="  (exit $rc, failed $FAILED, errored $ERRORED, timeout $TMO)"
        printf '   [%4d/%d] r%d %-3s -c %-2s -m %-3s %-26s %10.0f req/s  mean %7s us  cpu %s  wait %s  h2load %s  %ss%s\n' "$done_runs" \
          "$total" "$round" "$mode" "$c" "$m" "$s" "$RPS" "${MEAN:-?}" "$cpu" "$waited" "$client" "$wall" "$note"
        [[ $rc -eq 124 || $rc -eq 137 ]] || break
        # h2load hung (killed): once may be the machine; twice in a row and the point is not tried again.
        if [[ $attempt -eq 1 ]]; then
          mv "$log" "${log%.txt}-hung.txt"
          echo "   h2load hung; once more"
        else
          HUNG[$s:$point]=$round
        fi
      done
    done
  done
done
MEASURE_SECONDS=$((SECONDS - MEASURE_START))
{
  echo "load average at end:   $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "load average at the start of each round:"
  sed 's/^ */  /' "$LOGS/loadavg.txt"
} >>"$MACHINE"
cleanup

echo "negotiated in the measured TLS runs (server: protocol cipher, from results.csv):" >>"$MACHINE"
awk -F, 'NR > 1 && $1 == "tls" && $13 != "" { seen[$5 ": " $13 " " $14]++ } END { for (k in seen) print "  " k }' "$CSV" | sort >>"$MACHINE"

echo "== summary (t+${SECONDS}s)"
summarize "$CSV" "$RUN"
elapsed=$SECONDS
echo "wall time:       $((elapsed / 60)) min $((elapsed % 60)) s in all: tools and build $BUILD_SECONDS s, start/probe/warm-up $((MEASURE_START - BUILD_SECONDS)) s, $total runs $MEASURE_SECONDS s ($(awk -v t="$MEASURE_SECONDS" -v n="$total" 'BEGIN { printf "%.2f", t / n }') s each), summary $((elapsed - MEASURE_START - MEASURE_SECONDS)) s" | tee -a "$MACHINE"
echo "== done: $RUN (results.md, results.csv, machine.txt, req-per-s.png, mean-request-time.png)"
