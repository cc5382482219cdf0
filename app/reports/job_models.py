"""Tables of exports prepared in the background (app/reports/jobs.py): the job and the file's bytes.

In the database, not in a process or on one server's disk: any app server can show a job's progress,
resume a job whose server died, and serve the file.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class ExportStatus:
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ExportJob(Base):
    """One export asked for on the submissions page, prepared in the background and downloaded when
    ready. Only the user who asked may see it; the file is deleted a day after it is ready."""

    __tablename__ = "export_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # the job's address (unguessable)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    form_pk: Mapped[int] = mapped_column(ForeignKey("forms.id"))
    fmt: Mapped[str] = mapped_column(String(8))  # csv | xlsx
    params: Mapped[list] = mapped_column(JSON)  # the export request's query arguments, [[name, value], ...]
    base_url: Mapped[str] = mapped_column(String(500))  # for the links inside the file
    status: Mapped[str] = mapped_column(String(16), default=ExportStatus.QUEUED, index=True)
    rows_total: Mapped[int | None] = mapped_column(Integer)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    phase: Mapped[str | None] = mapped_column(String(16))  # counting | rows | saving
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(255))  # host:pid of the process running it
    filename: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ExportChunk(Base):
    """A piece of a finished export's file (1 MB), in order."""

    __tablename__ = "export_chunks"

    job_id: Mapped[int] = mapped_column(ForeignKey("export_jobs.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
