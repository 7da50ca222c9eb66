# Kiln: `make run` serves a seeded site at http://127.0.0.1:8000; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint fmt migrate seed worker check clean bench-quick

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

run: seed
	@$(PY) manage.py fetch_models --if-missing --timeout 10
	@$(PY) manage.py collectstatic --noinput -v 0
	@echo "Kiln: http://127.0.0.1:$(PORT)  (Ctrl-C stops the server and the worker)"
	@exec $(PY) -m kiln.devserver --port $(PORT)

worker: $(STAMP)
	$(PY) manage.py db_worker --queue-name default,low

test: $(STAMP)
	@bash scripts/system_deps.sh
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

fmt: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var
