# Outreach: `make run` serves the app on embedded defaults, `make test` runs the whole suite.
# Both set up what they need on first use (a .venv beside this file) and are quick the second time.

# Python 3.12 or newer: on 3.11 the garbage collector can crash the server (docs/deploy.md, section 12).
# PYTHON=/path/to/python chooses one; otherwise the first new enough of python3, python3.14, python3.13 and
# python3.12 on PATH, then pyenv's newest. Only looked for when .venv is made.
NEW_ENOUGH := import sys; sys.exit(sys.version_info < (3, 12))
PYENV_ROOT ?= $(HOME)/.pyenv
PYTHON ?= $(shell for p in python3 python3.14 python3.13 python3.12 \
	$$(ls -d $(PYENV_ROOT)/versions/3.*/bin/python3 2>/dev/null | sort -rV); do "$$p" -c '$(NEW_ENOUGH)' 2>/dev/null && { command -v "$$p"; exit; }; done)
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

# Tests that run real processes against real clocks (marked realtime) come last, one at a time: on a loaded
# machine they would otherwise share its cores with the parallel part and miss their windows. (Exit status 5:
# PYTEST_ARGS chose no test of that part.)
test: $(VENV)/.test-deps $(MO)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -n $(or $(JOBS),auto) -m "not realtime" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(BIN)/pytest -n 0 -m realtime $(PYTEST_ARGS) || [ $$? -eq 5 ]

lint: $(VENV)/.test-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

$(BIN)/python:
	@python="$(PYTHON)"; \
	if [ -z "$$python" ]; then \
		echo "Outreach needs Python 3.12 or newer and found none: install python3.13 or python3.12 (your system's" \
			"packages or pyenv), or name one with PYTHON=/path/to/python3." >&2; exit 1; \
	elif ! "$$python" -c '$(NEW_ENOUGH)'; then \
		echo "Outreach needs Python 3.12 or newer, and PYTHON=$$python is older (or does not run)." >&2; exit 1; \
	fi; \
	echo "$$python -m venv $(VENV)"; "$$python" -m venv $(VENV)

$(VENV)/.run-deps: pyproject.toml | $(BIN)/python
	@$(BIN)/python -c '$(NEW_ENOUGH)' || { \
		echo "$(VENV) was made with a Python older than 3.12: remove it (make clean) and run make again." >&2; exit 1; }
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
