# Kiln: `make run` serves a seeded site at http://127.0.0.1:8000; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Absolute URLs (TDM policy, XMP, C2PA) follow the port this run really serves on.
export KILN_SITE_URL ?= http://127.0.0.1:$(PORT)
STAMP := $(VENV)/.installed

.PHONY: run dev test lint fmt migrate seed worker check clean bench-quick prod-local prod-local-down

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Kiln needs Python 3.11+"' \
	  || { echo "Kiln needs Python 3.11 or newer."; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { echo "Could not create a virtualenv. Install it with: apt-get install python3-venv"; exit 1; }

# Reinstall only when the pinned requirements change.
$(STAMP): $(VENV)/bin/python requirements/lock.txt
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements/lock.txt
	@touch $(STAMP)

var:
	@mkdir -p var

migrate: $(STAMP) var
	$(PY) manage.py migrate --noinput -v 0

seed: migrate
	$(PY) manage.py seed_demo

# As a visitor sees it: DEBUG off (Kiln's own error pages, no route listings), over local HTTP.
run: seed
	@$(PY) manage.py fetch_models --if-missing --timeout 10
	@DEBUG=0 KILN_LOCAL_HTTP=1 $(PY) manage.py collectstatic --noinput -v 0
	@echo "Kiln: http://127.0.0.1:$(PORT)  (Ctrl-C stops the server and the worker)"
	@DEBUG=0 KILN_LOCAL_HTTP=1 exec $(PY) -m kiln.devserver --port $(PORT)

# For engineers: Django's debug pages.
dev: seed
	@echo "Kiln (DEBUG on): http://127.0.0.1:$(PORT)"
	@DEBUG=1 exec $(PY) -m kiln.devserver --port $(PORT)

worker: $(STAMP)
	$(PY) manage.py db_worker --queue-name default,low

# Production topology on this machine: nginx, two web nodes, PostgreSQL primary + replica,
# Redis, moto (S3), two workers (docs/deploy.md). `make prod-local-down` stops it.
prod-local: $(STAMP)
	@bash scripts/system_deps.sh
	deploy/local.sh up

prod-local-down:
	deploy/local.sh down

test: $(STAMP)
	@bash scripts/system_deps.sh
	@bash scripts/node_deps.sh
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run

fmt: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var
