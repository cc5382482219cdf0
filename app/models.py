"""ORM models: published forms and their immutable versions, submissions, attachments, conflicts.

Attachments' bytes live in `blobs`, addressed by their SHA-256, in the same database as the
submission that names them, so a submission and its files are written in one transaction.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Form(Base):
    """A questionnaire, identified by the XForm id (`settings.form_id`); owns its versions."""

    __tablename__ = "forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(String(255), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default="open", server_default="open")  # FormState

    versions: Mapped[list[FormVersion]] = relationship(
        back_populates="form", order_by="FormVersion.id", cascade="all, delete-orphan"
    )

    @property
    def latest(self) -> FormVersion | None:
        return self.versions[-1] if self.versions else None


class FormVersion(Base):
    """One publish of a workbook. Immutable: submissions point at the version they were filled on."""

    __tablename__ = "form_versions"
    __table_args__ = (
        UniqueConstraint("form_pk", "version", name="uq_form_version_version"),
        UniqueConstraint("form_pk", "content_hash", name="uq_form_version_content"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_pk: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"), index=True)
    version: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(500))
    xlsx_filename: Mapped[str] = mapped_column(String(255))
    # The original workbook, byte for byte (up to MAX_WORKBOOK_BYTES): loaded only when read (downloads),
    # not with every version a form list, the offline manifest or Form.latest walks through.
    xlsx: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    xform: Mapped[str] = mapped_column(Text)  # XForm XML as ODK Collect downloads it
    survey: Mapped[dict] = mapped_column(JSON)  # pyxform's survey definition (JSON)
    definition: Mapped[dict] = mapped_column(JSON)  # app.xlsform.definition.FormDefinition as dict
    content_hash: Mapped[str] = mapped_column(String(64))
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    published_by: Mapped[str] = mapped_column(String(255))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The scoring declared in the workbook (app.xlsform.scoring_spec); None for a plain form.
    scoring: Mapped[dict | None] = mapped_column(JSON, nullable=True)

    form: Mapped[Form] = relationship(back_populates="versions")
    media: Mapped[list[FormMedia]] = relationship(
        back_populates="form_version", cascade="all, delete-orphan", order_by="FormMedia.filename"
    )


class FormMedia(Base):
    """A file a form version needs on the device (external choices CSV, images named in the workbook)."""

    __tablename__ = "form_media"
    __table_args__ = (UniqueConstraint("form_version_id", "filename", name="uq_form_media_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_versions.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))

    form_version: Mapped[FormVersion] = relationship(back_populates="media")
    blob: Mapped[Blob] = relationship()


class Blob(Base):
    """Content-addressed bytes of attachments and media (stored once however often they are sent)."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class SubmissionStatus:
    ACCEPTED = "accepted"
    NEEDS_CORRECTION = "needs_correction"
    ALL = (ACCEPTED, NEEDS_CORRECTION)


class Submission(Base):
    """One filled form, as received. Never deleted; an edit (deprecatedID) supersedes it."""

    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_form_received", "form_pk", "received_at"),
        Index("ix_submissions_form_status", "form_pk", "status"),
        # An officer's own records and the roots of their chains in one index (app/auth/scope.py reads
        # both for every officer's list): no table rows to visit, however many the officer sent.
        Index("ix_submissions_submitter_chain", "submitter_id", "district_code", "root_instance_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(255), unique=True)
    form_pk: Mapped[int] = mapped_column(ForeignKey("forms.id"), index=True)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_versions.id"), index=True)
    # Edit chain: deprecated_id names the instance this one replaces; root_instance_id the first one.
    deprecated_id: Mapped[str | None] = mapped_column(String(255), index=True)
    root_instance_id: Mapped[str] = mapped_column(String(255), index=True)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(32))
    errors: Mapped[list] = mapped_column(JSON, default=list)  # [{path, code, message_th, message_en}]
    xml: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))  # of the XML as received
    data: Mapped[dict] = mapped_column(JSON)  # answers by path, as parsed; repeats as lists
    instance_name: Mapped[str | None] = mapped_column(String(500))
    submitted_by: Mapped[str | None] = mapped_column(String(255))
    # Who sent it (the signed-in account) and the district it belongs to (that account's district at
    # receipt; NULL for admin/province/CLI senders). Every read is scoped on these (app/auth/scope.py).
    submitter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # ix_submissions_submitter_chain
    district_code: Mapped[str | None] = mapped_column(String(16), index=True)
    device_id: Mapped[str | None] = mapped_column(String(255))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    form: Mapped[Form] = relationship()
    form_version: Mapped[FormVersion] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="Attachment.filename"
    )


