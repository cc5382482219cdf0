"""Settings from the environment. SQLite in instance/ by default; DATABASE_URL selects PostgreSQL."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
    INSTANCE_DIR = Path(os.environ.get("CHUMCHON_INSTANCE", ROOT / "instance"))
    DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'chumchon.db'}"
    # Largest request we accept: a workbook or a submission with its photos.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 40 * 1024 * 1024))
    # Largest workbook a user may publish (checked before pyxform sees it).
    MAX_WORKBOOK_BYTES = int(os.environ.get("MAX_WORKBOOK_BYTES", 10 * 1024 * 1024))
    # Largest single attachment in a submission.
    MAX_ATTACHMENT_BYTES = int(os.environ.get("MAX_ATTACHMENT_BYTES", 15 * 1024 * 1024))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    QUESTIONNAIRES_DIR = ROOT / "app" / "questionnaires"
    TESTING = False
