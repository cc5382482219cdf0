"""Attachments inside an exported "unsent" file: good ones are decoded, damaged ones are left out
(never stored empty under their real name, which would block the good copy later)."""
from __future__ import annotations

import base64

from app.forms.unsent import _files_of


def test_good_attachments_are_decoded_and_damaged_ones_left_out():
    photo = b"\xff\xd8\xff photo bytes"
    item = {"attachments": [
        {"name": "photo.jpg", "type": "image/jpeg", "base64": base64.b64encode(photo).decode()},
        {"name": "broken.jpg", "type": "image/jpeg", "base64": "@@not base64@@"},
        {"type": "image/jpeg", "base64": ""},  # no name: nothing to file it under
    ]}
    assert _files_of(item) == {"photo.jpg": (photo, "image/jpeg")}
