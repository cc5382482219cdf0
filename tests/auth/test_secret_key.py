"""Without SECRET_KEY the app makes a random key once per instance folder and keeps it (owner-only
file); every worker process started on that folder signs with the same key; there is no built-in
default key anybody could know."""
from __future__ import annotations

import multiprocessing
import stat

import pytest

from app import create_app
from app.instance_secret import FILENAME, instance_secret
from tests.conftest import TEST_CONFIG


def make(tmp_path, database_url):
    return create_app({**TEST_CONFIG, "DATABASE_URL": database_url, "INSTANCE_DIR": tmp_path, "SECRET_KEY": None})


def test_a_key_is_made_once_kept_owner_only_and_reused(tmp_path, database_url):
    first = make(tmp_path / "a", database_url).config["SECRET_KEY"]
    again = make(tmp_path / "a", database_url).config["SECRET_KEY"]
    other = make(tmp_path / "b", database_url).config["SECRET_KEY"]
    assert len(first) >= 32 and first == again and first != other
    mode = stat.S_IMODE((tmp_path / "a" / FILENAME).stat().st_mode)
    assert mode == 0o600, oct(mode)


def test_a_session_made_by_one_worker_is_good_in_another(tmp_path, database_url, make_user):
    from tests.conftest import sign_in

    user = make_user("officer")
    one, two = make(tmp_path, database_url), make(tmp_path, database_url)
    first = one.test_client()
    sign_in(first, user.username)
    second = two.test_client()
    second.set_cookie(one.config["SESSION_COOKIE_NAME"], first.get_cookie(one.config["SESSION_COOKIE_NAME"]).value)
    assert second.get("/forms").status_code == 200
    stranger = make(tmp_path / "elsewhere", database_url).test_client()  # another instance folder, another key
    stranger.set_cookie(one.config["SESSION_COOKIE_NAME"], first.get_cookie(one.config["SESSION_COOKIE_NAME"]).value)
    assert stranger.get("/forms").status_code in (302, 303, 401)


def _key(directory: str, queue) -> None:  # noqa: ANN001
    queue.put(instance_secret(directory))


def test_workers_starting_together_agree_on_one_key(tmp_path):
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_key, args=(str(tmp_path), queue)) for _ in range(8)]
    for p in procs:
        p.start()
    keys = {queue.get(timeout=30) for _ in procs}
    for p in procs:
        p.join(timeout=30)
    assert len(keys) == 1
    assert [p.name for p in tmp_path.iterdir()] == [FILENAME]  # no temporary file left behind


def test_a_damaged_key_file_is_refused_with_a_message(tmp_path):
    (tmp_path / FILENAME).write_text("short")
    with pytest.raises(RuntimeError, match="no usable secret key"):
        instance_secret(tmp_path)
