# image-policy-controller: every entry point sets up what it needs (pinned Node, npm packages,
# test tooling) on first use, so a fresh clone needs only `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

NODE_BIN := $(CURDIR)/.tools/node/bin
export PATH := $(NODE_BIN):$(CURDIR)/node_modules/.bin:$(PATH)
NODE_FLAGS := --experimental-vm-modules --no-warnings=ExperimentalWarning
JEST := node $(NODE_FLAGS) node_modules/jest/bin/jest.js
CLI := node dist/pkg/cli/main.js

# Set SKIP_INTEGRATION=1 for a quick loop that runs only the unit tests.
SKIP_INTEGRATION ?=

.PHONY: help
help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(NODE_BIN)/node: hack/ensure-node.sh
	bash hack/ensure-node.sh >/dev/null
	touch $@

node_modules/.installed: package.json package-lock.json $(NODE_BIN)/node
	@# Exactly the lockfile (`npm ci` never rewrites it); .npmrc keeps registry hosts out of it.
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

.PHONY: deps
deps: node_modules/.installed ## pinned Node and npm packages

.PHONY: build
build: deps ## bundle the command line into dist/pkg/cli/main.js (hack/build-cli.ts)
	node hack/build-cli.ts

.PHONY: run
run: build ## the main job: render the bundled examples into out/ (see README)
	@# Exit status 1 means "some policy conflicting or invalid": the examples include a deliberate
	@# ImagePolicy conflict, so only 2 (unusable input) fails this target.
	$(CLI) render -f manifests/examples -o out || [ $$? -eq 1 ]

.PHONY: generate
generate: deps ## regenerate crds/, the precompiled CRD validators and generated manifests from the code
	node hack/crdgen/main.ts crds
	node pkg/validate/validatorgen.ts
	node hack/manifestgen/main.ts

.PHONY: verify-generated
verify-generated: deps ## fail when crds/, the precompiled CRD validators or generated manifests are stale
	node hack/crdgen/main.ts --check crds
	node pkg/validate/validatorgen.ts --check
	node hack/manifestgen/main.ts --check

.PHONY: typecheck
typecheck: deps
	tsc -p tsconfig.json --noEmit

.PHONY: lint
lint: deps
	eslint --max-warnings=0 .
	prettier --check . >/dev/null || { prettier --list-different .; exit 1; }

.PHONY: test-unit
test-unit: deps ## unit tests (beside the code)
	$(JEST) --selectProjects unit

.PHONY: test-integration
test-integration: deps build ## integration tests against a real kube-apiserver and etcd
	$(JEST) --selectProjects integration --runInBand

.PHONY: check-pins
check-pins: deps ## ask the registries, bypassing every cache, whether each tool pin is still served
	bash hack/check-pins.sh

.PHONY: test
test: deps verify-generated typecheck lint build ## everything CI runs
ifeq ($(SKIP_INTEGRATION),)
	@# First, so a pin that rotted fails in seconds, not after the unit tests or inside a fetch.
	@$(MAKE) --no-print-directory check-pins
endif
	$(JEST) --selectProjects unit
ifeq ($(SKIP_INTEGRATION),)
	@$(MAKE) --no-print-directory test-integration
endif

.PHONY: bench-render
bench-render: deps ## render benchmark (prints figures)
	node test/bench/render/run.ts

.PHONY: bench
bench: bench-render bench-cli ## render in-process (with the ratio to MCO) and command-line process times

.PHONY: bench-verify
bench-verify: deps ## verify benchmark against cosign and containers/image (prints figures)
	node test/bench/verify/run.ts

.PHONY: bench-verify-memory
bench-verify-memory: deps ## verify's peak RSS on 256-layer × 4 MiB signature manifests, 1, 4 and 64 images (prints figures)
	node test/bench/verify/signature-memory.ts

.PHONY: bench-cli
bench-cli: deps build ## command-line process times: --help, validate, render (prints figures)
	node test/bench/cli/run.ts

.PHONY: dev-cluster
dev-cluster: deps ## a local kube-apiserver + etcd with the CRDs, to run the controller against
	bash hack/ensure-test-tools.sh >/dev/null
	node hack/dev-cluster.ts

.PHONY: bench-controller
bench-controller: deps build ## controller benchmark on the test control plane (prints figures)
	node test/bench/controller/run.ts

.PHONY: bench-controller-memory
bench-controller-memory: deps ## controller RSS with 100 large rendered-* MachineConfigs present (prints figures)
	node test/bench/controller/machineconfig-cache.ts

.PHONY: clean
clean:
	rm -rf dist coverage
