"""A real gunicorn serving the app on the test database, for tests about what only several processes
or servers show (worker timeouts, two app servers sharing one database)."""
from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, instance_dir: Path, *args: str, **env: str) -> Iterator[int]:
    """Serve wsgi:app with gunicorn (`args` are its options) on a free port, yielded, until the block ends."""
    port = free_port()
    environ = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="test-servers-secret", SESSION_COOKIE_SECURE="0",
                   CHUMCHON_INSTANCE=str(instance_dir), ARGON2_TIME_COST="1", ARGON2_MEMORY_KIB="8",
                   ARGON2_PARALLELISM="1", **env)
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}",
                               "--log-level", "warning", *args, "wsgi:app"],
                              cwd=ROOT, env=environ, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


class Browser:
    """Just enough of a browser: cookies kept, CSRF token from the sign-in page."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.jar: dict[str, str] = {}

    def get(self, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
        return self.request("GET", path, headers=headers)

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        self.conn.request(method, path, body=body, headers=headers)
        resp = self.conn.getresponse()
        for header in resp.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            self.jar.update({k: m.value for k, m in cookie.items()})
        return resp

    def sign_in(self, username: str, password: str) -> None:
        html = self.get("/signin").read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        resp = self.request("POST", "/signin", urlencode({"username": username, "password": password,
                                                          "csrf_token": token}),
                            {"Content-Type": "application/x-www-form-urlencoded"})
        resp.read()
        assert resp.status == 303
