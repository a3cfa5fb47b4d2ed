#!/usr/bin/env bash
# Installs the npm packages of the @ai-sdk/mcp client check (package-lock.json, exactly), unless they already are.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
