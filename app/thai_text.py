"""Thai line breaking: words a line must never break inside.

Browsers break Thai (written without spaces between words) at the boundaries of ICU's dictionary.
That dictionary lacks some loanwords and splits compounds into their parts, so a title breaks as
"หลักธร|รมาภิบาล" or "ตัวชี้|วัด" even with the default `word-break: normal` (no CSS rule of ours
causes it: Chromium's own segmentation does). The words in app/thai_words.json are wrapped in
<span class="nw"> (white-space: nowrap, fill.css) wherever form and meeting texts are written; the
browser twin is keepWords() in static/js/util.js, reading the same list.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup, escape

WORDS_FILE = Path(__file__).with_name("thai_words.json")


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    words = json.loads(WORDS_FILE.read_text(encoding="utf-8"))["words"]
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def keep_words_html(html: str) -> str:
    """Wraps the listed words in already-escaped HTML text (words hold no markup characters)."""
    return _pattern().sub(lambda m: f'<span class="nw">{m.group(0)}</span>', html)


def keep_words(text: str | None) -> Markup:
    """`text` escaped for HTML, with the listed words kept whole on a line."""
    return Markup(keep_words_html(str(escape(text or ""))))
