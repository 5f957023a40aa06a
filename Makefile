# corelab: build, install, test, and run the workshop.
#
#   make workshop   set up and open the workshop (kernelspec + Jupyter on notebooks/, or HTML handouts)
#   make test       everything CI runs: vet, gofmt, generated code, macOS/Windows builds, Go tests (+race, +arm64
#                   under qemu), kernel install, Jupyter client tests, notebook execution, browser test
#
# Tools: Go (see go.mod); for the Python and browser phases a Python with jupyter_client, nbclient,
# nbconvert, jupyter_kernel_test, notebook, jupyter-console, pytest, pexpect (Debian 12 packages: see .ci/run),
# Node + npm and a Chromium at $(CHROMIUM).

GO       ?= go
PYTHON   ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || echo python3)
NPM      ?= npm
CHROMIUM ?= /usr/bin/chromium
PREFIX   ?= $(HOME)/.local
JUPYTER  ?= jupyter

BIN      := bin/corelab
PHASE    := scripts/phase.sh

# The Python and browser phases run against a kernelspec installed into a throw-away HOME, so they never
# see (or touch) the kernels of the person running them. Go keeps its real caches (read before HOME moves).
TEST_HOME   := $(CURDIR)/.build/home
JUPYTER_PHASES := kernelspec pytest notebooks browser screenshot reliability binder-run hub-run
$(JUPYTER_PHASES): export GOCACHE := $(shell $(GO) env GOCACHE)
$(JUPYTER_PHASES): export GOMODCACHE := $(shell $(GO) env GOMODCACHE)
$(JUPYTER_PHASES): export GOPATH := $(shell $(GO) env GOPATH)
$(JUPYTER_PHASES): export HOME := $(TEST_HOME)
$(JUPYTER_PHASES): export JUPYTER_DATA_DIR := $(TEST_HOME)/.local/share/jupyter
$(JUPYTER_PHASES): export JUPYTER_CONFIG_DIR := $(TEST_HOME)/.jupyter
$(JUPYTER_PHASES): export JUPYTER_RUNTIME_DIR := $(TEST_HOME)/.local/share/jupyter/runtime
$(JUPYTER_PHASES): export CORELAB_BIN := $(CURDIR)/$(BIN)
$(JUPYTER_PHASES): export CORELAB_TEST_HOME := $(TEST_HOME)
$(JUPYTER_PHASES): export PYTHON := $(PYTHON)
$(JUPYTER_PHASES): export CHROMIUM := $(CHROMIUM)
$(JUPYTER_PHASES): export PYDEVD_DISABLE_FILE_VALIDATION := 1
PYTEST := $(PYTHON) -m pytest -ra --timeout=600

.PHONY: all build install test deps jupyter-deps check vet fmt generated gomod crossbuild unit race arm64 kernelspec pytest \
	notebooks browser screenshot bench workshop handouts binder-url clean

all: build

## build: the corelab binary at bin/corelab
build:
	@$(PHASE) build scripts/install.sh build $(BIN)

## install: the binary at $(PREFIX)/bin/corelab and a user kernelspec pointing at it
install:
	scripts/install.sh all $(PREFIX)/bin/corelab --user

## test: the full suite, phase by phase, each with its wall time
test: deps check crossbuild unit race arm64 kernelspec pytest notebooks browser

## deps: the Debian packages the tests need (installed when run as root; otherwise named, with the command)
deps:
	@$(PHASE) deps scripts/test-deps.sh

## jupyter-deps: the Debian package the kernelspec phase needs (jupyter_client), as deps does
jupyter-deps:
	@$(PHASE) jupyter-deps scripts/test-deps.sh jupyter

check: vet fmt generated gomod

vet:
	@$(PHASE) vet $(GO) vet ./...

fmt:
	@$(PHASE) gofmt scripts/check-gofmt.sh

generated:
	@$(PHASE) generated scripts/check-generated.sh

gomod:
	@$(PHASE) gomod scripts/check-gomod.sh

# crossbuild: build and vet (tests included) for macOS (arm64, amd64) and Windows (amd64); built, not run.
# LINK_TESTS=1 also links every test binary.
crossbuild:
	@$(PHASE) crossbuild env GO=$(GO) LINK_TESTS=$(LINK_TESTS) scripts/check-crossbuild.sh

# unit: every package's tests; the symbol tables' regeneration test is left to the generated phase (check), which
# regenerates them the same way (20 s each).
unit:
	@$(PHASE) unit $(GO) test -skip '^TestGeneratedUpToDate$$' ./...