class SubmissionConflict(Base):
    """A different copy sent under an instanceID we already hold: kept aside, nothing overwritten."""

    __tablename__ = "submission_conflicts"
    # One row per content, even when two app servers receive the same copy at once.
    __table_args__ = (UniqueConstraint("instance_id", "content_hash", name="uq_conflict_content"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(255), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    xml: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    attachments: Mapped[list] = mapped_column(JSON, default=list)  # [{filename, content_type, sha256, size}]
    submitted_by: Mapped[str | None] = mapped_column(String(255))
    district_code: Mapped[str | None] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    submission: Mapped[Submission] = relationship()


class Attachment(Base):
    """A file sent with a submission (photo, signature), with its checksum."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("submission_id", "filename", name="uq_attachment_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    size: Mapped[int] = mapped_column(Integer)

    submission: Mapped[Submission] = relationship(back_populates="attachments")
    blob: Mapped[Blob] = relationship()


class UnprocessableSubmission(Base):
    """A POST to /submission we could not file under a form (unreadable XML, no instanceID, unknown
    form or version, an attachment over the limit, a server failure): kept byte for byte for review.

    Attachments are described in `attachments` and their bytes stored in `blobs` (except a file
    refused for its size, which is described only). The same bytes refused for the same reason
    again are recorded once (`times_received` counts the sends)."""

    __tablename__ = "unprocessable_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    xml: Mapped[bytes] = mapped_column(LargeBinary)  # the xml_submission_file part as received
    content_hash: Mapped[str] = mapped_column(String(64), index=True)  # sha256 of `xml`
    reason_code: Mapped[str] = mapped_column(String(64))  # unreadable, no_instance_id, unknown_form, ...
    reason_th: Mapped[str] = mapped_column(Text)
    reason_en: Mapped[str] = mapped_column(Text)
    # What the XML claimed, when it could be read (for finding it again).
    form_id: Mapped[str | None] = mapped_column(String(255))
    version: Mapped[str | None] = mapped_column(String(255))
    instance_id: Mapped[str | None] = mapped_column(String(255), index=True)
    attachments: Mapped[list] = mapped_column(JSON, default=list)  # [{filename, content_type, sha256, size, stored}]
    submitted_by: Mapped[str | None] = mapped_column(String(255))
    district_code: Mapped[str | None] = mapped_column(String(16))
    device_id: Mapped[str | None] = mapped_column(String(255))
    times_received: Mapped[int] = mapped_column(Integer, default=1)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WorkbookUpload(Base):
    """A workbook uploaded for preview, waiting for the Publish click. Kept in the database (not in a
    process's memory) so any app server can publish it; old ones are deleted on the next upload."""

    __tablename__ = "workbook_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_hash: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


# ------------------------------------------------------------------ accounts (app/auth)


class Role:
    ADMIN = "admin"  # staff: publish forms, manage users
    PROVINCE = "province"  # every district of their province: read, export
    DISTRICT = "district"  # their district: read, approve, revoke committee links, export
    OFFICER = "officer"  # fill forms; their own submissions
    ALL = (ADMIN, PROVINCE, DISTRICT, OFFICER)


class Province(Base):
    __tablename__ = "provinces"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)  # DOPA code, e.g. "42" (Loei)
    name_th: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))

    districts: Mapped[list[District]] = relationship(back_populates="province", order_by="District.code")


class District(Base):
    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # DOPA amphoe code, e.g. "4201"
    district_no: Mapped[int] = mapped_column(Integer)  # number within the province (1 = เมือง)
    name_th: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id"), index=True)

    province: Mapped[Province] = relationship(back_populates="districts")


