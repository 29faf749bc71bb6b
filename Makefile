# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := DEBUG=$${DEBUG:-true} $(BIN)/python manage.py
HOST ?= 127.0.0.1:8000

.PHONY: run worker test install lint format superuser fixture

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) loaddata tay_ho
	@if [ -n "$$DJANGO_SUPERUSER_USERNAME" ]; then \
		$(MANAGE) createsuperuser --noinput || echo "No new superuser (see the message above)."; \
	else \
		echo "To sign in at http://$(HOST)/admin/, run: make superuser"; \
	fi
	@# The worker that makes photos' renditions runs beside the site and stops with it.
	$(MANAGE) db_worker --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver $(HOST)

# The worker alone (articles/tasks.py): photos' renditions, made after each save.
worker: install
	$(MANAGE) db_worker

# The suite on SQLite, spread over the cores; .ci/run runs it again, serially, on PostgreSQL
# and Redis, whose one database the tests share.
test: install lint
	$(BIN)/pytest -n auto --dist worksteal

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

superuser: install
	$(MANAGE) migrate --noinput
	$(MANAGE) createsuperuser

fixture: install
	$(BIN)/python fixtures/build_tay_ho.py

# The readers' site: tools for the checks that need more than Python (root for apt-get, as in
# CI). Tests whose tool is missing skip and say which; `make lighthouse` needs them all.
.PHONY: check-tools lighthouse

check-tools: install
	$(BIN)/python -m pip install --quiet -e ".[dev,checks,production]"
	command -v java >/dev/null || { apt-get update -qq && apt-get install -y -qq default-jre-headless; }
	command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }
	[ -x .tools/node_modules/.bin/lighthouse ] && [ -f .tools/node_modules/axe-core/axe.min.js ] || \
		npm install --prefix .tools --no-audit --no-fund --loglevel=error lighthouse@12 axe-core@4

# Lighthouse on the seed article served by gunicorn with DEBUG=False; fails under 95.
lighthouse: check-tools
	scripts/lighthouse.sh
