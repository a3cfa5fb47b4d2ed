#!/usr/bin/env bash
# Tests the packages the way a user consumes them: packs them for this machine (build/pack.sh, with a unique version,
# so no stale copy from the NuGet cache is used, and the template's nuget.config naming the local feed), checks their
# contents (build/check-packages.py), then, never through project references:
# - follows the documented template steps alone: installs the descope-mcp template, creates a server and runs its tests
#   with no nuget.config written by hand; runs the server in Development and lists its tools with the token of
#   GET /_descope/development/token; publishes it in Release and checks that Descope.Mcp.AspNetCore.Testing is not in it;
# - builds and tests the consumer server in test/PackageConsumer from a local feed.
# CLEAN_NUGET_CACHE=1 runs the template's steps on an empty package cache (NUGET_PACKAGES in a temporary folder), as on a
# new machine. Test results (TRX) go to artifacts/package-test-results.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

export VERSION_SUFFIX="${VERSION_SUFFIX:-local.$(date -u +%Y%m%d%H%M%S)}"
LOCAL_FEED=true ./build/pack.sh >/dev/null
packages="$PWD/artifacts/packages"
version=$(ls "$packages" | sed -n 's/^Descope\.Mcp\.AspNetCore\.\([0-9].*\)\.nupkg$/\1/p')
echo "Packed $version"
python3 build/check-packages.py "$packages"

results="$PWD/artifacts/package-test-results"
rm -rf "$results"
mkdir -p "$results"
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

status=0
fail() {
  echo "FAILED: $1" >&2
  status=1
}

# The template, installed from its package into a private template hive, and used as its README says: nothing else.
(
  if [ "${CLEAN_NUGET_CACHE:-}" = 1 ]; then
    export NUGET_PACKAGES="$work/nuget-packages"
    echo "The template's steps run on an empty package cache ($NUGET_PACKAGES)"
  fi
  hive="$work/template-hive"
  mkdir -p "$work/template"
  cd "$work/template"
  dotnet new install "$packages/Descope.Mcp.Templates.$version.nupkg" --debug:custom-hive "$hive" >/dev/null
  dotnet new descope-mcp -o MyServer --debug:custom-hive "$hive" >/dev/null
  echo "Testing a server made by 'dotnet new descope-mcp'"
  cd MyServer
  dotnet test --logger "trx;LogFilePrefix=template" --results-directory "$results"
) || fail "the tests of a server made by the template"

server="$work/template/MyServer"
if [ -d "$server/src/MyServer" ]; then
  # Run it offline as the README says, on a free port, and list its tools with the development token: the scoped tool
  # shows, since the default development user may be granted the scopes of the server's tools.
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  base="http://127.0.0.1:$port"
  # What `dotnet run --project src/MyServer` starts (Development, from the project folder), without the dotnet run
  # process in between, so that stopping it stops the server.
  (cd "$server/src/MyServer" && ASPNETCORE_ENVIRONMENT=Development exec dotnet bin/Debug/net10.0/MyServer.dll --urls "$base") >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 60); do
    curl -sf -o /dev/null "$base/.well-known/oauth-protected-resource/mcp" && break
    sleep 1
  done
  token=$(curl -sf "$base/_descope/development/token" || true)
  tools=$(curl -s "$base/mcp" -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
    -H "Accept: application/json, text/event-stream" -d '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}' || true)
  if [[ "$token" == eyJ* ]] && [[ "$tools" == *'"greet"'* ]]; then
    echo "The server runs offline, and its development token lists the greet tool"
  else
    fail "the server made by the template did not list greet with its development token; its log:"
    sed 's/eyJ[A-Za-z0-9._-]*/<token>/g' "$work/server.log" >&2
  fi
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""

  # A Release build references no test authority: neither the restore nor the published output holds it (the Debug
  # build, which runs offline, does).
  ls "$server/src/MyServer/bin/Debug/net10.0" | grep -q 'Descope\.Mcp\.AspNetCore\.Testing\.dll' \
    || fail "the Debug build of the server made by the template has no Descope.Mcp.AspNetCore.Testing for offline development"
  if dotnet publish "$server/src/MyServer" --configuration Release --output "$work/publish" -v:q -nologo >/dev/null; then
    if ls "$work/publish" | grep -qi 'Descope\.Mcp\.AspNetCore\.Testing' || grep -q '"Descope.Mcp.AspNetCore.Testing/' "$server/src/MyServer/obj/project.assets.json"; then
      fail "the Release build of the server made by the template references Descope.Mcp.AspNetCore.Testing"
    else
      echo "Its Release build references no Descope.Mcp.AspNetCore.Testing"
    fi
  else
    fail "dotnet publish of the server made by the template"
  fi
fi

# A consumer server of the repository's own, built from the packages through a local feed of its own.
# It builds with the repository's settings and package versions (.editorconfig, Directory.*), but outside the repository.
mkdir -p "$work/consumer"
cp -r test/PackageConsumer "$work/consumer/PackageConsumer"
cp .editorconfig Directory.Build.props Directory.Build.targets Directory.Packages.props "$work/consumer/"
cat >"$work/consumer/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="descope-local" value="$packages" />
  </packageSources>
</configuration>
XML
echo "Testing test/PackageConsumer against the packages"
dotnet test "$work/consumer/PackageConsumer/PackageConsumer.slnx" -p:DescopePackageVersion="$version" --logger "trx;LogFilePrefix=consumer" --results-directory "$results" || status=1

exit $status
