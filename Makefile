# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test docs lint typecheck bench system-deps browser-deps client-deps clean

# Graphviz draws the diagrams; rsvg-convert turns our finished SVG into PNG and PDF.
system-deps:
	@if command -v dot >/dev/null && command -v rsvg-convert >/dev/null; then exit 0; fi; \
	if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "installing graphviz and librsvg2-bin from Debian's packages"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz librsvg2-bin >/dev/null; \
	elif command -v apt-get >/dev/null && command -v sudo >/dev/null; then \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz librsvg2-bin >/dev/null; \
	else \
		echo "Betgraph needs Graphviz (dot) and librsvg (rsvg-convert)."; \
		echo "  Debian/Ubuntu: apt-get install graphviz librsvg2-bin"; \
		echo "  macOS:         brew install graphviz librsvg"; \
		exit 1; \
	fi

# The viewer's end-to-end tests drive Debian's chromium through Playwright (no browser download).
browser-deps:
	@if command -v chromium >/dev/null; then exit 0; fi; \
	if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "installing chromium from Debian's packages"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	elif command -v apt-get >/dev/null && command -v sudo >/dev/null; then \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "The viewer's tests need Chromium: apt-get install chromium, or set BETGRAPH_CHROMIUM to its path."; \
		exit 1; \
	fi

# The real clients the embed tests hand our output to: Debian's cmark-gfm (GitHub's Markdown),
# MediaWiki on PHP's built-in server, nginx and wrk (the reverse-proxy configuration and its
# benchmark), and the npm mermaid-cli driving Debian's chromium (its own browser download skipped).
CLIENT_PACKAGES := cmark-gfm mediawiki php-cli php-sqlite3 php-intl php-mbstring php-xml nginx-light wrk
CLIENTS := tests/clients/node_modules/.installed
client-deps: $(CLIENTS)
	@missing=$$(for p in $(CLIENT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "installing $$missing from Debian's packages"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	elif command -v apt-get >/dev/null && command -v sudo >/dev/null; then \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
		echo "The embed tests need: $$missing (Debian package names)"; \
		exit 1; \
	fi

$(CLIENTS): tests/clients/package.json tests/clients/package-lock.json
	cd tests/clients && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	touch $(CLIENTS)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

run: system-deps $(STAMP)
	@mkdir -p $(OUT)
	@for doc in examples/*.yaml; do \
		name=$$(basename $$doc .yaml); \
		$(BIN)/betgraph render $$doc -o $(OUT)/$$name.svg || exit 1; \
	done
	@$(BIN)/betgraph render examples/acme.yaml --view why --focus employee-invite-flow -o $(OUT)/acme-why.svg
	@$(BIN)/betgraph import examples/acme.yaml
	@token=$$($(BIN)/betgraph token create --scope admin --label "make run"); \
	echo; \
	echo "Betgraph is running at http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/docs)"; \
	echo "The example in the viewer: http://$(HOST):$(PORT)/graphs/acme  (sign in with the token below to edit)"; \
	echo "The example graph: http://$(HOST):$(PORT)/api/graphs/acme"; \
	echo "An admin token for this database:  $$token"; \
	echo "Diagrams of the examples are in $(abspath $(OUT))/"; \
	echo; \
	exec $(BIN)/betgraph serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# Python's bytecode is kept between runs even where PYTHONDONTWRITEBYTECODE is set: without it each
# worker compiled and assertion-rewrote some 500 modules (4 s of its start) and each server and command
# the tests start compiled app/ again. The __pycache__ folders are ignored by git.
test: system-deps browser-deps client-deps $(STAMP) lint typecheck
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n 2

# app/formats/records.py, written from the document's models (tests/formats/test_records.py checks it is current);
# docs/document.md, written from the code and docs/document.md.j2 (tests/formats/test_docs.py checks it is current);
# then the README's screenshots, saved by the viewer's tests as they walk its flows: one process, in the file's
# order, so that the index is seen before any test adds a copy of the example of its own.
docs: system-deps browser-deps $(STAMP)
	$(BIN)/python -m app.formats.recordgen
	$(BIN)/python -m app.formats.docs
	BETGRAPH_SCREENSHOTS=docs/screenshots $(BIN)/pytest -n 0 tests/web/test_pages.py

bench: system-deps $(STAMP)
	$(BIN)/python bench/render_bench.py

clean:
	rm -rf $(VENV) $(OUT) .mypy_cache .ruff_cache .pytest_cache
