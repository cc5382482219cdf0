"""The secret key when SECRET_KEY is not set: made once per instance folder, random, readable by
its owner only, shared by every worker process (the first one to start writes it; the others read
that one: written to a temporary file and hard-linked into place, so nobody reads half a key)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

FILENAME = "secret_key"
MIN_LENGTH = 32


def instance_secret(instance_dir: Path) -> str:
    path = Path(instance_dir) / FILENAME
    existing = _read(path)
    if existing:
        return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{FILENAME}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
    finally:
        tmp.unlink(missing_ok=True)
    key = _read(path)
    if not key:
        raise RuntimeError(f"could not read the secret key in {path}")
    return key


def _read(path: Path) -> str | None:
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    if len(key) < MIN_LENGTH:
        raise RuntimeError(f"{path} holds no usable secret key (delete it to have a new one made)")
    return key
