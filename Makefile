# Two commands: `make run` (the demo on the embedded default) and `make test` (the whole suite
# against PostgreSQL and Redis). Both set up everything they need on a fresh Debian machine.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Debian packages: WeasyPrint's fast font subsetting, pdftotext for PDF checks, the browser for
# end-to-end tests, zbarimg for reading QR codes back, gettext for compiling translations.
DEBIAN_PACKAGES := libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils zbar-tools chromium gettext fonts-dejavu-core
PG_CLUSTER = $(shell ls /etc/postgresql 2>/dev/null | head -n 1)
# The suite in two pytest-xdist processes (`--dist load`, the only order tests/conftest.py
# allows), each with its own test database and Redis database. Serially:
# `make test PYTEST_ARGS=-n0`; any other pytest options go here too.
PYTEST_ARGS ?= -n 2 --dist load
# `make run PORT=8001` when 8000 is taken; the demo's links (e-mails, certificates) follow it.
PORT ?= 8000
# The suite's PostgreSQL: portal.settings_test's default unless DATABASE_URL is set.
TEST_DATABASE_URL = $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/portal)

.PHONY: run test install system-packages services migrate demo messages lint bench clean security

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock ".[dev]"
	touch $(STAMP)

install: $(STAMP)

system-packages:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "Starting PostgreSQL"; \
	  pg_ctlcluster --skip-systemctl-redirect $(PG_CLUSTER) main start; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }
	@createdb -h 127.0.0.1 -U postgres portal 2>/dev/null || true
	@psql -w "$(TEST_DATABASE_URL)" -Atqc "select 1" >/dev/null || { \
	  echo "PostgreSQL refuses $(TEST_DATABASE_URL). Set DATABASE_URL=postgres://USER:PASSWORD@127.0.0.1:5432/portal" >&2; \
	  echo "(a role that may create databases), or let user postgres in from 127.0.0.1 in pg_hba.conf." >&2; \
	  exit 1; }
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { echo "Starting Redis"; \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; \
	  for i in $$(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done; }

messages: $(STAMP)
	$(PY) manage.py makemessages -l nl -l en --no-obsolete --ignore=.venv --ignore=var --ignore=tests --ignore=build --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: system-packages demo
	PORTAL_BASE_URL=$${PORTAL_BASE_URL:-http://127.0.0.1:$(PORT)} $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: system-packages $(STAMP) services
	$(PY) manage.py makemigrations --check --dry-run --settings=portal.settings_test >/dev/null
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Static analysis (bandit: fails on high severity) and the pinned dependencies against known
# vulnerabilities (pip-audit: fails on a known one; says so when the service is unreachable).
security: $(STAMP)
	$(VENV)/bin/bandit -c pyproject.toml -r . -q --severity-level high
	$(PY) .ci/dependency_audit.py requirements.lock

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check . || true

clean:
	rm -rf var/portal.sqlite3 var/mail staticfiles

bench: $(STAMP) services
	$(PY) -m tests.bench.run
