# Kommunal: `make run` starts the platform with demo communes, `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
APPS := $(patsubst %/apps.py,%,$(wildcard */apps.py))
PACKAGE_FILES := pyproject.toml setup.py $(wildcard */apps.py)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test fuzz lint check-infra format messages openapi bench vendor clean help

help:
	@echo "make run    set up .venv, the database and demo communes; serve http://localhost:$(PORT)"
	@echo "make test   set up .venv with the dev extras and run the whole test suite"
	@echo "make fuzz   schemathesis over both API documents with many more examples (FUZZ_EXAMPLES)"
	@echo "make lint   ruff (lint + format check) and mypy"
	@echo "make check-infra   terraform fmt and checkov over infra/terraform"
	@echo "make openapi  regenerate docs/openapi-public.yaml and docs/openapi-tenant.yaml"
	@echo "make vendor   refresh KERN UX (platform/static/kern/) and axe-core (tests/a11y/axe/) from npm (needs Node)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python $(PACKAGE_FILES)
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(BIN)/python $(PACKAGE_FILES)
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed

# The local stand-ins (devservices/) start first; bootstrap and runserver get their settings.
run: $(VENV)/.installed
	$(BIN)/python -m devservices run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-dev
	$(BIN)/pytest $(PYTEST_ARGS)

# The contract and hostile-value runs of tests/api/test_schemathesis.py with more examples per
# operation than `make test` uses (there: 6).
FUZZ_EXAMPLES ?= 200
fuzz: $(VENV)/.installed-dev
	KOMMUNAL_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/api/test_schemathesis.py -p no:cacheprovider $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@mkdir -p $(VENV)/mypy-path && ln -sfn ../../platform $(VENV)/mypy-path/kommunal
	DATABASE_URL=postgres://lint@localhost/lint KOMMUNAL_TESTING=1 $(BIN)/mypy

# terraform fmt (where terraform is installed) and checkov, from its own tool venv .venv-tools.
check-infra:
	bash infra/check.sh

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract new UI strings into each app's German and English catalogue, then compile them.
messages: $(VENV)/.installed-dev
	for app in $(APPS); do (cd $$app && mkdir -p locale && KOMMUNAL_DEV=1 ../$(BIN)/django-admin makemessages -l de -l en --settings=kommunal.settings >/dev/null); done
	for app in $(APPS); do (cd $$app && KOMMUNAL_DEV=1 ../$(BIN)/django-admin compilemessages --settings=kommunal.settings >/dev/null); done

# The committed OpenAPI documents (a test fails when they drift from the code).
openapi: $(VENV)/.installed-dev
	KOMMUNAL_DEV=1 $(BIN)/kommunal spectacular --lang en --urlconf kommunal.urls_public --validate --fail-on-warn --file docs/openapi-public.yaml
	KOMMUNAL_DEV=1 $(BIN)/kommunal spectacular --lang en --urlconf kommunal.urls_tenant --validate --fail-on-warn --file docs/openapi-tenant.yaml

bench: $(VENV)/.installed-dev
	@for script in $$(grep -l "__main__" bench/*.py); do echo "== $$script"; KOMMUNAL_DEV=1 $(BIN)/python $$script || exit 1; done

# KERN UX (design standard of German administration): built CSS, fonts and licence from the npm
# registry into platform/static/kern/, and axe-core for the accessibility browser test into
# tests/a11y/axe/. Only this target needs Node; run and test use the copies.
KERN_VERSION ?= latest
AXE_VERSION ?= latest
vendor:
	bash platform/vendor_kern.sh $(KERN_VERSION)
	bash tests/a11y/vendor_axe.sh $(AXE_VERSION)

clean:
	rm -rf $(VENV) .kommunal .pytest_cache .mypy_cache .ruff_cache
