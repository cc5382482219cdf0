"""OpenRosa response encodings (the `formats/` of this app): messages, form list, manifest."""
from __future__ import annotations

from datetime import datetime, timezone
from xml.sax.saxutils import escape

from flask import Response

OPENROSA_NS = "http://openrosa.org/http/response"


def openrosa_headers() -> dict[str, str]:
    return {
        "X-OpenRosa-Version": "1.0",
        "X-OpenRosa-Accept-Content-Length": str(40 * 1024 * 1024),
        "Date": datetime.now(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT"),
    }


def openrosa_message(text: str, status: int, nature: str = "") -> Response:
    nature_attr = f' nature="{escape(nature)}"' if nature else ""
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<OpenRosaResponse xmlns="{OPENROSA_NS}">'
        f"<message{nature_attr}>{escape(text)}</message></OpenRosaResponse>"
    )
    return Response(body, status=status, content_type="text/xml; charset=utf-8", headers=openrosa_headers())
