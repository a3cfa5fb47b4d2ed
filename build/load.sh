#!/usr/bin/env bash
# Whole-server throughput, side by side in one run: the same stateless MCP server (a trivial `echo` tool) with no auth,
# with the hand-wired JwtBearer + SDK AddMcp setup, and with Descope.Mcp.AspNetCore, on both protocol generations
# (2025-11-25: method only in the body; 2026-07-28: Mcp-Method/Mcp-Name headers). The server is pinned to core 0 and
# wrk to core 1. Each server is warmed up, then measured in rounds; the table shows the median round and the ratio to
# no auth on the same protocol.
# Needs wrk (apt-get install wrk).
# Usage: build/load.sh [round seconds, default 6] [connections, default 32]
# Environment: MODES (default "none jwtbearer descope-authn-only descope"), PROTOCOLS (default "2025-11-25 2026-07-28"),
#              ROUNDS (default 5), WARMUP (seconds per server and protocol, default 20), LOAD_SERVER_ARGS (extra
#              arguments for the server, e.g. "--tracing").
set -euo pipefail
cd "$(dirname "$0")/.."
round=${1:-6}
connections=${2:-32}
modes=${MODES:-none jwtbearer descope-authn-only descope}
protocols=${PROTOCOLS:-2025-11-25 2026-07-28}
rounds=${ROUNDS:-5}
warmup=${WARMUP:-20}
project=test/Descope.Mcp.AspNetCore.LoadServer
export LOAD_DIR="$PWD/$project"
dotnet build -c Release "$project" -nologo -v quiet >/dev/null
server="$project/bin/Release/net10.0/Descope.Mcp.AspNetCore.LoadServer.dll"
work=$(mktemp -d)
port=5310
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

for mode in $modes; do
  rm -f "$work/token"
  # shellcheck disable=SC2086
  taskset -c 0 dotnet "$server" "$mode" "$port" "$work/token" ${LOAD_SERVER_ARGS:-} >/dev/null &
  pid=$!
  for _ in $(seq 1 100); do [ -s "$work/token" ] && break; sleep 0.1; done
  export TOKEN
  TOKEN=$([ "$mode" = none ] && echo "" || cat "$work/token")
  for protocol in $protocols; do
    script="$project/post-$protocol.lua"
    taskset -c 1 wrk -t1 -c"$connections" -d"${warmup}s" -s "$script" "http://127.0.0.1:$port/mcp" >/dev/null
    for r in $(seq 1 "$rounds"); do
      printf '%s %s %s ' "$mode" "$protocol" "$r" >> "$work/rounds"
      taskset -c 1 wrk -t1 -c"$connections" -d"${round}s" -s "$script" "http://127.0.0.1:$port/mcp" | tail -n 1 >> "$work/rounds"
    done
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  pid=
done

python3 - "$work/rounds" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    mode, protocol, _, rest = line.split(" ", 3)
    fields = dict(re.findall(r"(\w+)=(\d+)", rest))
    runs.setdefault((mode, protocol), []).append({k: int(v) for k, v in fields.items()})
print(f"{'server':20s} {'protocol':11s} {'req/s':>8s} {'vs none':>8s} {'p50 ms':>7s} {'p99 ms':>7s} {'errors':>6s}")
for (mode, protocol), rows in runs.items():
    rps = statistics.median(r["rps"] for r in rows)
    base = runs.get(("none", protocol))
    ratio = f"{rps / statistics.median(r['rps'] for r in base):.2f}x" if base else "-"
    p50 = statistics.median(r["p50_us"] for r in rows) / 1000
    p99 = statistics.median(r["p99_us"] for r in rows) / 1000
    errors = sum(r["errors"] for r in rows)
    print(f"{mode:20s} {protocol:11s} {rps:8.0f} {ratio:>8s} {p50:7.1f} {p99:7.1f} {errors:6d}")
PY
