"""A real OpenID Connect provider for the tests: the npm package `oidc-provider`
(tests/oidc/provider.mjs), run by Node on 127.0.0.1.

Its packages are installed with `npm ci` from the committed lock file into a cache folder
(MARKETPLACE_NODE_CACHE, default ~/.cache/marketplace-tests/oidc-<lock hash>) the first time,
so a clean clone works and later runs start at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

SOURCE = Path(__file__).parent / "oidc"
FILES = ("package.json", "package-lock.json", "provider.mjs")


def _installed() -> Path:
    digest = hashlib.sha256(b"".join((SOURCE / name).read_bytes() for name in FILES)).hexdigest()[
        :16
    ]
    base = Path(
        os.environ.get("MARKETPLACE_NODE_CACHE", Path.home() / ".cache" / "marketplace-tests")
    )
    target = base / f"oidc-{digest}"
    if (target / "node_modules" / "oidc-provider").is_dir():
        return target
    staging = base / f"oidc-{digest}.{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in FILES:
        shutil.copy(SOURCE / name, staging / name)
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=staging,
        check=True,
        timeout=300,
    )
    try:
        staging.rename(target)
    except OSError:  # another run installed it meanwhile
        shutil.rmtree(staging, ignore_errors=True)
    return target


@dataclass
class Provider:
    issuer: str
    client_id: str
    client_secret: str


@contextmanager
def oidc_provider(accounts: dict[str, dict[str, str]], redirect_uri: str) -> Iterator[Provider]:
    """Run the provider with these accounts ({subject: claims}) for one client."""
    folder = _installed()
    client_id, client_secret = "marketplace-test", "test-client-secret-" + "s" * 20
    env = {
        **os.environ,
        "PORT": "0",
        "CLIENT_ID": client_id,
        "CLIENT_SECRET": client_secret,
        "REDIRECT_URI": redirect_uri,
        "ACCOUNTS": json.dumps(accounts),
        "NODE_ENV": "test",
    }
    process = subprocess.Popen(
        ["node", str(folder / "provider.mjs")],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        issuer = ""
        assert process.stdout is not None
        for line in process.stdout:
            found = re.match(r"listening (\S+)", line)
            if found:
                issuer = found.group(1)
                break
        assert issuer, "the OIDC provider did not start"
        yield Provider(issuer, client_id, client_secret)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


async def sign_in_at_provider(
    browser: httpx.AsyncClient, authorize_url: str, subject: str, redirect_uri: str
) -> str:
    """Do what a person does at the e-ID broker: open the page, identify, and come back.
    Returns the URL the provider sends the browser back to (our callback with code and
    state)."""
    url = authorize_url
    for _ in range(12):
        if url.startswith(redirect_uri):
            return url
        response = await browser.get(url)
        if response.status_code in (302, 303):
            url = str(httpx.URL(url).join(response.headers["location"]))
            continue
        assert response.status_code == 200, response.text
        form = re.search(r'action="([^"]+)"', response.text)
        assert form, response.text
        posted = await browser.post(
            str(httpx.URL(url).join(form.group(1))), data={"login": subject}
        )
        assert posted.status_code in (302, 303), posted.text
        url = str(httpx.URL(url).join(posted.headers["location"]))
    raise AssertionError("the provider never sent the browser back")
