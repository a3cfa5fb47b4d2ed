#!/usr/bin/env python3
"""Checks the packages in a folder the way a package feed and a debugger will read them: each library .nupkg has its README,
the MIT license, the project and repository URLs and release notes; its .snupkg holds the portable PDB, and the PDB
carries SourceLink to the repository on GitHub; the template package holds the descope-mcp template. Prints one line
per package and exits 1 on any problem."""
import glob, re, sys, zipfile
import xml.etree.ElementTree as ET

folder = sys.argv[1]
repository = "https://github.com/descope/descope-mcp-aspnetcore"
problems = []


def nuspec(package):
    name = next(n for n in package.namelist() if n.endswith(".nuspec"))
    root = ET.fromstring(package.read(name))
    metadata = next(e for e in root if e.tag.endswith("metadata"))
    return {re.sub(r"^\{.*\}", "", e.tag): e for e in metadata}


def check(condition, package, what):
    if not condition:
        problems.append(f"{package}: {what}")
    return condition


packages = sorted(p for p in glob.glob(f"{folder}/*.nupkg"))
check(any("Descope.Mcp.Templates." in p for p in packages), folder, "no Descope.Mcp.Templates package")
for path in packages:
    name = path.rsplit("/", 1)[-1]
    with zipfile.ZipFile(path) as package:
        meta = nuspec(package)
        files = package.namelist()
        readme = meta.get("readme")
        check(readme is not None and readme.text in files, name, "no package README")
        license = meta.get("license")
        check(license is not None and license.text == "MIT", name, "license is not the MIT expression")
        check(meta.get("projectUrl") is not None and meta["projectUrl"].text == repository, name, "no project URL")
        check(meta.get("releaseNotes") is not None and "CHANGELOG.md" in meta["releaseNotes"].text, name, "release notes do not point at CHANGELOG.md")
        repo = meta.get("repository")
        check(repo is not None and repo.get("url") == repository and len(repo.get("commit", "")) == 40, name, "no repository URL and commit")
        if "Templates" in name:
            check("content/descope-mcp/.template.config/template.json" in files, name, "no descope-mcp template")
            check(not any("{{version:" in package.read(f).decode("utf-8", "replace") for f in files if f.startswith("content/")), name, "unfilled {{version:...}} in the template")
            print(f"{name}: README, MIT license, URLs, template")
            continue
        dlls = [f for f in files if f.startswith("lib/") and f.endswith(".dll")]
        check(dlls and all(f[:-4] + ".xml" in files for f in dlls), name, "no XML documentation next to the assembly")
        symbols = path[:-len(".nupkg")] + ".snupkg"
        try:
            with zipfile.ZipFile(symbols) as snupkg:
                pdbs = [f for f in snupkg.namelist() if f.endswith(".pdb")]
                check(len(pdbs) == len(dlls) > 0, name, "the .snupkg does not hold one PDB per assembly")
                for pdb in pdbs:
                    data = snupkg.read(pdb)
                    check(data[:4] == b"BSJB", name, f"{pdb} is not a portable PDB")
                    check(re.search(rb'\{"documents":\{"[^"]*":"https://raw\.githubusercontent\.com/descope/descope-mcp-aspnetcore/[0-9a-f]{40}/\*"', data) is not None,
                          name, f"{pdb} has no SourceLink to {repository}")
        except FileNotFoundError:
            check(False, name, "no .snupkg")
        print(f"{name}: README, MIT license, URLs, XML docs, portable PDB with SourceLink in the .snupkg")

for problem in problems:
    print("PACKAGE PROBLEM: " + problem)
sys.exit(1 if problems else 0)
