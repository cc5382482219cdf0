"""Built front-end assets (app/static/dist) served pre-compressed.

build.mjs writes `X.br` (brotli, quality 11) and `X.gz` (gzip -9) beside every JS/CSS/HTML file it
builds. The static view sends the smallest one the browser accepts, with `Content-Encoding`, so
assets cost no CPU per request and compress far better than on-the-fly streaming compression
(flask-compress compresses streamed files chunk by chunk: app.js 31 KB instead of 25 KB). Anything
else (HTML pages, JSON) is compressed by flask-compress. A compressed copy older than its source is
ignored (a build that did not write them).
"""
from __future__ import annotations

import mimetypes
from pathlib import Path

from flask import Flask, request, send_file

ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


def init_app(app: Flask) -> None:
    static_view = app.view_functions.get("static")
    if static_view is None:
        return
    root = Path(app.static_folder)

    def static(filename: str):
        if filename.startswith("dist/") and request.method in ("GET", "HEAD"):
            source = root / filename
            try:
                inside = source.resolve().is_relative_to(root.resolve()) and source.is_file()
            except OSError:
                inside = False
            if inside:
                for encoding, suffix in ENCODINGS:
                    packed = source.with_name(source.name + suffix)
                    if request.accept_encodings[encoding] and packed.is_file() \
                            and packed.stat().st_mtime >= source.stat().st_mtime:
                        response = send_file(packed, mimetype=mimetypes.guess_type(source.name)[0],
                                             conditional=True, etag=True, max_age=None)
                        response.headers["Content-Encoding"] = encoding
                        response.headers["Vary"] = "Accept-Encoding"
                        return response
        return static_view(filename=filename)

    app.view_functions["static"] = static