class User(Base):
    """An account. Never deleted (deactivated instead), so what it submitted keeps its author."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    province_id: Mapped[int | None] = mapped_column(ForeignKey("provinces.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped to revoke every session of the user (deactivation, re-assignment, password reset).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The app's own screens: "th" (Thai only) or "th-en" (Thai + English, the default); app/language.py
    language: Mapped[str] = mapped_column(String(8), default="th-en", server_default="th-en")

    district: Mapped[District | None] = relationship()
    province: Mapped[Province | None] = relationship()

    @property
    def province_of_scope(self) -> Province | None:
        return self.province or (self.district.province if self.district else None)


class AuditEvent(Base):
    """Who did what to which object, when, from where. Append-only: no code path updates or deletes
    a row (the ORM refuses it, see app/auth/audit.py, and the database refuses UPDATE by trigger)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str | None] = mapped_column(String(255))  # username (or cli:NAME, or the name tried)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)  # no FK: the log outlives anything
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(String(64))
    target_id: Mapped[str | None] = mapped_column(String(255))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))


# ------------------------------------------------------------------ scores (app/scoring/store.py)


class Score(Base):
    """The server's score of one submission of a scored form (FormVersion.scoring), written by
    app.scoring.store.rescore in the same transaction as the submission; replaced on a resend that
    changes the answers. One row per submission; an edit (deprecatedID) gets its own row and the
    edited one's row steps down with it (`is_current` mirrors Submission.is_current).

    - group_ref: the assessed group's id as the form names it: the answer to the question named in
      settings (`group_ref` column of the settings sheet) or else to the first question named
      `group` or `group_id` (outside repeats); NULL when the form names none or it is blank.
    - round_year: the Buddhist-Era year of the assessment date (the question named `assessed_on`
      or `assessment_date`, else the submission's received_at in Asia/Bangkok); `assessed_on` the
      date itself.
    - needs_correction: the submission failed the server's checks; it is still scored (the
      officer showed the group a result) but reports may leave it out.
    """

    __tablename__ = "scores"
    __table_args__ = (
        Index("ix_scores_group_current", "group_ref", "is_current"),
        Index("ix_scores_district_round", "district_code", "round_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), unique=True)
    form_pk: Mapped[int] = mapped_column(ForeignKey("forms.id"), index=True)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_versions.id"), index=True)
    group_ref: Mapped[str | None] = mapped_column(String(255))
    district_code: Mapped[str | None] = mapped_column(String(16))
    round_year: Mapped[int] = mapped_column(Integer)  # Buddhist Era, e.g. 2567
    assessed_on: Mapped[date] = mapped_column(Date)
    total: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False))
    max: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False))
    percent: Mapped[float | None] = mapped_column(Numeric(7, 2, asdecimal=False))  # NULL: nothing assessed
    level_name: Mapped[str | None] = mapped_column(String(255), index=True)
    # The indicators' points by name and the scoring spec's version: {"spec": content hash, "points":
    # {"i01": 3, "i02": null, ...}}, a few hundred bytes; `result` rebuilds the whole result from them.
    points: Mapped[dict] = mapped_column(JSON)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    needs_correction: Mapped[bool] = mapped_column(Boolean, default=False)
    scored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    submission: Mapped[Submission] = relationship()
    groups: Mapped[list[ScoreGroupResult]] = relationship(
        back_populates="score_row", cascade="all, delete-orphan", order_by="ScoreGroupResult.position")

    @property
    def result(self) -> dict:
        """app.scoring.ScoreResult.to_dict(): rebuilt from `points` and the version's spec (cached)."""
        from app.scoring.store import expand_result

        return expand_result(self)


class ScoreGroupResult(Base):
    """One score group (principle) of a Score, in the spec's order."""

    __tablename__ = "score_group_results"
    __table_args__ = (UniqueConstraint("score_id", "group_name", name="uq_score_group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("scores.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    group_name: Mapped[str] = mapped_column(String(255), index=True)
    score: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False))
    max: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False))
    percent: Mapped[float | None] = mapped_column(Numeric(7, 2, asdecimal=False))
    passed: Mapped[bool | None] = mapped_column(Boolean)

    score_row: Mapped[Score] = relationship(back_populates="groups")


