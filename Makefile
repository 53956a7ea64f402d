# Two commands do all set-up on a fresh clone:
#   make demo   build the whole pipeline on DuckDB over the generated sample
#   make test   run every check (ruff, sqlfluff, pytest, dbt build/test, Trino suite)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test install lint clean

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

demo: install
	$(BIN)/wml demo

test: install
	bash scripts/test.sh

lint: install
	bash scripts/lint.sh

clean:
	rm -rf target logs data exports reports warehouse.duckdb
