"""Password hashing with argon2id (argon2-cffi). Parameters come from the config so tests can use
cheap ones; every hash records its own parameters, so verification works whatever they were and
`needs_rehash` upgrades old hashes at the next sign-in."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context

MIN_LENGTH = 10
_hashers: dict[tuple, PasswordHasher] = {}


def _hasher() -> PasswordHasher:
    cfg = current_app.config if has_app_context() else {}
    key = (cfg.get("ARGON2_TIME_COST", 3), cfg.get("ARGON2_MEMORY_KIB", 65536), cfg.get("ARGON2_PARALLELISM", 4))
    if key not in _hashers:
        _hashers[key] = PasswordHasher(time_cost=key[0], memory_cost=key[1], parallelism=key[2])
    return _hashers[key]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


# A hash of nothing in particular: verified against when the username is unknown, so a wrong
# username takes as long as a wrong password (no user enumeration by timing).
_DUMMY: dict[tuple, str] = {}


def burn_time(password: str) -> None:
    h = _hasher()
    key = (h.time_cost, h.memory_cost, h.parallelism)
    if key not in _DUMMY:
        _DUMMY[key] = h.hash("not a real password")
    verify_password(_DUMMY[key], password)


def password_problem(password: str) -> tuple[str, str] | None:
    """Why a new password is refused (Thai, English), or None."""
    if len(password or "") < MIN_LENGTH:
        return (f"รหัสผ่านต้องยาวอย่างน้อย {MIN_LENGTH} ตัวอักษร",
                f"The password must be at least {MIN_LENGTH} characters long.")
    if len(password) > 256:
        return "รหัสผ่านยาวเกินไป", "The password is too long."
    return None