# ------------------------------------------------------------------ registry (app/registry)


class Village(Base):
    """A village (หมู่บ้าน) with its tambon and district: the registry's place list (villages.csv)."""

    __tablename__ = "villages"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # DOPA village code, e.g. "42010101"
    name_th: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str | None] = mapped_column(String(255))
    tambon_code: Mapped[str] = mapped_column(String(16), index=True)  # e.g. "420101"
    tambon_th: Mapped[str] = mapped_column(String(255))
    tambon_en: Mapped[str | None] = mapped_column(String(255))
    district_code: Mapped[str] = mapped_column(String(16), index=True)  # e.g. "4201"


class GroupStatus:
    SUBMITTED = "submitted"  # a registration arrived; waiting for the district office
    APPROVED = "approved"  # registered: number and date given; appears in groups.csv
    REJECTED = "rejected"
    ALL = (SUBMITTED, APPROVED, REJECTED)


class Group(Base):
    """An occupational group or a savings group (the `groups` entity list). Created from a
    group_registration submission (status submitted) and approved by the district office."""

    __tablename__ = "registry_groups"
    __table_args__ = (Index("ix_registry_groups_district_status", "district_code", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # the value forms store, e.g. "SG-4201-0001"
    kind: Mapped[str] = mapped_column(String(16))  # occupational | savings
    name: Mapped[str] = mapped_column(String(500))
    village_code: Mapped[str | None] = mapped_column(String(16), index=True)
    district_code: Mapped[str | None] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(16), default=GroupStatus.SUBMITTED)
    registration_no: Mapped[str | None] = mapped_column(String(64))
    registered_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(255))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)
    # The entity: the registration's first instanceID (edits keep it) and the save_to properties.
    entity_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    source_instance_id: Mapped[str | None] = mapped_column(String(255), index=True)
    properties: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Household(Base):
    """A household mapped by hh_mapping (the `households` entity list); one per village + house
    number: a later mapping of the same house updates it."""

    __tablename__ = "households"
    __table_args__ = (UniqueConstraint("village_code", "house_no", name="uq_household_house"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(255), unique=True)
    village_code: Mapped[str | None] = mapped_column(String(16), index=True)
    house_no: Mapped[str | None] = mapped_column(String(64))
    district_code: Mapped[str | None] = mapped_column(String(16), index=True)
    label: Mapped[str | None] = mapped_column(String(500))
    properties: Mapped[dict] = mapped_column(JSON, default=dict)
    source_instance_id: Mapped[str | None] = mapped_column(String(255), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class OfficerAssignment(Base):
    """An officer assigned by the district office (or an admin) to a registry group of the officer's
    district: the officer then sees and may correct the submissions about that group (app/auth/scope.py,
    matched through Score.group_ref = Group.code). Removing an assignment deletes the row; the audit log
    keeps who assigned and unassigned whom, when."""

    __tablename__ = "officer_assignments"
    __table_args__ = (UniqueConstraint("user_id", "group_id", name="uq_officer_assignment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("registry_groups.id"), index=True)
    assigned_by: Mapped[str | None] = mapped_column(String(255))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship()
    group: Mapped[Group] = relationship()


# ------------------------------------------------------------------ committee links (app/scoring/committee.py)


class CommitteeLink(Base):
    """A read-only link (and QR code) that opens one assessed group's results on a committee member's
    phone without an account. Only the SHA-256 of the token is stored: the token itself is shown once,
    when the link is made. A group is (form, group_ref, district), as in app.scoring.store.previous_score.
    Valid while revoked_at is NULL and expires_at is in the future (a year after it was made)."""

    __tablename__ = "committee_links"
    __table_args__ = (Index("ix_committee_links_group", "district_code", "group_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_pk: Mapped[int] = mapped_column(ForeignKey("forms.id"), index=True)
    group_ref: Mapped[str] = mapped_column(String(255))
    district_code: Mapped[str | None] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the token
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(String(255))


class CommitteePlan(Base):
    """What a group's committee will work on first, recorded through its committee link: one weakness
    (score group), the action, who is responsible and by when. Shown to the officer at the next round."""

    __tablename__ = "committee_plans"
    __table_args__ = (Index("ix_committee_plans_group", "district_code", "group_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("committee_links.id"), index=True)
    form_pk: Mapped[int] = mapped_column(ForeignKey("forms.id"))
    group_ref: Mapped[str] = mapped_column(String(255))
    district_code: Mapped[str | None] = mapped_column(String(16))
    round_year: Mapped[int] = mapped_column(Integer)  # the round of the latest result the committee saw
    score_group: Mapped[str] = mapped_column(String(255))  # ScoreGroupResult.group_name
    action: Mapped[str] = mapped_column(Text)
    responsible: Mapped[str] = mapped_column(String(255))
    target_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# ------------------------------------------------------------------ household profiles and the OTOP path (app/otop)


class HouseholdProfile(Base):
    """What the profile pages count of one household mapping (hh_mapping), written at receipt in the
    submission's transaction (app/otop/store.py). One row per current record of an edit chain;
    `counted` marks the row the reports count: accepted (not needing correction) and the latest survey of
    its house (village + house number) in its fiscal year. No national ID is kept here."""

    __tablename__ = "household_profiles"
    __table_args__ = (Index("ix_household_profiles_area", "district_code", "fiscal_year", "counted"),
                      Index("ix_household_profiles_house", "village_code", "house_no", "fiscal_year"))

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), unique=True)
    district_code: Mapped[str | None] = mapped_column(String(16))
    tambon_code: Mapped[str | None] = mapped_column(String(16))
    village_code: Mapped[str | None] = mapped_column(String(16))
    house_no: Mapped[str | None] = mapped_column(String(64))
    head_name: Mapped[str | None] = mapped_column(String(255))
    surveyed_on: Mapped[date] = mapped_column(Date)
    fiscal_year: Mapped[int] = mapped_column(Integer)  # Buddhist Era (app/periods.py)
    kkcj_target: Mapped[bool] = mapped_column(Boolean, default=False)
    members: Mapped[int | None] = mapped_column(Integer)
    members_working: Mapped[int | None] = mapped_column(Integer)
    members_elderly: Mapped[int | None] = mapped_column(Integer)
    kkcj_borrowed: Mapped[bool] = mapped_column(Boolean, default=False)
    loan_outstanding: Mapped[float | None] = mapped_column(Numeric(14, 2))
    loan_default: Mapped[bool] = mapped_column(Boolean, default=False)
    income_total: Mapped[float | None] = mapped_column(Numeric(14, 2))
    income_per_person: Mapped[float | None] = mapped_column(Numeric(14, 2))
    income_threshold: Mapped[float | None] = mapped_column(Numeric(14, 2))
    below_threshold: Mapped[bool] = mapped_column(Boolean, default=False)
    expense_total: Mapped[float | None] = mapped_column(Numeric(14, 2))
    debt_formal: Mapped[float | None] = mapped_column(Numeric(14, 2))
    debt_community: Mapped[float | None] = mapped_column(Numeric(14, 2))
    debt_informal: Mapped[float | None] = mapped_column(Numeric(14, 2))
    join_group: Mapped[bool] = mapped_column(Boolean, default=False)
    otop_register: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_correction: Mapped[bool] = mapped_column(Boolean, default=False)
    counted: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HouseholdChoice(Base):
    """One option a household ticked in a select_multiple the profile counts (question `saves_in`:
    where it saves; `training_wanted`: the training it wants)."""

    __tablename__ = "household_choices"
    __table_args__ = (Index("ix_household_choices_question", "question", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("household_profiles.id"), index=True)
    question: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(64))


class HouseholdOccupation(Base):
    """One occupation of a mapped household (the `occupation` repeat of hh_mapping)."""

    __tablename__ = "household_occupations"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("household_profiles.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    category: Mapped[str | None] = mapped_column(String(64))
    product: Mapped[str | None] = mapped_column(String(255))
    otop_type: Mapped[str | None] = mapped_column(String(16))
    otop_subgroup: Mapped[str | None] = mapped_column(String(16))
    income: Mapped[float | None] = mapped_column(Numeric(14, 2))
    potential: Mapped[int | None] = mapped_column(Integer)


class OccupationProblem(Base):
    """A problem ticked for an occupation: area production | management | marketing, the option's name."""

    __tablename__ = "occupation_problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    occupation_id: Mapped[int] = mapped_column(ForeignKey("household_occupations.id"), index=True)
    area: Mapped[str] = mapped_column(String(32))
    problem: Mapped[str] = mapped_column(String(64))


class KkcjTarget(Base):
    """The กข.คจ. target households of a village in a fiscal year (B.E.): the denominator of the profile's
    coverage. Set by the district office at /otop/targets (audited)."""

    __tablename__ = "kkcj_targets"
    __table_args__ = (UniqueConstraint("village_code", "fiscal_year", name="uq_kkcj_target_village_year"),
                      Index("ix_kkcj_targets_district_year", "district_code", "fiscal_year"))

    id: Mapped[int] = mapped_column(primary_key=True)
    village_code: Mapped[str] = mapped_column(String(16))
    district_code: Mapped[str] = mapped_column(String(16))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    households: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class GroupPath(Base):
    """The development path of an occupational group (the OTOP proposal): formed (the founding meeting
    of its registration) -> registered (the district's approval: Group.registered_on) -> product
    developed -> OTOP registered -> selling online. Dates set by the group_followup questionnaire or
    by the district office on the group's page (app/otop/store.py, app/otop/views.py)."""

    __tablename__ = "group_paths"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("registry_groups.id"), unique=True)
    district_code: Mapped[str | None] = mapped_column(String(16), index=True)
    candidate_key: Mapped[str | None] = mapped_column(String(128), index=True)  # the candidate it came from
    formed_on: Mapped[date | None] = mapped_column(Date)
    product_developed_on: Mapped[date | None] = mapped_column(Date)
    product_name: Mapped[str | None] = mapped_column(String(255))
    otop_registered_on: Mapped[date | None] = mapped_column(Date)
    otop_registration_no: Mapped[str | None] = mapped_column(String(64))
    selling_online_on: Mapped[date | None] = mapped_column(Date)
    online_channels: Mapped[str | None] = mapped_column(String(255))
    updated_via: Mapped[str | None] = mapped_column(String(32))  # registration | followup | district
    updated_by: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
# ------------------------------------------------------------------ form lifecycle (app/forms/drafts.py, lifecycle.py)


class FormState:
    """Whether a form takes new records (app/forms/lifecycle.py)."""

    OPEN = "open"  # listed, filled, received
    CLOSING = "closing"  # not offered for new fills (form lists, /formList); records already started still received
    CLOSED = "closed"  # not listed; submissions refused with an OpenRosa message; nothing stored is touched
    ALL = (OPEN, CLOSING, CLOSED)


class FormDraft(Base):
    """The next version of a form being prepared: one per form_id (a form with no published version
    yet may have one too: the Form is made when it is published). Mutable until published: replacing its workbook
    keeps its test submissions and re-checks them. Publishing makes a FormVersion from its workbook
    and deletes the draft with its test submissions. `token` is the secret of its test link
    (/forms/<form_id>/draft/<token>/fill). `missing_media`: the data files the form names that are
    not attached yet ([name, ...]); the draft cannot be published while any is missing."""

    __tablename__ = "form_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(String(255), unique=True)  # Form.form_id (app.forms.drafts.form_of)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[str | None] = mapped_column(String(255))  # settings.version; None: assigned at publish
    title: Mapped[str] = mapped_column(String(500))
    xlsx_filename: Mapped[str] = mapped_column(String(255))
    xlsx: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    xform: Mapped[str] = mapped_column(Text)
    survey: Mapped[dict] = mapped_column(JSON)
    definition: Mapped[dict] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    scoring: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    missing_media: Mapped[list] = mapped_column(JSON, default=list)
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    media: Mapped[list[FormDraftMedia]] = relationship(
        back_populates="draft", cascade="all, delete-orphan", order_by="FormDraftMedia.filename")
    test_submissions: Mapped[list[TestSubmission]] = relationship(
        back_populates="draft", cascade="all, delete-orphan", order_by="TestSubmission.id", passive_deletes=True)


class FormDraftMedia(Base):
    """A media file attached to a draft (the same shape as FormMedia, so the fill page serves both)."""

    __tablename__ = "form_draft_media"
    __table_args__ = (UniqueConstraint("draft_id", "filename", name="uq_form_draft_media_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("form_drafts.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))

    draft: Mapped[FormDraft] = relationship(back_populates="media")
    blob: Mapped[Blob] = relationship()


class TestSubmission(Base):
    """A record sent while testing a draft. THE rule that keeps test data out of every list, export,
    report and committee view: a test submission never becomes a Submission — it is checked and
    scored like one (same parser, re-validation and scoring core) but stored only here, with its
    result, and deleted with its draft when the draft is published or discarded. No production
    table (submissions, scores, registry entities, report tables written at receipt) ever sees it.
    Attachments are described, not kept (names, types, sizes, SHA-256s)."""

    __tablename__ = "test_submissions"
    __table_args__ = (UniqueConstraint("draft_id", "instance_id", name="uq_test_submission_instance"),)
    __test__ = False  # not a pytest test class

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("form_drafts.id", ondelete="CASCADE"), index=True)
    instance_id: Mapped[str] = mapped_column(String(255))
    filled_version: Mapped[str | None] = mapped_column(String(255))  # the version attribute it was filled on
    xml: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))  # SubmissionStatus
    errors: Mapped[list] = mapped_column(JSON, default=list)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    score: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # ScoreResult.to_dict() under the draft's spec
    attachments: Mapped[list] = mapped_column(JSON, default=list)  # [{filename, content_type, size, sha256}]
    submitted_by: Mapped[str | None] = mapped_column(String(255))
    submitter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    checked_hash: Mapped[str] = mapped_column(String(64))  # the draft content it was last checked against
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    draft: Mapped[FormDraft] = relationship(back_populates="test_submissions")


# ------------------------------------------------------------------ oversight (app/reports): monthly
# reports, targets, the other funds' levels. The province report and the district worklist aggregate
# these and the score table with SQL (app/reports/queries.py); nothing here is read from submission XML.

# The reports ask the score table "which assessments of this form, in these districts, in this fiscal
# year" (a fiscal year is a range of assessed_on: app.periods.fiscal_year_bounds).
Index("ix_scores_form_district_assessed", Score.form_pk, Score.district_code, Score.assessed_on)
# The worklist asks per group: its latest assessment date, its results of the last two rounds.
Index("ix_scores_group_form_assessed", Score.group_ref, Score.form_pk, Score.assessed_on)


class MonthlyReport(Base):
    """A savings group's monthly status report (the bundled sg_monthly_status form, or any form with
    the questions `group` and `report_month`) as typed figures, written by app.reports.monthly in the
    submission's own transaction. One row per submission; `is_current` follows the edit chain.

    - month: the first day of the month reported on; fiscal_year its Thai fiscal year (B.E.).
    - first_received_at: when the chain's first record reached the server; `on_time` = by the 20th of
      the following month (app.periods.reported_on_time). A correction keeps the original's time.
    - counted: THE report of the group for the month. Among current rows of one (group_ref, month) the
      chain received first counts; a second chain (another tablet, not an edit by deprecatedID) is kept
      but not counted, and its submission carries a warning saying so.
    """

    __tablename__ = "monthly_reports"
    __table_args__ = (
        Index("ix_monthly_reports_group_month", "group_ref", "month"),
        Index("ix_monthly_reports_district_fy", "district_code", "fiscal_year", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), unique=True)
    form_pk: Mapped[int] = mapped_column(ForeignKey("forms.id"), index=True)
    root_instance_id: Mapped[str] = mapped_column(String(255), index=True)
    group_ref: Mapped[str | None] = mapped_column(String(255))
    district_code: Mapped[str | None] = mapped_column(String(16))
    month: Mapped[date] = mapped_column(Date)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    members: Mapped[int | None] = mapped_column(Integer)  # at month end
    new_members: Mapped[int | None] = mapped_column(Integer)
    left_members: Mapped[int | None] = mapped_column(Integer)
    savings_balance: Mapped[float | None] = mapped_column(Numeric(16, 2, asdecimal=False))  # เงินสัจจะสะสม
    special_savings: Mapped[float | None] = mapped_column(Numeric(16, 2, asdecimal=False))
    loans_outstanding: Mapped[float | None] = mapped_column(Numeric(16, 2, asdecimal=False))
    borrowers: Mapped[int | None] = mapped_column(Integer)
    loans_overdue: Mapped[float | None] = mapped_column(Numeric(16, 2, asdecimal=False))
    meeting_held: Mapped[bool | None] = mapped_column(Boolean)
    meeting_date: Mapped[date | None] = mapped_column(Date)
    first_received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    on_time: Mapped[bool] = mapped_column(Boolean)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    needs_correction: Mapped[bool] = mapped_column(Boolean, default=False)
    counted: Mapped[bool] = mapped_column(Boolean, default=True)


class TargetIndicator(Base):
    """A target the province added beyond the built-in ones (app/reports/targets.py BUILTIN): its
    results are not measured by the app, so the report shows the target beside "not measured"."""

    __tablename__ = "target_indicators"
    __table_args__ = (UniqueConstraint("province_code", "key", name="uq_target_indicator_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    province_code: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(64))  # the column name in the Excel sheet
    label_th: Mapped[str] = mapped_column(String(255))
    label_en: Mapped[str] = mapped_column(String(255))
    unit: Mapped[str] = mapped_column(String(32), default="count")
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Target(Base):
    """A district's target for one indicator in one fiscal year (B.E.), set by the province."""

    __tablename__ = "targets"
    __table_args__ = (UniqueConstraint("fiscal_year", "district_code", "indicator", name="uq_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    district_code: Mapped[str] = mapped_column(String(16), index=True)
    indicator: Mapped[str] = mapped_column(String(64))  # a BUILTIN key or a TargetIndicator.key
    value: Mapped[float] = mapped_column(Numeric(14, 2, asdecimal=False))
    updated_by: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class FundLevelCount(Base):
    """How many funds of a district are at each level in a fiscal year, for the two funds the
    department assesses elsewhere: กข.คจ. village funds (fund "kkcj", levels 1/2/3) and
    Mother-of-the-Land villages (fund "mol", levels A/B/C). Imported from Excel by the province."""

    __tablename__ = "fund_level_counts"
    __table_args__ = (UniqueConstraint("fiscal_year", "district_code", "fund", "level", name="uq_fund_level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    district_code: Mapped[str] = mapped_column(String(16), index=True)
    fund: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(8))
    count: Mapped[int] = mapped_column(Integer)
    imported_by: Mapped[str | None] = mapped_column(String(255))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# ------------------------------------------------------------------ list indexes (app/forms/listing.py)
# The submissions list pages by keyset (received_at, id) within a form, per district for district
# offices and province accounts; the committee-links page by (district, created_at).
Index("ix_submissions_form_district_received", Submission.form_pk, Submission.district_code,
      Submission.received_at, Submission.id)
Index("ix_scores_form_group", Score.form_pk, Score.group_ref, Score.district_code)
# An officer's edit chains (app/auth/scope.py): only edits carry a deprecated_id, so this index is small.
Index("ix_submissions_edit_root", Submission.root_instance_id,
      postgresql_where=Submission.deprecated_id.is_not(None), sqlite_where=Submission.deprecated_id.is_not(None))
Index("ix_committee_links_district_created", CommitteeLink.district_code, CommitteeLink.created_at, CommitteeLink.id)
Index("ix_committee_links_created", CommitteeLink.created_at, CommitteeLink.id)  # admin / province: newest first
Index("ix_committee_links_group_ref", CommitteeLink.group_ref)  # a found group's valid links, any district
# ------------------------------------------------------------------ registry revisions (app/registry/revisions.py)

from app.registry.revisions import RegistryRevision  # noqa: E402,F401  (the model and its before_flush hook)

# ------------------------------------------------------------------ exports prepared in the background (app/reports/jobs.py)

from app.reports.job_models import ExportChunk, ExportJob, ExportStatus  # noqa: E402,F401
