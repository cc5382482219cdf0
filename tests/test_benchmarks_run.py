"""The benchmarks still run: each script of benchmarks/ that touches the app's tables, at a tiny size,
exits 0 (they check their own answers and exit 1 on any that is wrong). A schema change once left
reports.py and list_pages.py writing a column that no longer existed, and submissions.py once measured
401s for a release: a benchmark that cannot run measures nothing. Figures are not checked here (that is
the benchmarks' job, on a quiet machine); the PostgreSQL-only ones run in the PostgreSQL pass."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, f"{args[0]} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture
def empty_postgres(database_url):
    """An empty PostgreSQL database of its own (the benchmarks drop and build their schema)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("this benchmark loads its data with PostgreSQL's COPY")
    from sqlalchemy import create_engine, text

    name = f"{database_url.rsplit('/', 1)[1]}_bench"
    admin = create_engine(database_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield database_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_receiving_benchmark_runs():
    out = _run("benchmarks/receiving.py", "--count", "10").stdout
    assert "(201, 'accepted'): 10" in out  # every generated assessment accepted, none refused


def test_otop_profile_benchmark_runs():
    _run("benchmarks/otop_profile.py", "--count", "20", "--households", "300", "--rounds", "1")


def test_reports_benchmark_runs(empty_postgres):
    out = _run("benchmarks/reports.py", "--database-url", empty_postgres, "--sizes", "2000", "--groups", "600",
               "--repeat", "1").stdout
    assert "province" in out


def test_reads_benchmark_runs(empty_postgres):
    _run("benchmarks/reads.py", "--database-url", empty_postgres, "--sizes", "6000", "--repeat", "1")
