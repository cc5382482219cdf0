"""What a FormVersion is made of, kept in memory per process: its definition, its small columns
(`published_version`, what receiving needs to file a submission without asking the database) and
the media files its logic reads.

Versions are immutable (publishing refuses new content under an existing version and nothing
deletes one), so a cached entry can never be stale; rebuilding a large form's definition from JSON
costs ~15 ms, which was half the time of receiving a submission on it. Keys include the content
hash (and the database's engine for look-ups by name) so a reused row id (tests) never aliases.
After restoring a backup into a running database, restart the app servers.
"""
from __future__ import annotations

import weakref
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock
from typing import Any

from sqlalchemy import select

from app import db
from app.models import Blob, Form, FormMedia, FormVersion
from app.xlsform.definition import FormDefinition

_MAX = 64
_cache: OrderedDict[tuple[int, str, str], FormDefinition] = OrderedDict()
_lock = Lock()


def definition_of(version: FormVersion | PublishedVersion) -> FormDefinition:
    key = (version.id, version.content_hash, version.version)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    definition = FormDefinition.from_dict(version.definition)
    with _lock:
        _cache[key] = definition
        while len(_cache) > _MAX:
            _cache.popitem(last=False)
    return definition


# --------------------------------------------------------------------------- versions by name

@dataclass(frozen=True)
class FormRef:
    id: int
    form_id: str


@dataclass(frozen=True, eq=False)
class PublishedVersion:
    """A form version's small columns, read once per process. Stands in for FormVersion where a
    submission is filed (app/forms/receiving.py, app/scoring/store.py, app/registry/entities.py);
    the large columns (definition, survey, xform) and the media are read from the database when
    asked. Never attach it to a session: it is shared by every request of the process."""

    id: int
    form_pk: int
    form_id: str
    version: str
    title: str
    content_hash: str
    scoring: dict | None

    @property
    def form(self) -> FormRef:
        return FormRef(self.form_pk, self.form_id)

    def _column(self, column: Any) -> Any:
        return db.session.scalar(select(column).where(FormVersion.id == self.id))

    @property
    def definition(self) -> dict:
        return self._column(FormVersion.definition)

    @property
    def survey(self) -> dict:
        return self._column(FormVersion.survey)

    @property
    def xform(self) -> str:
        return self._column(FormVersion.xform)

    @property
    def media(self) -> list[FormMedia]:
        return list(db.session.scalars(select(FormMedia).where(FormMedia.form_version_id == self.id)
                                       .order_by(FormMedia.filename)))


_versions: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[str, str], PublishedVersion]] = weakref.WeakKeyDictionary()


def published_version(form_id: str, version: str) -> PublishedVersion | None:
    """The version `version` of form `form_id`, or None (then nothing is kept: it may be published next)."""
    engine = db.engine()
    key = (form_id, version)
    with _lock:
        found = _versions.get(engine, {}).get(key)
        if found is not None:
            return found
    row = db.session.execute(
        select(FormVersion.id, FormVersion.form_pk, Form.form_id, FormVersion.version, FormVersion.title,
               FormVersion.content_hash, FormVersion.scoring)
        .join(Form, FormVersion.form_pk == Form.id)
        .where(Form.form_id == form_id, FormVersion.version == version)).first()
    if row is None:
        return None
    found = PublishedVersion(*row)
    with _lock:
        kept = _versions.setdefault(engine, OrderedDict())
        kept[key] = found
        while len(kept) > 4 * _MAX:
            kept.popitem(last=False)
    return found


# --------------------------------------------------------------------------- media

_media: OrderedDict[tuple[int, str, frozenset[str]], dict[str, bytes]] = OrderedDict()


def media_of(version: FormVersion | PublishedVersion, names: set[str]) -> dict[str, bytes]:
    """{file name: bytes} of the version's media files among `names` (the CSVs its logic reads)."""
    key = (version.id, version.content_hash, frozenset(names))
    with _lock:
        found = _media.get(key)
        if found is not None:
            return found
    found = {name: content for name, content in db.session.execute(
        select(FormMedia.filename, Blob.content).join(Blob, FormMedia.sha256 == Blob.sha256)
        .where(FormMedia.form_version_id == version.id, FormMedia.filename.in_(sorted(names))))}
    with _lock:
        _media[key] = found
        while len(_media) > 16:
            _media.popitem(last=False)
    return found
