"""The meeting screen ("show to the group") and its JSON twin.

- GET /submissions/<instance_id>/meeting: the server's result of a scored submission as a
  full-screen view for the committee (and a one-page A4 print), templates/scoring/meeting.html.
- GET /api/v1/submissions/<instance_id>/score: the same data as JSON (app/scoring/schemas.py); the
  fill page loads it after a successful submit to replace its provisional (JavaScript) result.

Both are scoped like the submission detail page (app/auth/scope.py): out of scope is 404. The
previous assessment of the same group (app.scoring.store.previous_score) is shown as the change per
score group; it is looked up within the same form, group and district.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import Blueprint, abort, g, jsonify, render_template, url_for
from sqlalchemy import select

from app import db
from app.forms.definitions import definition_of
from app.forms.lookups import scoped_submission_or_404
from app.models import Form, FormVersion, Score, Submission
from app.scoring.schemas import SubmissionScoreSchema
from app.scoring.store import group_changes, previous_score, special_paths
from app.templating import be_date

bp = Blueprint("scoring", __name__)

SCREEN_LISTED = 3  # strengths / weaknesses on the screen (all, up to 5, on paper)
_TH = re.compile(r"\(th\)|thai|ไทย", re.IGNORECASE)
_EN = re.compile(r"\(en\)|english", re.IGNORECASE)
DEFAULT_LEVEL_COLOUR = "#5b6470"


def texts(label: dict[str, str] | None) -> dict[str, str]:
    """{"th": ..., "en": ...} of a {language: text} label: Thai first (else the default or first
    text), English second ("" when there is none or it repeats the Thai)."""
    label = label or {}
    th = next((v for k, v in label.items() if _TH.search(k) and v), None)
    th = th or label.get("default") or next((v for v in label.values() if v), "")
    en = next((v for k, v in label.items() if _EN.search(k) and v), "")
    return {"th": th or "", "en": en if en != th else ""}


def _rgb(colour: str | None) -> tuple[int, int, int] | None:
    c = (colour or "").strip().lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    if not re.fullmatch(r"[0-9a-fA-F]{6}", c):
        return None
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG relative luminance of an sRGB colour."""
    def lin(x: int) -> float:
        v = x / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g_, b = (lin(x) for x in rgb)
    return 0.2126 * r + 0.7152 * g_ + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


MEETING_CONTRAST = 7.0  # WCAG AAA: the meeting screen is read across a room
_BLACK, _WHITE = (0, 0, 0), (255, 255, 255)


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#" + "".join(f"{x:02x}" for x in rgb)


