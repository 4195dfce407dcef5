"""Audit the installed environment with pip-audit, and say plainly what was and was not checked.

Fails (exit 1) when a dependency has a known vulnerability that is not in IGNORED below.
pip-audit reads advisories from PyPI's per-release JSON API (/pypi/NAME/VERSION/json). Where
that cannot be reached (a network that only passes the package index), pip-audit marks every
package as skipped and still says "No known vulnerabilities found". For each package it
skipped, this script then asks PyPI's per-project JSON (/pypi/NAME/json), whose advisories
are those of the latest release: when the installed version is that release, the package is
audited that way. Packages audited by neither are listed as NOT AUDITED; the script exits 0
for them (the run cannot prove anything either way), or 1 with AUDIT_REQUIRED=1.

Run: .venv/bin/python scripts/audit_deps.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path
from typing import Any

# Advisories accepted on purpose: ID -> the reason. Keep in step with docs/reliability.md.
IGNORED: dict[str, str] = {}


PYPI_PROJECT = "https://pypi.org/pypi/{name}/json"


def latest_release_advisories(dep: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Advisories for an installed package from PyPI's per-project JSON, or None when that
    cannot tell (PyPI unreachable, or the installed version is not the latest release)."""
    url = PYPI_PROJECT.format(name=dep["name"])
    try:
        with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 - fixed https URL
            data = json.load(response)
    except Exception:  # unreachable or not JSON: not audited, reported below
        return None
    if data.get("info", {}).get("version") != dep["version"]:
        return None
    return [
        {"id": v.get("id", "?"), "fix_versions": v.get("fixed_in") or []}
        for v in data.get("vulnerabilities") or []
        if not v.get("withdrawn") and v.get("id") not in IGNORED
    ]


def main() -> int:
    pip_audit = Path(sys.executable).with_name("pip-audit")
    command = [
        str(pip_audit),
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--skip-editable",  # the project itself is not on PyPI
        "--timeout",
        "30",
    ]
    for vuln_id in IGNORED:
        command += ["--ignore-vuln", vuln_id]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - our own fixed command
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(f"pip-audit did not run: {result.stderr.strip()[-500:]}", file=sys.stderr)
        return 1
    # The project itself (installed editable) is not on PyPI.
    deps = [d for d in report.get("dependencies", []) if d.get("name") != "marketplace"]
    for dep in deps:
        # pip-audit leaves the version out of a skipped package; this interpreter is the
        # audited environment's own, so ask it.
        if "version" not in dep:
            try:
                dep["version"] = metadata.version(dep["name"])
            except metadata.PackageNotFoundError:
                dep["version"] = "?"
    by_pip_audit = [d for d in deps if not d.get("skip_reason")]
    skipped = [d for d in deps if d.get("skip_reason")]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(latest_release_advisories, skipped))
    by_latest: list[dict[str, Any]] = []
    not_audited: list[dict[str, Any]] = []
    for dep, vulns in zip(skipped, answers, strict=True):
        if vulns is None:
            not_audited.append(dep)
        else:
            by_latest.append({**dep, "vulns": vulns})
    audited = by_pip_audit + by_latest
    vulnerable = [d for d in audited if d.get("vulns")]
    print(
        f"dependency audit: {len(deps)} installed packages; {len(by_pip_audit)} audited by "
        f"pip-audit, {len(by_latest)} through PyPI's advisories for their (latest) release, "
        f"{len(not_audited)} not audited; {len(vulnerable)} with known vulnerabilities; "
        f"{len(IGNORED)} advisories ignored on purpose."
    )
    for vuln_id, reason in IGNORED.items():
        print(f"  ignored {vuln_id}: {reason}")
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            print(f"  VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
    if vulnerable:
        return 1
    if not_audited:
        names = ", ".join(f"{d['name']} {d['version']}" for d in not_audited)
        print(
            f"NOT AUDITED ({len(not_audited)}): {names}. PyPI's per-release advisories could "
            "not be reached and these are not the latest release. Run this where PyPI answers.",
            file=sys.stderr,
        )
        return 1 if os.environ.get("AUDIT_REQUIRED") == "1" else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
