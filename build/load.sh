#!/usr/bin/env bash
# Whole-server throughput, side by side in one run: the same stateless MCP server with no auth, with the hand-wired
# JwtBearer + SDK AddMcp setup, and with Descope.Mcp.AspNetCore. The server is pinned to core 0 and wrk to core 1.
# Needs wrk (apt-get install wrk). Usage: build/load.sh [seconds per run, default 20] [connections, default 32]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20}
connections=${2:-32}
project=test/Descope.Mcp.AspNetCore.LoadServer
dotnet build -c Release "$project" -nologo -v quiet >/dev/null
server="$project/bin/Release/net10.0/Descope.Mcp.AspNetCore.LoadServer.dll"
token_file=$(mktemp)
port=5310

for mode in ${MODES:-none jwtbearer descope}; do
  rm -f "$token_file"
  taskset -c 0 dotnet "$server" "$mode" "$port" "$token_file" >/dev/null &
  pid=$!
  trap 'kill "$pid" 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do [ -s "$token_file" ] && break; sleep 0.1; done
  export TOKEN
  TOKEN=$([ "$mode" = none ] && echo "" || cat "$token_file")
  taskset -c 1 wrk -t1 -c"$connections" -d5s -s "$project/post.lua" "http://127.0.0.1:$port/mcp" >/dev/null   # warm-up
  printf '%-20s ' "$mode"
  taskset -c 1 wrk -t1 -c"$connections" -d"${duration}s" -s "$project/post.lua" "http://127.0.0.1:$port/mcp" | tail -n 1
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
rm -f "$token_file"
