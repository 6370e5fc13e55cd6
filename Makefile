# Two commands matter: `make run` (the demo on SQLite) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test install install-dev messages lint format clean bench bench-authoring bench-certificates bench-dashboards soak

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(PIP) install --quiet -e ".[dev]"
	touch $(DEV_STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

messages: $(STAMP)
	$(PY) scripts/compile_messages.py

run: $(STAMP) messages
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(DEV_STAMP) messages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=lms.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

# Not a test: one certificate against bare WeasyPrint, and 200 with 1 worker against 2, on a
# PostgreSQL database of its own (DATABASE_URL's server, or postgres://postgres@127.0.0.1:5432/).
bench-certificates: $(STAMP) messages
	$(PY) bench/certificates.py

# Not a test: every page people use — the trainee's, the instructor's, the officials', the
# certificate's verification and download — under gunicorn (production settings) against a bare
# Django view, on the synthetic national set at a tenth and at full size (the databases of
# bench-dashboards; BENCH_ARGS="--reuse" keeps and reuses them; see bench/pages.py).
bench: $(STAMP) messages
	$(PY) bench/pages.py $(BENCH_ARGS)

# Not a test: saving a draft, submitting for moderation, approving and publishing a lesson in the
# Wagtail admin, on the demo in a PostgreSQL database of its own (see bench/authoring.py).
bench-authoring: $(STAMP) messages
	$(PY) bench/authoring.py $(BENCH_ARGS)

# Not a test: the federal and regional dashboards and the regions' XLSX under gunicorn (production
# settings) against a bare Django view, on the synthetic national set at a tenth and at full size,
# each in a PostgreSQL database of its own on the same server (BENCH_ARGS="--reuse" keeps the two
# databases and reuses them next time; see bench/dashboards.py for the other options).
bench-dashboards: $(STAMP) messages
	$(PY) bench/dashboards.py $(BENCH_ARGS)

# 100 trainees answering and submitting quizzes and case work for 60 s, officials on their
# dashboards, under gunicorn (production settings) on a PostgreSQL database of its own; no error,
# and every answer and submission accepted is then in the database (see bench/soak.py;
# SOAK_ARGS="--trainees 10 --seconds 8" for a short one, "--keep" keeps the database). Then the
# fault tests: a worker killed mid-issuance, the database lost mid-submission, a full disk, the
# health check. CI runs it after `make test`.
FAULT_TESTS := certificates/tests/test_worker.py core/tests/test_health.py \
	core/tests/test_outages.py assessments/tests/test_casework_faults.py \
	courses/tests/test_import_faults.py tests/test_browser_faults.py
soak: $(DEV_STAMP) messages
	$(PY) bench/soak.py $(SOAK_ARGS)
	$(VENV)/bin/pytest -q -p no:cacheprovider $(FAULT_TESTS)

# The README's pictures of the dashboards (docs/dashboard-*.png): the demo and a synthetic country
# in a PostgreSQL database of their own (DATABASE_URL's server, dropped at the end), photographed
# by Chromium through the login page.
.PHONY: screenshots
screenshots: $(DEV_STAMP) messages
	$(PY) scripts/screenshots.py

# A backup of DATABASE_URL's database (pg_dump), MEDIA_ROOT, PRIVATE_MEDIA_ROOT and a manifest, in
# a folder lms-<time> under BACKUP_DIR; `make restore BACKUP=<that folder>` puts it into an empty
# database and empty folders and checks it against the manifest (RESTORE_ARGS="--grant-to
# lms_web", "--force"). See the README's «Backups and restore» and scripts/backup.py.
BACKUP_DIR ?= var/backups
.PHONY: backup restore
backup: $(STAMP)
	$(PY) scripts/backup.py backup --into $(BACKUP_DIR)

restore: $(STAMP)
	@test -n "$(BACKUP)" || { echo "Which backup? make restore BACKUP=$(BACKUP_DIR)/lms-…"; exit 2; }
	$(PY) scripts/backup.py restore $(BACKUP) $(RESTORE_ARGS)

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .

format: $(DEV_STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var