# race: every package with goroutines of its own, under the race detector. runtime/symbols (generated tables,
# checked by regenerating them) and runtime/bench (a measurement table; its workloads are runtime's, which run
# here) gain nothing from it and cost a third of the phase; the unit phase runs both.
RACE_PKGS = $(shell $(GO) list ./kernel/... ./runtime/... | grep -v -e '/runtime/symbols$$' -e '/runtime/bench$$')
race:
	@$(PHASE) race $(GO) test -race $(RACE_PKGS)

# arm64: the GIL's and the evaluator's tests built for linux/arm64, run under qemu-aarch64 (qemu-user)
arm64:
	@$(PHASE) arm64 env GO=$(GO) scripts/test-arm64.sh

# kernelspec lists the kernels with jupyter_client: on a fresh machine its package comes first (installed as
# root, else named with the command that installs it), never a "No module named 'jupyter_client'" halfway.
kernelspec: build jupyter-deps
	@rm -rf $(TEST_HOME) && mkdir -p $(TEST_HOME)
	@$(PHASE) kernelspec scripts/install.sh kernelspec $(CURDIR)/$(BIN) --user
	@$(PYTHON) -m jupyter_client.kernelspecapp list

pytest: kernelspec
	@$(PHASE) pytest $(PYTEST) tests --ignore=tests/test_notebooks.py --ignore=tests/test_binder_quota.py

## reliability: hostile peers and bad cells against the real kernel (also run by pytest, so by test)
.PHONY: reliability
reliability: kernelspec
	@$(PHASE) reliability $(PYTEST) tests/test_hostile_peers.py tests/test_bad_cells.py

notebooks: kernelspec
	@$(PHASE) notebooks $(PYTEST) tests/test_notebooks.py tests/test_binder_quota.py

## binder-run: every notebook under a one-CPU quota and a 2 GiB limit, both cores visible (root, cgroup v1);
## the per-notebook memory peaks land in .build/binder-quota.txt (also part of the notebooks phase)
.PHONY: binder-run hub-run
binder-run: kernelspec
	@$(PHASE) binder-run $(PYTEST) tests/test_binder_quota.py

## hub-run: a class on one JupyterHub: learners run a notebook at once, memory and CPU per learner measured;
## the table lands in .build/hub-run.txt (also part of the pytest phase)
hub-run: kernelspec
	@$(PHASE) hub-run $(PYTEST) tests/test_hub.py

browser: kernelspec tests/browser/node_modules
	@$(PHASE) browser node tests/browser/run.mjs

tests/browser/node_modules: tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(NPM) ci --no-audit --no-fund
	@touch $@

## screenshot: rerun the browser test and keep one screenshot as docs/screenshot.png (for the README)
screenshot: kernelspec tests/browser/node_modules
	CORELAB_SCREENSHOT=$(CURDIR)/docs/screenshot.png node tests/browser/run.mjs

## bench: Go benchmarks (evaluator, GIL, wire format, ...), then kernel start-up and round trips vs ipykernel
bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(BIN) bench kernel

## workshop: install the kernel and open the notebooks in Jupyter; without Jupyter, write HTML handouts.
## Jupyter missing: as root it is installed first (scripts/test-deps.sh workshop), otherwise the command is printed.
workshop: install
	@if ! (command -v $(JUPYTER) >/dev/null 2>&1 && $(JUPYTER) notebook --version >/dev/null 2>&1); then \
		scripts/test-deps.sh workshop || true; \
	fi
	@if command -v $(JUPYTER) >/dev/null 2>&1 && $(JUPYTER) notebook --version >/dev/null 2>&1; then \
		echo "workshop: starting Jupyter on notebooks/ (Ctrl-C to stop)"; \
		$(JUPYTER) notebook --notebook-dir=notebooks $$([ "$$(id -u)" -ne 0 ] || echo --allow-root); \
	else \
		echo "workshop: no Jupyter Notebook found; executing the notebooks into handouts/ instead"; \
		$(MAKE) --no-print-directory handouts; \
	fi

## binder-url: the mybinder.org launch link and README badge for this checkout's remote and branch
binder-url: build
	@$(BIN) binder-url

## handouts: execute every notebook headlessly and write HTML handouts to handouts/
handouts: build
	$(BIN) run notebooks/*.ipynb --html handouts/

clean:
	rm -rf bin .build handouts tests/browser/screenshots
