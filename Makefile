# Image that docker-build builds and docker-push pushes.
IMG ?= idempotency-proxy:dev
# Command under cmd/ that the image runs.
BINARY ?= idempotency-proxy

# How long `make fuzz` runs each fuzz target.
FUZZTIME ?= 10s
# Extra flags for `make test`, for example GOTEST_FLAGS='-run TestCRD -v'.
GOTEST_FLAGS ?=
# Arguments passed to the load benchmark by `make bench`.
BENCH_ARGS ?=

GO ?= go
CONTAINER_TOOL ?= docker
KUBECTL ?= kubectl

# Recipes run under bash, stop at the first failing command and fail a
# pipeline when any part of it fails.
SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Show the targets and what they do.
	@awk -F ':.*## ' \
		'/^##@ / { printf "\n%s\n", substr($$0, 5); next } \
		 /^[A-Za-z0-9_-]+:.*## / { printf "  %-18s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: generate controller-gen ## Regenerate the CRD, the manager's Role and the webhook configuration (and DeepCopy).
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd webhook paths="./..." \
		output:crd:artifacts:config=config/crd/bases

.PHONY: generate
generate: controller-gen ## Regenerate the DeepCopy methods of the API types.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./api/..."

GENERATED_FILES = config/crd/bases config/rbac/role.yaml config/webhook/manifests.yaml \
	':(glob)api/**/zz_generated.*.go'

.PHONY: verify-manifests
verify-manifests: manifests ## Fail when regenerating changes a generated file in git.
	@changed="$$(git status --porcelain -- $(GENERATED_FILES))"; \
	if [ -n "$$changed" ]; then \
		echo "Generated files differ from git; run 'make manifests' and commit them:"; \
		echo "$$changed"; \
		git --no-pager diff -- $(GENERATED_FILES); \
		exit 1; \
	fi

.PHONY: fmt
fmt: ## Format the Go code with go fmt.
	$(GO) fmt ./...

.PHONY: vet
vet: ## Run go vet.
	$(GO) vet ./...

# golangci-lint's release binaries cannot be downloaded on this project's
# machines (only package registries are reachable), so lint relies on the
# Go toolchain alone: gofmt and go vet. golangci-lint can still be built
# from source through the Go module proxy (about two minutes on two
# cores); `make golangci-lint-run` does that and runs its default linters.
.PHONY: lint
lint: vet ## Check formatting with gofmt and run go vet.
	@unformatted="$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go'))"; \
	if [ -n "$$unformatted" ]; then \
		echo "Not gofmt-formatted (run 'make fmt'):"; \
		echo "$$unformatted"; \
		exit 1; \
	fi

.PHONY: golangci-lint-run
golangci-lint-run: golangci-lint ## Run golangci-lint's default linters (builds it on first use).
	$(GOLANGCI_LINT) run ./...

# make test first installs what the suites start as child processes:
# redis-server (from apt-get) and, for the envtest suites, etcd and
# kube-apiserver (built from the Go module proxy once per user).
#
# The tests of api/ link the API server's validation code. Building that
# dependency graph with the race detector costs minutes on two cores and
# would find nothing, since those tests run on a single goroutine; so they
# run without it, and every other package, the concurrent data plane
# first, runs under the race detector.
API_PACKAGES = ./api/...
RACE_PACKAGES = $(shell $(GO) list -e ./... | grep -v '^$(shell $(GO) list -m)/api/')

.PHONY: test
test: ensure-redis kube-binaries ## Run every Go test (race detector on, except for api/).
	$(GO) test -count=1 $(GOTEST_FLAGS) $(API_PACKAGES)
	@echo "$(GO) test -race -count=1 $(GOTEST_FLAGS) <every package outside api/>"
	@$(GO) test -race -count=1 $(GOTEST_FLAGS) $(RACE_PACKAGES)

.PHONY: ensure-redis
ensure-redis: ## Install redis-server with apt-get when it is not on PATH.
	@bash hack/ensure-redis.sh

.PHONY: kube-binaries
kube-binaries: ## Build etcd and kube-apiserver for the envtest suites into ./bin/k8s (cached per user).
	@bash hack/build-kube-binaries.sh >/dev/null

.PHONY: fuzz
fuzz: ## Run every Go fuzz target for FUZZTIME (default 10s) each.
	@bash hack/fuzz.sh "$(FUZZTIME)"

##@ End to end

# E2E_USE_CURRENT_CONTEXT=1 runs the suite against the cluster KUBECONFIG
# points to (kind, or a real cluster) instead of the local one.
E2E_USE_CURRENT_CONTEXT ?=

.PHONY: cluster-up
cluster-up: ## Start the local single-node cluster (built from source; needs root). A running one is reused.
	bash hack/cluster/up.sh

.PHONY: cluster-down
cluster-down: ## Stop the local cluster and remove what it created on this machine.
	bash hack/cluster/down.sh

