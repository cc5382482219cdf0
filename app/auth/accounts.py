"""Accounts: checking credentials with lock-out/back-off, creating and changing users.

Lock-out: after LOCK_AFTER consecutive failures the account is locked for 1 minute, doubling with
every further failure (2, 4, 8 … at most 24 hours). While locked even the right password is
refused. A success resets the count. The state lives on the user row (several stateless app
processes share it through the database). Failures and lock-outs are written to the audit log.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from app import db
from app.auth import audit
from app.auth.audit import Action
from app.auth.throttle import throttled_until
from app.auth.passwords import burn_time, hash_password, needs_rehash, password_problem, verify_password
from app.models import District, Province, Role, User, utcnow

LOCK_AFTER = 5
MAX_LOCK = timedelta(hours=24)

# ODK Collect sends HTTP Basic credentials with every request, and argon2 costs 50-100 ms each time.
# A successful check is remembered for a few minutes, per process, as an HMAC (with a key that never
# leaves this process) of the user's current password hash and the password: a changed password,
# a reset or a lock-out makes it miss, and no password is ever kept in memory.
BASIC_CACHE_SECONDS = 300
_BASIC_KEY = os.urandom(32)
_basic_ok: dict[bytes, float] = {}


def _basic_fingerprint(user: User, password: str) -> bytes:
    return hmac.new(_BASIC_KEY, f"{user.id}\0{user.password_hash}\0{password}".encode(), hashlib.sha256).digest()


def _basic_remembered(user: User, password: str) -> bool:
    expires = _basic_ok.get(_basic_fingerprint(user, password))
    return expires is not None and expires > time.monotonic()


def _basic_remember(user: User, password: str) -> None:
    if len(_basic_ok) > 10_000:
        _basic_ok.clear()
    _basic_ok[_basic_fingerprint(user, password)] = time.monotonic() + BASIC_CACHE_SECONDS


class AccountError(ValueError):
    def __init__(self, message_th: str, message_en: str):
        super().__init__(message_en)
        self.message_th, self.message_en = message_th, message_en


@dataclass
class CheckResult:
    user: User | None
    reason: str  # ok | unknown | bad_password | locked | inactive | throttled (locked_until: when to retry)
    locked_until: datetime | None = None


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def lock_duration(failures: int) -> timedelta:
    if failures < LOCK_AFTER:
        return timedelta(0)
    minutes = 2 ** min(failures - LOCK_AFTER, 11)  # 2**11 minutes > 24 h: capped below
    return min(timedelta(minutes=minutes), MAX_LOCK)


def find_user(username: str) -> User | None:
    name = (username or "").strip().lower()
    if not name or len(name) > 64:
        return None
    return db.session.scalar(select(User).where(func.lower(User.username) == name))


def _client_ip() -> str | None:
    from flask import has_request_context, request

    return (request.remote_addr or "")[:64] or None if has_request_context() else None


def check_credentials(username: str, password: str, *, via: str = "form") -> CheckResult:
    """Verify a username and password, applying lock-out; commits the counters and audit events."""
    user = find_user(username)
    now = utcnow()
    remembered = via == "basic" and user is not None and user.active and _basic_remembered(user, password or "")
    if not remembered:
        wait = throttled_until(_client_ip(), now)
        if wait is not None:  # too many failures from this address (throttle.py): no password is tried
            return CheckResult(user, "throttled", wait)
    if user is None:
        burn_time(password or "")
        audit.record(Action.SIGNIN_FAILED, "user", None, {"username": (username or "")[:64], "reason": "unknown",
                                                          "via": via}, actor=(username or "")[:64] or None)
        return CheckResult(None, "unknown")
    locked_until = _aware(user.locked_until)
    if locked_until is not None and locked_until > now:
        burn_time(password or "")
        audit.record(Action.SIGNIN_FAILED, "user", user.id, {"reason": "locked", "via": via}, actor=user)
        return CheckResult(user, "locked", locked_until)
    if not remembered and not verify_password(user.password_hash, password or ""):
        user.failed_logins = (user.failed_logins or 0) + 1
        lock = lock_duration(user.failed_logins)
        detail = {"reason": "bad_password", "failures": user.failed_logins, "via": via}
        audit.record(Action.SIGNIN_FAILED, "user", user.id, detail, actor=user, commit=False)
        if lock:
            user.locked_until = now + lock
            audit.record(Action.LOCKOUT, "user", user.id,
                         {"failures": user.failed_logins, "minutes": lock.total_seconds() / 60}, actor=user,
                         commit=False)
        db.session.commit()
        return CheckResult(user, "bad_password", user.locked_until if lock else None)
    if not user.active:
        audit.record(Action.SIGNIN_FAILED, "user", user.id, {"reason": "inactive", "via": via}, actor=user)
        return CheckResult(user, "inactive")
    changed = bool(user.failed_logins) or user.locked_until is not None or via == "form"
    user.failed_logins = 0
    user.locked_until = None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        changed = True
    if via == "form":
        user.last_login_at = now
    if via == "basic":
        _basic_remember(user, password or "")
    if changed:  # HTTP Basic sends credentials on every request: write only when something changed
        db.session.commit()
    return CheckResult(user, "ok")


# ------------------------------------------------------------------ districts


def resolve_district(value: str | int | None) -> District | None:
    """A district by DOPA code ("4201") or by its number in the (only / first) province ("1")."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    found = db.session.scalar(select(District).where(District.code == text))
    if found is None and db.database_id(text) is not None:
        found = db.session.scalar(select(District).where(District.district_no == db.database_id(text))
                                  .order_by(District.province_id).limit(1))
    if found is None:
        raise AccountError(f"ไม่พบอำเภอ '{text}'", f"No district '{text}'.")
    return found


