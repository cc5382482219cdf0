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


XFORMS_LIST_NS = "http://openrosa.org/xforms/xformsList"
MANIFEST_NS = "http://openrosa.org/xforms/xformsManifest"


def _xml_response(body: str, status: int = 200) -> Response:
    return Response(body, status=status, content_type="text/xml; charset=utf-8", headers=openrosa_headers())


def form_list(entries: list[dict]) -> Response:
    """OpenRosa Form List API document. Each entry: formID, name, version, hash ("md5:..."),
    downloadUrl and optionally descriptionText, manifestUrl."""
    order = ("formID", "name", "version", "hash", "descriptionText", "downloadUrl", "manifestUrl")
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<xforms xmlns="{XFORMS_LIST_NS}">']
    for entry in entries:
        parts.append("<xform>")
        for key in order:
            value = entry.get(key)
            if value is not None:
                parts.append(f"<{key}>{escape(str(value))}</{key}>")
        parts.append("</xform>")
    parts.append("</xforms>")
    return _xml_response("".join(parts))


def manifest(files: list[dict]) -> Response:
    """OpenRosa manifest: each file has filename, hash ("md5:...") and downloadUrl."""
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<manifest xmlns="{MANIFEST_NS}">']
    for f in files:
        parts.append(
            f"<mediaFile><filename>{escape(f['filename'])}</filename><hash>{escape(f['hash'])}</hash>"
            f"<downloadUrl>{escape(f['downloadUrl'])}</downloadUrl></mediaFile>"
        )
    parts.append("</manifest>")
    return _xml_response("".join(parts))
