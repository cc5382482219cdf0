"""The order of form version strings, and the next version after one. Pure: no Flask, no database.

Staff write versions the way ODK's documentation suggests (a date `2026031501`) or as names with a
number (`draft-3`, `v2`, `1.10`). A draft is published only when its version is new and sorts after
the latest published one, so "the newest version" means the same to people and to the server.

Order: a version is split into runs of digits and of other characters; runs compare pairwise, digit
runs by their number (so `1.10` > `1.9`, `draft-10` > `draft-9`), other runs as text, and a digit
run sorts after a text run (so a date-stamped `202603151200` comes after `draft-3`). When one version
is a prefix of the other, the longer one is newer (`1.0.1` > `1.0`).
"""
from __future__ import annotations

import re

_RUN = re.compile(r"\d+|\D+")


def version_key(version: str) -> tuple:
    """A sort key giving the order described in the module docstring."""
    return tuple((1, int(run), "") if run.isdigit() else (0, 0, run) for run in _RUN.findall(version or ""))


def is_newer(candidate: str, than: str | None) -> bool:
    """True when `candidate` sorts strictly after `than` (anything is newer than None)."""
    return than is None or version_key(candidate) > version_key(than)


def next_version(after: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A version that sorts after `after` and is not in `taken`: its last number plus one (keeping
    its zero padding: `draft-3` -> `draft-4`, `2026031509` -> `2026031510`), or `after` + `.1` when it
    has no number."""
    runs = _RUN.findall(after or "")
    digits = [i for i, run in enumerate(runs) if run.isdigit()]
    if not digits:
        base, candidate = (after or "v"), (after or "v") + ".1"
        n = 1
        while candidate in taken or not is_newer(candidate, after or None):
            n += 1
            candidate = f"{base}.{n}"
        return candidate
    i = digits[-1]
    width = len(runs[i])
    number = int(runs[i])
    while True:
        number += 1
        candidate = "".join(runs[:i]) + str(number).zfill(width) + "".join(runs[i + 1:])
        if candidate not in taken and is_newer(candidate, after):
            return candidate
