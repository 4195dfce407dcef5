"""A local SMS gateway speaking 46elks' documented HTTP API, for SMS tests.

`POST /a1/sms` with HTTP basic auth and the form fields `from`, `to` and `message`:
- wrong or missing credentials → 401 with a one-line reason;
- a `to` not in E.164 form, a `from` that is neither 3–11 letters/digits starting with a
  letter nor an E.164 number, or an empty message → 403 with a one-line reason (46elks answers
  a refused parameter this way);
- otherwise 200 with the JSON 46elks returns for a created message (`id`, `status`, `from`,
  `to`, `message`, `parts`, `direction`, `created`).

It keeps what it accepted, can answer 500 on demand, and can go down and up on its port.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import re
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from marketplace.kernel.settings import Settings, get_settings
from tests.mailutil import free_port

USER = "u0123456789abcdef"
PASSWORD = "hemligt-api-losenord"
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_SENDER = re.compile(r"[A-Za-z][A-Za-z0-9]{2,10}")


@dataclasses.dataclass
class Sms:
    id: str
    sender: str
    to: str
    message: str


class Gateway(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.received: list[Sms] = []
        self.fail_with = 0  # answer this status to every request when set (e.g. 500)


class _Handler(BaseHTTPRequestHandler):
    server: Gateway

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: str, content_type: str = "text/plain") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode()
        if self.path != "/a1/sms":
            return self._answer(404, "Not found")
        if self.server.fail_with:
            return self._answer(self.server.fail_with, "Internal error")
        expected = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if self.headers.get("Authorization") != f"Basic {expected}":
            return self._answer(401, "Authorization Required")
        form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        sender, to, message = form.get("from", ""), form.get("to", ""), form.get("message", "")
        if not _E164.fullmatch(to):
            return self._answer(403, "Invalid to number")
        if not (_SENDER.fullmatch(sender) or _E164.fullmatch(sender)):
            return self._answer(403, "Invalid from field")
        if not message:
            return self._answer(403, "Missing key message")
        sms = Sms("s" + secrets.token_hex(16), sender, to, message)
        self.server.received.append(sms)
        answer = {
            "status": "created",
            "direction": "outgoing",
            "from": sender,
            "to": to,
            "message": message,
            "parts": 1 + len(message) // 160,
            "created": dt.datetime.now(dt.UTC).isoformat(),
            "id": sms.id,
        }
        return self._answer(200, json.dumps(answer), "application/json")


class SmsGateway:
    """Start and stop the gateway on a fixed loopback port; `received` survives restarts."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[Sms] = []
        self.fail_with = 0
        self._server: Gateway | None = None

    def start(self) -> None:
        self._server = Gateway(self.port)
        self._server.received = self.received
        self._server.fail_with = self.fail_with
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def fail(self, status: int) -> None:
        self.fail_with = status
        if self._server is not None:
            self._server.fail_with = status

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings(self, **changes: Any) -> Settings:
        """The process's settings, pointed at this gateway."""
        values: dict[str, Any] = {
            "sms_url": self.url,
            "sms_user": USER,
            "sms_password": PASSWORD,
            "sms_from": "Vargarda",
        }
        return dataclasses.replace(get_settings(), **(values | changes))

    def to(self, number: str) -> list[Sms]:
        return [s for s in self.received if s.to == number]
