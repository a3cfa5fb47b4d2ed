#!/usr/bin/env bash
# Builds the documentation site into artifacts/docs (index.html at its root) with DocFX, the docfx tool of the
# repository's tool manifest (.config/dotnet-tools.json), as docfx.json says:
# - the API reference, from the XML docs of src/Descope.Mcp.AspNetCore and src/Descope.Mcp.AspNetCore.Testing
#   ("docfx metadata" writes it to docs/api/*.yml, which git ignores);
# - every Markdown page of docs/ (docs/index.md is the home page), README.md, CHANGELOG.md and the packages' READMEs.
# Fails, and leaves no site, on any DocFX warning: a link to a missing file or heading, an unresolved cross-reference
# (<xref:...>), a bad table of contents; and on a page of docs/ that no toc.yml of docs/ lists. Needs no network once
# the tool and the projects' packages are restored: the site's scripts, styles, fonts and Mermaid come with DocFX's
# modern template. Browse it over HTTP (its scripts are ES modules), for example:
#   python3 -m http.server -d artifacts/docs -b 127.0.0.1 8080
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

site=artifacts/docs
fail() {
  rm -rf "$site"
  echo "build/docs.sh: $1; no site was written." >&2
  exit 1
}

rm -rf "$site" docs/api/*.yml docs/api/.manifest
dotnet tool restore >/dev/null || fail "dotnet tool restore failed"

# Every page of docs/ must be reachable from the navigation: listed by docs/toc.yml or by a toc.yml it links to.
python3 - <<'EOF' || fail "a page of docs/ is in no table of contents"
import os, re, sys
tocs, pages = [], []
for folder, _, files in os.walk("docs"):
    tocs += [os.path.join(folder, f) for f in files if f == "toc.yml"]
    pages += [os.path.normpath(os.path.join(folder, f)) for f in files if f.endswith(".md")]
listed = set()
for toc in tocs:
    for href in re.findall(r"^\s*-?\s*(?:href|topicHref):\s*['\"]?([^'\"#\s]+)", open(toc, encoding="utf-8").read(), re.M):
        listed.add(os.path.normpath(os.path.join(os.path.dirname(toc), href)))
missing = sorted(p for p in pages if p not in listed)
for page in missing:
    print(f"{page}: listed by no toc.yml of docs/; add it where it belongs, e.g. to docs/guides/toc.yml:\n"
          f"- name: <its title>\n  href: ../{os.path.relpath(page, 'docs')}", file=sys.stderr)
sys.exit(1 if missing else 0)
EOF

start=$SECONDS
dotnet docfx metadata docfx.json --warningsAsErrors --logLevel warning \
  || fail "docfx metadata failed or warned (see above; warnings count as errors)"
dotnet docfx build docfx.json --warningsAsErrors --logLevel warning \
  || fail "docfx build failed or warned (see above: a broken link, bookmark or cross-reference; warnings count as errors)"
[ -f "$site/index.html" ] || fail "docfx wrote no $site/index.html"
echo "Documentation site: $site/index.html ($(find "$site" -name '*.html' | wc -l) pages, $((SECONDS - start)) s)"