.PHONY: test-e2e
test-e2e: ensure-redis ## Run the e2e suite on the local cluster (started if needed), or the current context with E2E_USE_CURRENT_CONTEXT=1.
	@if [ -z "$(E2E_USE_CURRENT_CONTEXT)" ]; then \
		bash hack/cluster/status.sh >/dev/null 2>&1 || bash hack/cluster/up.sh; \
		export KUBECONFIG="$(CURDIR)/bin/cluster/kubeconfig"; \
	fi; \
	bash hack/e2e/deploy.sh && \
	$(GO) test -tags e2e -count=1 -v ./test/e2e/... -ginkgo.v -timeout 30m

.PHONY: demo
demo: ## The operator on a cluster: the current context, else the local cluster; protects the sample app and shows a replay.
	bash hack/demo.sh

.PHONY: demo-down
demo-down: ## Remove what make demo made (and the local cluster, if the demo started it).
	bash hack/demo-down.sh

##@ Benchmarks

.PHONY: bench
bench: ## Run the load benchmark of the proxy (BENCH_ARGS are passed on).
	$(GO) run ./test/bench/cmd/loadbench $(BENCH_ARGS)

.PHONY: bench-operator
bench-operator: kube-binaries ## Run the operator benchmark against envtest's etcd and kube-apiserver.
	$(GO) run ./test/scale/cmd/operatorbench $(BENCH_ARGS)

##@ Build

.PHONY: build
build: fmt vet ## Build every command under cmd/ into ./bin.
	$(GO) build -o $(LOCALBIN)/ ./cmd/...

.PHONY: run
run: ## Run the proxy in front of the sample app on this machine, no cluster, and show a replay.
	bash hack/demo-standalone.sh

.PHONY: images
images: ## Build the OCI image tarballs (pause, proxy, manager, sample-app) into bin/images, no container daemon needed.
	bash hack/images/build.sh

.PHONY: docker-build
docker-build: ## Build the image of BINARY (default idempotency-proxy) as IMG.
	$(CONTAINER_TOOL) build --build-arg BINARY=$(BINARY) -t $(IMG) .

.PHONY: docker-push
docker-push: ## Push IMG.
	$(CONTAINER_TOOL) push $(IMG)

##@ Deployment

.PHONY: install
install: ## Install the CRDs into the cluster of the current kubeconfig.
	$(KUBECTL) apply --server-side -k config/crd

.PHONY: uninstall
uninstall: ## Remove the CRDs, and with them every IdempotencyPolicy.
	$(KUBECTL) delete --ignore-not-found -k config/crd

.PHONY: deploy
deploy: ## Install the operator (config/default) into the cluster of the current kubeconfig.
	$(KUBECTL) apply --server-side -k config/default

.PHONY: undeploy
undeploy: ## Remove the operator, its CRD and every IdempotencyPolicy.
	$(KUBECTL) delete --ignore-not-found -k config/default

.PHONY: build-installer
build-installer: ## Render config/default into one file, dist/install.yaml.
	mkdir -p dist
	$(KUBECTL) kustomize config/default > dist/install.yaml

##@ Tools

LOCALBIN ?= $(CURDIR)/bin
$(LOCALBIN):
	mkdir -p $(LOCALBIN)

CONTROLLER_GEN_VERSION ?= v0.23.0
GOLANGCI_LINT_VERSION ?= v2.15.0

# Each tool is kept under a versioned name, so that a binary already in
# ./bin is reused and a changed version variable installs anew.
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen-$(CONTROLLER_GEN_VERSION)
GOLANGCI_LINT ?= $(LOCALBIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)

.PHONY: controller-gen
controller-gen: $(CONTROLLER_GEN) ## Install controller-gen into ./bin unless it is there.
$(CONTROLLER_GEN): | $(LOCALBIN)
	$(call go-install-tool,$@,sigs.k8s.io/controller-tools/cmd/controller-gen,$(CONTROLLER_GEN_VERSION))

.PHONY: golangci-lint
golangci-lint: $(GOLANGCI_LINT) ## Build golangci-lint into ./bin unless it is there.
$(GOLANGCI_LINT): | $(LOCALBIN)
	$(call go-install-tool,$@,github.com/golangci/golangci-lint/v2/cmd/golangci-lint,$(GOLANGCI_LINT_VERSION))

# go-install-tool installs package $(2) at version $(3) as the file $(1),
# and links the command's plain name in ./bin to it.
define go-install-tool
@echo "Installing $(2)@$(3) into $(LOCALBIN)"
GOBIN="$(LOCALBIN)" $(GO) install "$(2)@$(3)"
@mv "$(LOCALBIN)/$(notdir $(2))" "$(1)"
@ln -sf "$(notdir $(1))" "$(LOCALBIN)/$(notdir $(2))"
endef
