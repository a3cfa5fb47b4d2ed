#!/usr/bin/env bash
# Installs what the browser test needs, quietly and only when missing: Debian's Chromium (/usr/bin/chromium) and
# playwright-core (npm ci in test/browser). Playwright downloads no browser of its own; it drives this one.
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is missing at /usr/bin/chromium and cannot be installed here (needs root and apt-get): the browser test will fail." >&2
  fi
fi

if [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
