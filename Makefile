# Outreach: `make run` serves the app on embedded defaults, `make test` runs the whole suite.
# Both set up what they need on first use (a .venv beside this file) and are quick the second time.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PO := $(wildcard outreach/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint format translations extract-messages clean

run: $(VENV)/.run-deps $(MO)
	FLASK_DEBUG=1 $(BIN)/flask db upgrade
	FLASK_DEBUG=1 $(BIN)/flask directory demo --if-empty
	FLASK_DEBUG=1 $(BIN)/flask campaigns init
	FLASK_DEBUG=1 $(BIN)/flask accounts first-admin
	@echo "Outreach runs on http://$(HOST):$(PORT)/ with a delivery worker and a mail sink (Ctrl+C stops all three)"
	@echo "Mail is caught locally: read it at http://$(HOST):$(PORT)/admin/dev-mail"
	@trap 'kill 0' EXIT; \
	FLASK_DEBUG=1 $(BIN)/flask outbox dev-sink & \
	FLASK_DEBUG=1 OUTREACH_PUBLIC_URL=http://$(HOST):$(PORT) $(BIN)/flask outbox work & \
	FLASK_DEBUG=1 OUTREACH_PUBLIC_URL=http://$(HOST):$(PORT) $(BIN)/flask run --host $(HOST) --port $(PORT)

test: $(VENV)/.test-deps $(MO)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $(or $(JOBS),auto) $(PYTEST_ARGS)

lint: $(VENV)/.test-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml $(VENV)/.run-deps
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# Compiled message catalogues are build output (not committed): rebuilt whenever a .po file changes.
%.mo: %.po $(VENV)/.run-deps
	$(BIN)/pybabel compile --statistics -i $< -o $@

translations: $(MO)

# After changing user-facing text: refresh the catalogue, translate the new entries in the .po file, commit it.
extract-messages: $(VENV)/.run-deps
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k lazy_gettext -o outreach/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i outreach/translations/messages.pot -d outreach/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find outreach -name '*.mo' -delete
