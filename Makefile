# ai-cost-warehouse: `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
UV_VERSION := 0.13.8
UV := $(VENV)/bin/uv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)
export DO_NOT_TRACK := 1

SCALE ?= 1
SEED ?= 42
BENCH_SCALE ?= 30
BENCH_ENGINE ?= duckdb

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -hE '^[a-z][a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	@touch $@

install: $(VENV)/.synced ## Create the virtualenv from the lock file (uv.lock)

# Tools that run beside the project in their own virtualenvs (their pins clash with ours): the FinOps
# Foundation's focus-validator (Python >= 3.12) and a local BigQuery API emulator for the tests.
PYTHON312 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3) python3.12)
FOCUS_VALIDATOR_VERSION := 2.2.1
BQEMULATOR_VERSION := 1.4.0

.venv-focus/.installed: $(UV)
	$(UV) venv --quiet --allow-existing -p $(PYTHON312) .venv-focus
	VIRTUAL_ENV=.venv-focus $(UV) pip install --quiet "focus-validator==$(FOCUS_VALIDATOR_VERSION)" "pyarrow<22"
	@touch $@

.venv-bqemu/.installed: $(UV)
	$(UV) venv --quiet --allow-existing -p $(PYTHON) .venv-bqemu
	VIRTUAL_ENV=.venv-bqemu $(UV) pip install --quiet "bqemulator==$(BQEMULATOR_VERSION)" "duckdb==1.5.5" "duckdb-extension-spatial==1.5.5" "numpy==2.4.6"
	@# DuckDB cannot download its spatial extension here; the wheel ships it, DuckDB looks in ~/.duckdb.
	mkdir -p $(HOME)/.duckdb/extensions/v1.5.5/linux_amd64
	cp .venv-bqemu/lib/python3.*/site-packages/duckdb_extension_spatial/extensions/v1.5.5/spatial.duckdb_extension \
	   $(HOME)/.duckdb/extensions/v1.5.5/linux_amd64/
	@touch $@

# The oldest DuckDB 1.x client (and pytz, which 1.x clients need for TIMESTAMPTZ): the analyst copy
# (warehouse/published/aicost.duckdb) must open in the 1.x DuckDBs that BI tools and drivers embed.
DUCKDB1_VERSION := 1.0.0

.venv-duckdb1/.installed: $(UV)
	$(UV) venv --quiet --allow-existing -p $(PYTHON) .venv-duckdb1
	VIRTUAL_ENV=.venv-duckdb1 $(UV) pip install --quiet "duckdb==$(DUCKDB1_VERSION)" "pytz==2026.6"
	@touch $@

# The FinOps Foundation's CUR-to-FOCUS converter, for `make bench`'s comparison only. Its own pins are too
# loose for today's packages: pandera 0.17 needs multimethod's `overload` (gone in 1.11) and typer 0.9 breaks
# on click 8.2's flag checks.
FOCUS_CONVERTER_VERSION := 1.0.0

.venv-focusconv/.installed: $(UV)
	$(UV) venv --quiet --allow-existing -p $(PYTHON) .venv-focusconv
	VIRTUAL_ENV=.venv-focusconv $(UV) pip install --quiet "focus-converter==$(FOCUS_CONVERTER_VERSION)" "multimethod<1.11" "click<8.2"
	@touch $@

tools: .venv-focus/.installed .venv-bqemu/.installed .venv-duckdb1/.installed ## Install focus-validator, the BigQuery emulator and a DuckDB 1.x client (tests use them)

demo: install ## Generate a month of sample data, run the whole pipeline on DuckDB, print a summary
	$(BIN)/aicost demo --scale $(SCALE) --seed $(SEED)

run: install ## Run the pipeline on the configured landing location (see README)
	$(BIN)/aicost run

test: install tools ## Run the whole test suite (unit + end-to-end)
	$(BIN)/pytest

test-unit: install ## Run the unit tests only (tests/unit: no services, about 12 s)
	$(BIN)/pytest tests/unit

lint: install ## ruff (lint + format check) and sqlfluff on the dbt models
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd dbt_project && AICOST_WAREHOUSE=$$(mktemp -d)/lint.duckdb ../$(BIN)/sqlfluff lint models tests

fmt: install ## Format Python with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install .venv-focusconv/.installed ## Cold, no-op, one more day, restated month at BENCH_SCALE on BENCH_ENGINE (duckdb|spark); vs focus-converter
	$(BIN)/python -m pipelines.bench --scale $(BENCH_SCALE) --engine $(BENCH_ENGINE) --focus-converter .venv-focusconv/bin/focus-converter

ui: install ## Start the Dagster UI on http://127.0.0.1:3000 over the warehouse's runs (<warehouse folder>/dagster)
	$(BIN)/aicost ui

docs: install ## Build the dbt docs catalogue and serve it on http://127.0.0.1:8080 (`aicost docs --port N`)
	$(BIN)/aicost docs

clean: ## Remove the virtualenv, generated data and build outputs
	rm -rf $(VENV) warehouse landing dbt_project/target dbt_project/logs .pytest_cache

.PHONY: help install tools demo run test test-unit lint fmt bench ui docs clean