def resolve_province(value: str | None) -> Province | None:
    if value in (None, ""):
        return None
    found = db.session.scalar(select(Province).where(Province.code == str(value).strip()))
    if found is None:
        raise AccountError(f"ไม่พบจังหวัด '{value}'", f"No province '{value}'.")
    return found


def _check_assignment(role: str, district: District | None, province: Province | None) -> tuple:
    if role not in Role.ALL:
        raise AccountError(f"บทบาท '{role}' ไม่ถูกต้อง", f"Unknown role '{role}'; use {', '.join(Role.ALL)}.")
    if role in (Role.DISTRICT, Role.OFFICER):
        if district is None:
            raise AccountError("ผู้ใช้ระดับอำเภอและพัฒนากรต้องระบุอำเภอ",
                               "District and officer accounts need a district.")
        return district, None
    if role == Role.PROVINCE:
        province = province or (district.province if district else None)
        if province is None:
            raise AccountError("ผู้ใช้ระดับจังหวัดต้องระบุจังหวัด", "Province accounts need a province.")
        return None, province
    return None, None  # admin: not tied to a place


def create_user(username: str, display_name: str, role: str, password: str, *,
                district: str | int | None = None, province: str | None = None, actor=None) -> User:  # noqa: ANN001
    username = (username or "").strip()
    if not username or len(username) > 64 or not all(c.isalnum() or c in "._-" for c in username):
        raise AccountError("ชื่อผู้ใช้ใช้ได้เฉพาะตัวอักษร ตัวเลข . _ - (ไม่เกิน 64 ตัว)",
                           "A username may only hold letters, digits, '.', '_' and '-' (at most 64).")
    if find_user(username) is not None:
        raise AccountError(f"มีชื่อผู้ใช้ '{username}' อยู่แล้ว", f"The username '{username}' is taken.")
    problem = password_problem(password)
    if problem:
        raise AccountError(*problem)
    d, p = _check_assignment(role, resolve_district(district), resolve_province(province))
    user = User(username=username, display_name=(display_name or username).strip()[:255], role=role,
                district=d, province=p, password_hash=hash_password(password), active=True,
                failed_logins=0, session_version=1)
    db.session.add(user)
    db.session.flush()
    audit.record(Action.USER_CREATE, "user", user.id,
                 {"username": username, "role": role, "district": d.code if d else None,
                  "province": p.code if p else None}, actor=actor, commit=False)
    db.session.commit()
    return user


def set_active(user: User, active: bool, *, actor=None) -> None:  # noqa: ANN001
    """Deactivate (sessions revoked; everything they submitted stays) or reactivate."""
    if user.active == active:
        return
    user.active = active
    user.session_version = (user.session_version or 1) + 1
    audit.record(Action.USER_REACTIVATE if active else Action.USER_DEACTIVATE, "user", user.id,
                 {"username": user.username}, actor=actor, commit=False)
    db.session.commit()


def reassign(user: User, role: str, district: str | int | None = None, province: str | None = None, *,
             actor=None) -> None:  # noqa: ANN001
    d, p = _check_assignment(role, resolve_district(district), resolve_province(province))
    before = {"role": user.role, "district": user.district.code if user.district else None,
              "province": user.province.code if user.province else None}
    after = {"role": role, "district": d.code if d else None, "province": p.code if p else None}
    if before == after:
        return
    user.role, user.district, user.province = role, d, p
    user.session_version = (user.session_version or 1) + 1  # access follows the role: re-sign-in
    audit.record(Action.USER_REASSIGN, "user", user.id, {"before": before, "after": after}, actor=actor,
                 commit=False)
    db.session.commit()


def reset_password(user: User, password: str, *, actor=None) -> None:  # noqa: ANN001
    problem = password_problem(password)
    if problem:
        raise AccountError(*problem)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.session_version = (user.session_version or 1) + 1
    audit.record(Action.USER_PASSWORD_RESET, "user", user.id, {"username": user.username}, actor=actor,
                 commit=False)
    db.session.commit()


def seed_districts(csv_path=None) -> tuple[int, int]:  # noqa: ANN001
    """Load provinces and districts from app/auth/districts_loei.csv (idempotent). Returns
    (provinces added, districts added)."""
    import csv
    from pathlib import Path

    path = Path(csv_path) if csv_path else Path(__file__).with_name("districts_loei.csv")
    added_p = added_d = 0
    # What is there already, in two queries (this runs before every test and at every `make run`).
    provinces = {p.code: p for p in db.session.scalars(select(Province))}
    districts = set(db.session.scalars(select(District.code)))
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            province = provinces.get(row["province_code"])
            if province is None:
                province = Province(code=row["province_code"], name_th=row["province_th"], name_en=row["province_en"])
                db.session.add(province)
                provinces[province.code] = province
                added_p += 1
            if row["district_code"] not in districts:
                db.session.add(District(code=row["district_code"], district_no=int(row["district_no"]),
                                        name_th=row["district_th"], name_en=row["district_en"], province=province))
                districts.add(row["district_code"])
                added_d += 1
    db.session.commit()
    return added_p, added_d
