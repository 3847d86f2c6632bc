# Two commands: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= $(or $(ECR_HOST),127.0.0.1)
PORT ?= $(or $(ECR_PORT),8000)
SCALE ?= quick
PYTEST_ARGS ?=

.PHONY: run test test-pg openapi openapi-check bench lint clean venv worker

$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

venv: $(BIN)/.installed

# --no-proxy-headers: uvicorn would otherwise believe X-Forwarded-For from any local client
# (its default); who to believe is the service's one setting, ECR_TRUSTED_PROXIES.
run: venv
	$(BIN)/ecr db upgrade
	ECR_HOST=$(HOST) ECR_PORT=$(PORT) $(BIN)/uvicorn core.app:app_factory --factory --host $(HOST) --port $(PORT) --no-proxy-headers

worker: venv
	$(BIN)/ecr worker

test: venv
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest $(PYTEST_ARGS)

openapi: venv
	$(BIN)/ecr openapi --out openapi

openapi-check: venv
	$(BIN)/ecr openapi --out openapi --check

bench: venv
	$(BIN)/python -m bench.run --scale $(SCALE)

clean:
	rm -rf $(VENV) var/*.sqlite3* .pytest_cache tests/artifacts
