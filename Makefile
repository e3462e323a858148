# Seloste: `make run` starts the app on the embedded default, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := webapp

.PHONY: run test install install-dev translations catalogs migrate lint worker clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations node_modules/.installed

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d webapp/translations

# Re-extract interface strings and merge them into the catalogs (after editing templates or code).
catalogs: $(VENV)/.installed
	$(BIN)/pybabel extract --no-location --omit-header -F babel.cfg -k _l -o webapp/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i webapp/translations/messages.pot -d webapp/translations

migrate: install
	$(BIN)/flask db upgrade

run: migrate
	@echo "Seloste runs at http://$(HOST):$(PORT)/  (mail is written to instance/mail/)"
	$(BIN)/flask run --host $(HOST) --port $(PORT)

worker: migrate
	$(BIN)/flask snapshots work --worker --outbox

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf $(VENV) node_modules .pytest_cache

# Public notice page vs a constant route vs nginx static (needs wrk and nginx; see README "Benchmark").
bench: install
	$(BIN)/python bench/public_notice $(BENCH_ARGS)
