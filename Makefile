# chumchon: `make run` serves the app; `make test` runs every test. Both work on a fresh machine.
PY      := .venv/bin/python
PIP     := .venv/bin/pip
FLASK   := .venv/bin/flask --app wsgi
STAMP   := .make
export PIP_DISABLE_PIP_VERSION_CHECK=1

.PHONY: setup run test test-sqlite test-postgres system-deps build db questionnaires bench migration-reset clean

setup: $(STAMP)/venv $(STAMP)/npm build   ## install and build; idempotent, fast when nothing changed

$(STAMP)/venv: pyproject.toml
	@mkdir -p $(STAMP)
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q -e '.[test]'
	@touch $@

$(STAMP)/npm: package.json package-lock.json
	@mkdir -p $(STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build: $(STAMP)/build
$(STAMP)/build: $(STAMP)/npm build.mjs app/thai_words.json $(shell find app/static/js app/static/css service_worker -type f 2>/dev/null)
	node build.mjs
	@touch $@

db: setup
	$(FLASK) db upgrade

questionnaires: db
	$(FLASK) forms import app/questionnaires

# Served on http://127.0.0.1 (loopback, no TLS): the session cookie may not be Secure here.
# Production runs behind TLS with SESSION_COOKIE_SECURE left at its default (1).
run: questionnaires
	$(FLASK) demo load
	SESSION_COOKIE_SECURE=0 .venv/bin/gunicorn --bind 127.0.0.1:8000 --workers 2 --threads 4 --access-logfile - wsgi:app

system-deps:   ## Debian's Chromium (Playwright drives it) and PostgreSQL, when missing
	@if ! command -v chromium >/dev/null || ! test -x /usr/lib/postgresql/*/bin/initdb; then \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium postgresql fonts-thai-tlwg >/dev/null; \
	fi

test: setup system-deps
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

# Two pytest workers (pytest-xdist; each its own database): the browser tests spend most of their
# time waiting on pages, so two halve the suite's time on a 2-core machine. On PostgreSQL the suite
# runs without the browser tests: they test the pages' JavaScript, which does not change with the
# database, and every database behaviour they rely on has a test of its own in the rest.
test-sqlite:
	.venv/bin/pytest -q -n 2

test-postgres:
	scripts/with-postgres.sh .venv/bin/pytest -q -n 2 -m "not browser"

bench: questionnaires
	$(PY) benchmarks/submissions.py

migration-reset:   ## before the first release only: regenerate the single initial migration from the models
	rm -f migrations/versions/*.py
	rm -f /tmp/chumchon-migration.db
	DATABASE_URL=sqlite:////tmp/chumchon-migration.db .venv/bin/alembic revision --autogenerate -m "initial schema" --rev-id 0001

clean:
	rm -rf $(STAMP) app/static/dist
