# SIG: the two commands are `make run` and `make test` (README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
REQ_HASH := $(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-10)
STAMP := $(VENV)/.installed-$(REQ_HASH)
DEPS_FOR ?= test

.PHONY: run test setup deps venv db db-stop migrate demo messages lint bench

run: DEPS_FOR = run
run: deps venv messages  ## set up, then serve http://127.0.0.1:8000 (Ctrl-C stops it)
	scripts/serve.sh

test: setup  ## set up, then lint, check migrations and run the whole test suite
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

setup: deps venv db messages migrate

deps:
	@scripts/install-deps.sh $(DEPS_FOR)

venv: $(STAMP)
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

db:
	$(PYTHON) -m sig.localdb start

db-stop:
	$(PYTHON) -m sig.localdb stop

migrate:
	$(PY) manage.py migrate --noinput

demo:
	$(PY) manage.py seed_demo --if-empty

messages:
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

lint:
	$(VENV)/bin/ruff check .

bench: setup  ## speed targets (../shared/BENCH.md): each script ends with RATIO lines
	@for b in bench/*; do [ -x "$$b" ] && [ -f "$$b" ] && { echo "== $$b"; $$b || exit 1; }; done; true
