# Two commands for users: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app checklist
HOST ?= 127.0.0.1
PORT ?= 5000
# apt-get needs root; use sudo when we are not root and it exists.
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)

.PHONY: run test bench install install-test system-deps translations i18n-extract i18n-update check-criteria clean

run: install translations instance/config.py
	$(FLASK) init-db
	$(FLASK) demo-data
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) wsgi:app

test: install-test system-deps translations
	$(BIN)/lint-imports
	node --test tests/js/
	$(BIN)/python -m pytest

bench: install-test system-deps translations
	$(BIN)/python -m bench
	$(BIN)/python -m bench.slow
	$(BIN)/python -m bench.crash --seconds 30
	$(BIN)/python -m bench.scale

check-criteria: install
	$(FLASK) check-criteria

install: $(BIN)/.installed-runtime
install-test: $(BIN)/.installed-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(BIN)/.installed-runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.installed-test: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $(BIN)/.installed-runtime $@

# Debian's Chromium for the browser tests, poppler's pdftotext for reading PDFs, Node for the browser modules' tests.
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y $$missing; \
	fi

translations: install
	$(BIN)/pybabel -q compile --use-fuzzy -d checklist/translations

instance/config.py:
	@mkdir -p instance
	@$(PYTHON) -c "import secrets; print('# Local settings; never commit this file.\nSECRET_KEY = ' + repr(secrets.token_hex(32)) + '\n# make run serves plain http on 127.0.0.1; behind TLS in production, remove this line.\nSESSION_COOKIE_SECURE = False\n# A second factor is optional for every role here, so the printed demo passwords sign in; remove this line to require it\n# for coordinators, monitors and admins, as production does.\nTOTP_REQUIRED_ROLES = []')" > $@
	@echo "Created $@ with a random SECRET_KEY."

# For developers: after changing UI strings, extract them and update the catalog.
i18n-extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -o checklist/translations/messages.pot --no-location --sort-output --omit-header --no-wrap .
i18n-update: i18n-extract
	$(BIN)/pybabel update -i checklist/translations/messages.pot -d checklist/translations --no-fuzzy-matching --no-wrap

clean:
	rm -rf $(VENV) .pytest_cache