def badge_colours(colour: str | None) -> dict[str, str]:
    """The level badge's fill and text colour: the workbook's colour when black or white text reaches
    7:1 on it, else that colour darkened (white text) or lightened (black text) in 5 % steps, whichever
    needs fewer, until it does. Integer steps, so static/js/scoring/meeting.js badgeColours() gives
    the same colours."""
    rgb = _rgb(colour) or _rgb(DEFAULT_LEVEL_COLOUR)
    for k in range(0, 21):
        dark = tuple((x * (20 - k) + 10) // 20 for x in rgb)
        if contrast(dark, _WHITE) >= MEETING_CONTRAST:
            return {"fill": _hex(dark), "ink": "#ffffff"}
        light = tuple(x + ((255 - x) * k + 10) // 20 for x in rgb)
        if contrast(light, _BLACK) >= MEETING_CONTRAST:
            return {"fill": _hex(light), "ink": "#000000"}
    return {"fill": "#000000", "ink": "#ffffff"}  # not reached: k = 20 is black


def ink_for(colour: str | None) -> str:
    """Black or white text on the level badge (see badge_colours)."""
    return badge_colours(colour)["ink"]


def whole(percent: float | int | None) -> int | None:
    """A percentage as the meeting screen shows it: whole, halves up (66.67 -> 67, 12.5 -> 13)."""
    return None if percent is None else math.floor(float(percent) + 0.5)


def group_label(sub: Submission, version: FormVersion, group_ref: str | None) -> dict[str, str]:
    """The assessed group's name: the label of the chosen option of the group question (static
    choices), else the answer to a `group_name` question, else the group's id, else the record's name."""
    definition = definition_of(version)
    group_path, _ = special_paths(version)
    if group_ref and group_path:
        node = definition.node(group_path)
        for choice in (node.choices or []) if node is not None else []:
            if choice.name == group_ref:
                return texts(choice.label)
    if group_ref:  # a group chosen from the registry's groups.csv: its registered name
        from app.registry.media import group_names

        name = group_names([group_ref]).get(group_ref)
        if name:
            return {"th": name, "en": ""}
    for node in definition.nodes():
        if node.kind == "field" and node.name == "group_name":
            value = (sub.data or {}).get(node.path)
            if isinstance(value, str) and value.strip():
                return {"th": value.strip(), "en": ""}
    return {"th": group_ref or version.title, "en": ""}


def _level_label(result: dict[str, Any] | None) -> dict[str, str] | None:
    level = (result or {}).get("level")
    return texts(level.get("label")) if level else None


def score_payload(sub: Submission, row: Score) -> dict[str, Any]:
    version = db.session.get(FormVersion, row.form_version_id)
    form = db.session.get(Form, row.form_pk)
    previous = previous_score(row)
    prev_sub = db.session.get(Submission, previous.submission_id) if previous is not None else None
    return {
        "instance_id": sub.instance_id, "form_id": form.form_id, "version": version.version,
        "group_ref": row.group_ref, "group_label": group_label(sub, version, row.group_ref),
        "assessed_on": row.assessed_on, "round_year": row.round_year, "district_code": row.district_code,
        "is_current": row.is_current, "needs_correction": row.needs_correction, "scored_at": row.scored_at,
        "result": row.result,
        "previous": None if previous is None else {
            "instance_id": prev_sub.instance_id if prev_sub else None, "assessed_on": previous.assessed_on,
            "round_year": previous.round_year, "level_name": previous.level_name, "percent": previous.percent,
            "level_label": _level_label(previous.result)},
        "changes": group_changes(row.result, previous.result if previous is not None else None),
        "meeting_url": url_for("scoring.meeting", instance_id=sub.instance_id),
    }


def screen(payload: dict[str, Any]) -> dict[str, Any]:
    """What the meeting template shows (static/js/scoring/meeting.js screenOf() builds the same from
    the JSON): labels as {th, en}, percentages whole (`whole`), changes as whole points between the
    whole percentages shown, the level badge in colours that read at 7:1."""
    result = payload["result"]
    level = result.get("level")
    changes = payload.get("changes") or {}
    shown = whole(result["percent"])
    groups = []
    for gr in result["groups"]:
        change = changes.get(gr["name"])
        now, before = whole(gr["percent"]), whole(change["before"]) if change else None
        groups.append({
            **texts(gr.get("label")), "name": gr["name"], "score": gr["score"], "max": gr["max"],
            "percent": gr["percent"], "whole": now, "passed": gr["passed"], "pass_mark": gr.get("pass_mark"),
            "change": None if change is None else {**change, "before_whole": before,
                                                   "points": None if now is None else now - before},
            "advice": texts(gr.get("advice")) if gr["passed"] is False else None})
    prev = payload.get("previous")
    previous = None
    if prev is not None:
        before = whole(prev.get("percent"))
        previous = {"date_th": be_date(prev.get("assessed_on")), "level": prev.get("level_label"),
                    "whole": before, "points": None if shown is None or before is None else shown - before}
    badge = badge_colours((level or {}).get("colour") or DEFAULT_LEVEL_COLOUR)
    return {
        "group": payload["group_label"],
        "level": None if level is None else {**texts(level.get("label")), "name": level["name"],
                                             "colour": badge["fill"], "ink": badge["ink"]},
        "total": result["total"], "max": result["max"], "percent": result["percent"], "whole": shown,
        "groups": groups,
        "strengths": [{**texts(s["label"]), **s} for s in result["strengths"]],
        "weaknesses": [{**texts(w["label"]), **w} for w in result["weaknesses"]],
        "advice": [{"group": texts(a["label"]), "advice": texts(a["advice"])} for a in result["advice"]],
        "has_previous": prev is not None, "previous": previous,
        "date_th": be_date(payload.get("assessed_on")), "fiscal_year": _fiscal_year(payload.get("assessed_on")),
        "round_year": payload.get("round_year"),
    }


def _fiscal_year(assessed_on: Any) -> int | None:
    """The assessment round (Thai fiscal year, B.E.) of a date or ISO date string (app/periods.py)."""
    from datetime import date

    from app.periods import assessment_round

    if isinstance(assessed_on, str):
        try:
            assessed_on = date.fromisoformat(assessed_on[:10])
        except ValueError:
            return None
    return assessment_round(assessed_on) if isinstance(assessed_on, date) else None


def fill_scoring_json(version: FormVersion) -> str | None:
    """What the fill page's meeting screen needs (the #form-scoring data-json), or None for a plain
    form: the spec, the group and date questions' paths, the group question's static choices."""
    if not version.scoring:
        return None
    group_path, date_path = special_paths(version)
    choices: dict[str, dict[str, str]] = {}
    if group_path:
        node = definition_of(version).node(group_path)
        for choice in (node.choices or []) if node is not None else []:
            choices[choice.name] = texts(choice.label)
        # A group chosen from a list (the registry's groups.csv): its name is the option's label in the
        # page (static/js/scoring/meeting.js asks the form's logic), not a second copy of the list here.
    name_path = next((n.path for n in definition_of(version).nodes()
                      if n.kind == "field" and n.name == "group_name"), None)
    return json.dumps({
        "spec": version.scoring, "group_path": group_path, "date_path": date_path, "group_choices": choices,
        "name_path": name_path,
        "title": version.title,
        "score_url": url_for("scoring.submission_score", instance_id="__ID__"),
    }, ensure_ascii=False)


def _payload_or_404(instance_id: str) -> tuple[Submission, dict[str, Any]]:
    sub = scoped_submission_or_404(instance_id)
    row = db.session.scalar(select(Score).where(Score.submission_id == sub.id))
    if row is None:
        abort(404)  # not a scored form (or not scored)
    return sub, score_payload(sub, row)


def render_meeting(sub: Submission, committee: dict[str, Any] | None = None) -> str:
    """The meeting page of a scoped, scored submission; `committee`: a link just made (app/scoring/committee.py)."""
    from app.models import Role
    from app.scoring.committee import meeting_plans

    row = db.session.scalar(select(Score).where(Score.submission_id == sub.id))
    if row is None:
        abort(404)
    payload = score_payload(sub, row)
    form = db.session.get(Form, sub.form_pk)
    return render_template("scoring/meeting.html", sub=sub, form=form, payload=payload, view=screen(payload),
                           listed=SCREEN_LISTED, plans=meeting_plans(row), committee=committee,
                           may_make_link=bool(row.group_ref) and g.user.role != Role.PROVINCE,
                           back_url=url_for("submissions.submission_detail", form_id=form.form_id,
                                            instance_id=sub.instance_id))


@bp.get("/submissions/<instance_id>/meeting")
def meeting(instance_id: str):
    return render_meeting(scoped_submission_or_404(instance_id))


@bp.get("/api/v1/submissions/<instance_id>/score")
def submission_score(instance_id: str):
    _sub, payload = _payload_or_404(instance_id)
    return jsonify(SubmissionScoreSchema().dump(payload))
