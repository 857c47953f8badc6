# The README's two commands: `make demo` and `make test`. Everything they need is set up here.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# ape-vyper looks for compilers through vvm; point it at the vyper pinned in the venv
# instead of downloading one.
export VVM_BINARY_PATH := $(CURDIR)/$(VENV)/vvm
export PATH := $(CURDIR)/$(BIN):$(CURDIR)/.tools/node_modules/.bin:$(PATH)

.PHONY: install demo test bench artifacts tools

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[node,dev,test]'
	mkdir -p $(VVM_BINARY_PATH)
	ln -sf $(CURDIR)/$(BIN)/vyper $(VVM_BINARY_PATH)/vyper-$$($(BIN)/vyper --version | cut -d+ -f1)
	touch $(STAMP)

install: $(STAMP)

# Test and bench tools from the package registries: Anvil and Hardhat (npm, pinned) and
# Debian's Chromium.
ANVIL_VERSION := 1.7.1
HARDHAT_VERSION := 2.29.1
tools: install
	@test -x .tools/node_modules/.bin/anvil || npm install --silent --prefix .tools @foundry-rs/anvil@$(ANVIL_VERSION)
	@test -x .tools/node_modules/.bin/hardhat || npm install --silent --prefix .tools hardhat@$(HARDHAT_VERSION)
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null)

artifacts: install
	$(BIN)/python scripts/build_artifacts.py

demo: install
	$(BIN)/ape run demo $(if $(SERVE),--serve)

# Lint and type-check first (configured in pyproject.toml), then the suites. The
# contract suite runs twice: on Ape's own local chain, and against the node.
test: tools
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -p no:ape_test -n 2 tests --ignore=tests/ape
	$(BIN)/ape test tests/ape
	$(BIN)/python scripts/on_dev_node.py $(BIN)/ape test tests/ape --network ethereum:local:node

bench: tools
	$(BIN)/python bench/run.py
