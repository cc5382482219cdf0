"""Settings from the environment. SQLite in instance/ by default; DATABASE_URL selects PostgreSQL."""
import os
from datetime import timedelta
from pathlib import Path

from app.auth.masking import DEFAULT_PATTERN as NATIONAL_ID_DEFAULT_PATTERN

ROOT = Path(__file__).resolve().parent.parent


class Config:
    # Signs sessions and CSRF tokens. Unset: a random key made once and kept in the instance folder
    # (instance_secret.py), never a default everyone knows.
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    INSTANCE_DIR = Path(os.environ.get("CHUMCHON_INSTANCE", ROOT / "instance"))
    DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'chumchon.db'}"
    # Largest request we accept: a workbook or a submission with its photos.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 40 * 1024 * 1024))
    # Largest workbook a user may publish (checked before pyxform sees it).
    MAX_WORKBOOK_BYTES = int(os.environ.get("MAX_WORKBOOK_BYTES", 10 * 1024 * 1024))
    # Largest submission XML (the xml_submission_file part): far above any form's answers.
    MAX_SUBMISSION_XML_BYTES = int(os.environ.get("MAX_SUBMISSION_XML_BYTES", 10 * 1024 * 1024))
    # Largest single attachment in a submission.
    MAX_ATTACHMENT_BYTES = int(os.environ.get("MAX_ATTACHMENT_BYTES", 15 * 1024 * 1024))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Secure cookies (sent over HTTPS only) unless SESSION_COOKIE_SECURE=0: production must run
    # behind TLS; `make run` on http://127.0.0.1 and the tests turn it off.
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1").strip().lower() not in ("0", "false", "no")
    SESSION_COOKIE_NAME = "chumchon_session"
    # How many reverse proxies (TLS terminators) stand in front of the app. With N > 0 the client's
    # address and scheme are taken from the last N X-Forwarded-For/-Proto entries (werkzeug ProxyFix):
    # the audit log and the per-address sign-in limit (app/auth/throttle.py) need the real address,
    # or every user would share the proxy's. 0 (default): no proxy, headers ignored (cannot be spoofed).
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", 0))
    # Signed in for 30 days, refreshed on every request: a tablet that goes offline keeps working.
    PERMANENT_SESSION_LIFETIME = timedelta(days=int(os.environ.get("SESSION_DAYS", 30)))
    SESSION_REFRESH_EACH_REQUEST = True
    # argon2id parameters for new password hashes (argon2-cffi's defaults: 3 passes, 64 MiB, 4 lanes).
    ARGON2_TIME_COST = int(os.environ.get("ARGON2_TIME_COST", 3))
    ARGON2_MEMORY_KIB = int(os.environ.get("ARGON2_MEMORY_KIB", 65536))
    ARGON2_PARALLELISM = int(os.environ.get("ARGON2_PARALLELISM", 4))
    # Questions whose answers are national ID numbers, masked for most roles (app/auth/masking.py).
    NATIONAL_ID_NAME_PATTERN = os.environ.get("NATIONAL_ID_NAME_PATTERN", NATIONAL_ID_DEFAULT_PATTERN)
    QUESTIONNAIRES_DIR = ROOT / "app" / "questionnaires"
    # Pages and JSON: brotli 5 first (flask-compress >= 1.15 would pick zstd 3: the fill page of the
    # assessment is 17.4 KB that way, 14.0 KB in brotli 5, ~10 ms to compress; benchmarks/page_weight.py).
    COMPRESS_ALGORITHM = ["br", "gzip", "deflate"]
    COMPRESS_BR_LEVEL = 5
    # Exports of more submissions than this are prepared in the background with a progress page
    # (app/reports/jobs.py); smaller ones are built while the browser waits.
    EXPORT_INLINE_ROWS = int(os.environ.get("EXPORT_INLINE_ROWS", 2000))
    TESTING = False
