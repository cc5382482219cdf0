"""THE register of home pages: where each role lands after signing in (when no `next` page was asked).

District offices land on their worklist, province offices on the province report; officers and
admins on the form list (an officer's offline work starts there; the worklist is one tap away)."""
from __future__ import annotations

from flask import url_for

from app.models import Role, User

HOME_PAGES: dict[str, str] = {
    Role.DISTRICT: "reports.district_home",
    Role.PROVINCE: "reports.province_report",
}
DEFAULT_HOME = "forms.index"


def home_url(user: User | None) -> str:
    return url_for(HOME_PAGES.get(getattr(user, "role", None) or "", DEFAULT_HOME))
