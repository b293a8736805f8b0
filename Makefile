# sparkls — the targets README.md names. Everything a target needs is
# installed by the project's own scripts (scripts/spark-server, scripts/gen-proto).
SHELL := /bin/bash
GO ?= go
BIN := bin/sparkls
PORT ?= 15002
# The version scripts/spark-server installs by default (the tests check the
# server reports it): the newest release that passes the whole suite.
SPARK_VERSION ?= 4.3.0
AUTH_PORT ?= 15003
# The token of the test server started with --token (not a secret: a test fixture).
AUTH_TOKEN ?= sparkls-test-token
# The other Spark Connect servers that test-compat runs a subset of the
# integration tests against, one after another: each its own venv, instance
# (COMPAT_PREFIX + version) and port (COMPAT_PORT, then one more for each).
COMPAT_VERSIONS ?= 3.5.7 4.0.1 4.1.4 4.2.1
COMPAT_PORT ?= 15012
COMPAT_PREFIX ?= compat-
# test-compat-version alone runs one of them (by default the first).
COMPAT_VERSION ?= $(firstword $(COMPAT_VERSIONS))
COMPAT_VERSION_PORT ?= $(COMPAT_PORT)
# The compatibility subset: connect, catalog load, run of every type, cancel,
# diagnostics, completion, hover, the built-in lists of that version, and the
# safety and lexer tests (tests that need a newer server skip and say so).
COMPAT_TESTS := TestITSafety|TestITDifferentialLexer|TestITSparkVersion|TestITCapabilities|TestITCloseStopsJobs|TestITRenderingMatchesSparkCast|TestITDDLRunsOnceAndTempViewPersists|TestITTruncation|TestITBillionRowsBounded|TestITCancel|TestITErrorPositions|TestITAnalyze|TestITCatalog|TestITSchema.*|TestITDiagnostics|TestITRun.*|TestITCheck|TestITQueryAndCatalog|TestITCatalogRefreshStats|TestITUpToDate|TestITSessionRPCs

.PHONY: build demo test test-go test-nvim test-vscode test-compat test-compat-version test-unit server-start server-stop generate generate-builtins bench vet

build:
	$(GO) build -o $(BIN) ./cmd/sparkls

# The main job: a local Spark Connect server with the demo catalog, then a
# catalog listing and a preview through sparkls.
demo: build
	scripts/spark-server install
	scripts/spark-server start --port $(PORT)
	scripts/spark-server seed --port $(PORT)
	$(BIN) catalog --remote sc://127.0.0.1:$(PORT) --columns 'sales.*'
	$(BIN) query --remote sc://127.0.0.1:$(PORT) --limit 5 'SELECT * FROM sales.orders ORDER BY order_id'

server-start:
	scripts/spark-server install
	scripts/spark-server start --port $(PORT)
	scripts/spark-server seed --port $(PORT)
	scripts/spark-server start --name auth --port $(AUTH_PORT) --token $(AUTH_TOKEN)

server-stop:
	-scripts/spark-server stop --name auth
	-scripts/spark-server stop
	-for v in $(COMPAT_VERSIONS); do scripts/spark-server stop --name $(COMPAT_PREFIX)$$v; done

# Every test: unit tests (fake Spark Connect server), integration tests
# against the real local Spark Connect servers (Go, under the race
# detector), and the editors driven for real against the same server.
test: test-go test-nvim test-vscode
	$(MAKE) test-compat

test-go: server-start
	SPARKLS_IT_REMOTE=sc://127.0.0.1:$(PORT) SPARKLS_IT_SPARK_VERSION=$(SPARK_VERSION) \
	SPARKLS_IT_AUTH_REMOTE="sc://127.0.0.1:$(AUTH_PORT)" SPARKLS_IT_AUTH_TOKEN=$(AUTH_TOKEN) \
	SPARKLS_IT_PYTHON="$$(scripts/spark-server python --version $(SPARK_VERSION))" \
	$(GO) test -race -count=1 -timeout 30m ./...

# Headless Neovim (Debian's 0.7.2 and 0.11) drives the real sparkls.
test-nvim: server-start
	SPARKLS_IT_REMOTE=sc://127.0.0.1:$(PORT) SPARKLS_NVIM_CATALOG=1 scripts/test-nvim

