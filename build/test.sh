#!/usr/bin/env bash
# Runs every test of the repository and ends with one line: "N passed, N failed" (", N skipped" when tests were skipped).
# Any extra arguments go to dotnet test.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# What the tests need from outside .NET. Each is installed once, when missing, and this script says so first:
# - redis-server (Debian): the Redis tests (the token cache's second level, DPoP replay across instances) start their
#   own on a free port;
# - chromium (Debian) and playwright-core (npm, test/browser): the browser tests of the authorize page and of the
#   documentation site, which this script builds first (build/docs.sh: about 15 s; a broken link fails it);
# - the MCP clients of the client tests (npm, test/clients/*, see Clients/ in the tests): the official TypeScript MCP SDK
#   v1 (typescript), the official TypeScript MCP client 2.4.0 (typescript-dpop), mcp-remote (mcp-remote) and Vercel's
#   @ai-sdk/mcp (ai-sdk).
# Without them those tests fail (never skip) and say what is missing.
can_apt=false
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  can_apt=true
fi
apt_updated=false
install_debian() { # package, why
  if $can_apt; then
    echo "Installing $1 from Debian's packages: $2."
    if ! $apt_updated; then apt-get update -qq && apt_updated=true; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null || echo "Could not install $1: $2 will fail."
  else
    echo "Missing $1, needed by $2; not installing it (this needs root and apt-get). Those tests will fail."
    echo "  Install it by hand: 'sudo apt-get install $1' on Debian/Ubuntu, 'brew install $3' on macOS."
  fi
}

if ! command -v redis-server >/dev/null 2>&1; then
  install_debian redis-server "the Redis tests (TokenCache/RedisSecondLevelCacheTests, Authentication/DPoP/DPoPReplayAcrossInstancesTests)" redis
fi
if [ ! -x /usr/bin/chromium ]; then
  install_debian chromium "the browser tests (Browser/AuthorizePageBrowserTests, Docs/DocsSiteBrowserTests)" "--cask chromium"
fi
if command -v npm >/dev/null 2>&1; then
  echo "Installing the npm packages of test/browser and of each client in test/clients when missing (npm ci, from package-lock.json)."
  ./test/browser/install.sh || echo "test/browser/install.sh failed: the browser tests will fail."
  for client in typescript typescript-dpop mcp-remote ai-sdk; do
    ./test/clients/$client/install.sh || echo "test/clients/$client/install.sh failed: the tests of that client will fail."
  done
else
  echo "Missing npm (Node.js): the browser tests and the TypeScript client tests will fail."
  echo "  Install Node.js 20 or later, then run test/browser/install.sh and test/clients/*/install.sh."
fi

# The documentation site, which Docs/DocsSiteBrowserTests opens. When it fails (a broken link or cross-reference, a page
# in no table of contents), it leaves no site: those tests fail too, and so does this script.
docs_status=0
./build/docs.sh || docs_status=$?

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

dotnet test Descope.Mcp.AspNetCore.sln --logger "trx" --results-directory "$results" "$@"
status=$?

if [ "$docs_status" -ne 0 ]; then
  echo "build/docs.sh failed (see its messages before the tests): no documentation site."
fi
python3 build/count-results.py "$results"
counted=$?
if [ "$status" -ne 0 ]; then
  exit "$status"
fi
if [ "$docs_status" -ne 0 ]; then
  exit "$docs_status"
fi
exit "$counted"
