"""Start gunicorn on a free loopback port for a benchmark, and stop it afterwards."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
_TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    port: int
    pid: int  # the gunicorn master

    def cpu_seconds(self) -> float:
        """User + system CPU of the master and its workers so far (from /proc)."""
        return sum(process_cpu(p) for p in [self.pid, *children(self.pid)])


def children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # field 4 (ppid), counted after the command name
            out.append(int(entry))
    return out


def process_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime (fields 14, 15)


@contextmanager
def serve(env: dict[str, str], *extra: str, app: str = "wsgi:app", workers: int = 2,
          threads: int = 2) -> Iterator[Server]:
    """Serve `app` with gunicorn (`workers` x `threads`) on a free port until the block ends."""
    port = free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--threads", str(threads), "--log-level", "warning", *extra, app],
        cwd=ROOT, env=env, start_new_session=True,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise SystemExit("gunicorn did not start")
                time.sleep(0.2)
        yield Server(port, server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


@contextmanager
def gunicorn(env: dict[str, str], *extra: str, threads: int = 2) -> Iterator[int]:
    """Serve wsgi:app with 2 workers on a free port (yielded) until the block ends."""
    with serve(env, *extra, threads=threads) as server:
        yield server.port