# Real VS Code (code-server) in headless Chromium drives the extension and
# the real sparkls; installs Node 24, code-server and Chromium on first use.
test-vscode: server-start
	SPARKLS_IT_REMOTE=sc://127.0.0.1:$(PORT) SPARKLS_IT_AUTH_REMOTE=sc://127.0.0.1:$(AUTH_PORT) \
	SPARKLS_IT_AUTH_TOKEN=$(AUTH_TOKEN) scripts/test-vscode

# The compatibility subset against each of $(COMPAT_VERSIONS), one server
# at a time: installed, started, seeded, tested, stopped before the next
# (the 2-core machine runs one Spark server's jobs at a time well). A
# failing version does not stop the others; the target fails at the end
# and names it. Each version prints the seconds it took: on 2 busy cores
# about 2 min for 3.5.7 and 3-4.5 min for each 4.x, plus 1.5-3.5 min to
# install a version the first time (pip's cache is shared).
test-compat:
	@failed=""; i=0; \
	for v in $(COMPAT_VERSIONS); do \
	  $(MAKE) --no-print-directory test-compat-version COMPAT_VERSION=$$v \
	    COMPAT_VERSION_PORT=$$(( $(COMPAT_PORT) + i )) || failed="$$failed $$v"; \
	  i=$$(( i + 1 )); \
	done; \
	[[ -z "$$failed" ]] || { echo "test-compat: failed on:$$failed" >&2; exit 1; }

# One version of test-compat (COMPAT_VERSION on COMPAT_VERSION_PORT); the
# server is stopped whether the tests pass or not. SPARKLS_IT_SPARK_VERSION
# is what the server must report.
test-compat-version:
	@start=$$SECONDS; name=$(COMPAT_PREFIX)$(COMPAT_VERSION); port=$(COMPAT_VERSION_PORT); \
	trap 'scripts/spark-server stop --name '"$$name"' >/dev/null 2>&1 || true' EXIT; \
	set -e; \
	scripts/spark-server install --version $(COMPAT_VERSION); \
	scripts/spark-server start --version $(COMPAT_VERSION) --name $$name --port $$port; \
	scripts/spark-server seed --version $(COMPAT_VERSION) --port $$port; \
	SPARKLS_IT_REMOTE=sc://127.0.0.1:$$port SPARKLS_IT_SPARK_VERSION=$(COMPAT_VERSION) \
	$(GO) test -race -count=1 -timeout 20m -run '^($(COMPAT_TESTS))$$' ./connect/ ./lsp/ ./cmd/sparkls/ ./cmd/gen-builtins/; \
	scripts/spark-server stop --name $$name; \
	echo "test-compat: Spark $(COMPAT_VERSION) passed in $$(( SECONDS - start ))s"

# Unit tests only: no Spark server needed.
test-unit:
	$(GO) test -race ./...

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v /internal/pb/))" || { gofmt -l $$(git ls-files '*.go' | grep -v /internal/pb/); exit 1; }

# Regenerates the protobuf code and the VS Code contributions (settings,
# commands) from lsp/settings.go and lsp/names.go, and the built-in function
# and keyword lists of ide from the lists saved by generate-builtins.
generate:
	$(GO) generate ./connect/...
	$(GO) run ./cmd/gen-editors
	$(GO) run ./cmd/gen-builtins

# Reads the built-in functions and keywords from a local server of each
# version cmd/gen-builtins knows (BUILTIN_VERSIONS), one at a time, and
# writes ide's lists from all of them.
BUILTIN_VERSIONS ?= 3.5.7 4.0.1 4.1.4 4.2.1 4.3.0
generate-builtins:
	@for v in $(BUILTIN_VERSIONS); do \
	  name=builtins-$$v; \
	  scripts/spark-server install --version $$v && \
	  scripts/spark-server start --version $$v --name $$name --port $(COMPAT_PORT) && \
	  $(GO) run ./cmd/gen-builtins --remote sc://127.0.0.1:$(COMPAT_PORT); rc=$$?; \
	  scripts/spark-server stop --name $$name; \
	  [[ $$rc == 0 ]] || exit $$rc; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
