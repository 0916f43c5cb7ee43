# Tailwise: build, run and test the gateway collector distribution.
SHELL        := /bin/bash
GO           ?= go
TOOLS_BIN    := $(CURDIR)/.tools/bin
OCB          := $(TOOLS_BIN)/builder
MDATAGEN     := $(TOOLS_BIN)/mdatagen
GOLANGCI     := $(TOOLS_BIN)/golangci-lint
BACKENDS_DIR ?= $(CURDIR)/.cache/backends
export BACKENDS_DIR
FUZZTIME     ?= 10s

.PHONY: all build generate run test unit e2e e2e-race bench fuzz lint recording bench-replay backends-install backends-up backends-down clean

all: build

# ocb, mdatagen and golangci-lint, pinned in internal/tools/go.mod at the release of the components.
$(TOOLS_BIN)/%: internal/tools/go.mod
	cd internal/tools && $(GO) build -o $@ $$($(GO) list -f '{{.ImportPath}}' tool | grep '/$*$$')

## generate: regenerate components' internal/metadata (mdatagen) and the collector main (ocb)
generate: $(OCB) $(MDATAGEN)
	PATH=$(TOOLS_BIN):$$PATH $(GO) generate ./...
	$(OCB) --config builder-config.yaml --skip-compilation

cmd/tailwise/components.go: builder-config.yaml go.mod | $(OCB)
	$(OCB) --config builder-config.yaml --skip-compilation

## build: bin/tailwise (the collector) and bin/tailctl (replay, tune, redact)
build: cmd/tailwise/components.go
	cd cmd/tailwise && $(GO) build -trimpath -o $(CURDIR)/bin/tailwise .
	$(GO) build -trimpath -o bin/tailctl ./cmd/tailctl

## run: the demo gateway on configs/demo.yaml (no external service needed), summed up every 5 s
DEMO_PORTS := 4317 4318 8888 8889 13133 55679
run: build
	@for p in $(DEMO_PORTS); do \
	  if (exec 3<>/dev/tcp/127.0.0.1/$$p) 2>/dev/null; then \
	    echo "port 127.0.0.1:$$p is in use; the demo needs $(DEMO_PORTS)"; exit 1; fi; done
	@mkdir -p .cache/demo
	@echo "Tailwise demo (configs/demo.yaml); Ctrl-C stops it."
	@echo "  replaying             test/recordings/webshop.jsonl.zst (a web shop's traffic, in a loop)"
	@echo "  send OTLP to          127.0.0.1:4317 (gRPC) or http://127.0.0.1:4318 (HTTP)"
	@echo "  data written to       .cache/demo/{traces,metrics,logs}.jsonl"
	@echo "  RED metrics+exemplars http://127.0.0.1:8889/metrics"
	@echo "  collector's metrics   http://127.0.0.1:8888/metrics (summed up below every 5 s)"
	@echo "  pipelines (zpages)    http://127.0.0.1:55679/debug/pipelinez (and /debug/extensionz)"
	@echo "  collector's log       .cache/demo/tailwise.log"
	@TAILWISE_DEMO_DIR=$(CURDIR)/.cache/demo ./bin/tailwise --config configs/demo.yaml >.cache/demo/tailwise.log 2>&1 & collector=$$!; \
	  ./bin/tailctl watch --metrics http://127.0.0.1:8888/metrics & watch=$$!; \
	  trap 'kill $$collector $$watch 2>/dev/null' INT TERM; \
	  wait $$collector; status=$$?; kill $$collector $$watch 2>/dev/null; wait $$collector $$watch 2>/dev/null; \
	  if [ $$status -ne 0 ] && [ $$status -lt 128 ]; then \
	    echo "the collector stopped (exit $$status); the end of .cache/demo/tailwise.log:"; tail -n 20 .cache/demo/tailwise.log; exit 1; fi

## test: lint, unit tests, then end-to-end tests against real Jaeger, Prometheus and Loki
test: lint unit fuzz e2e

unit:
	$(GO) test -race -count=1 -timeout 20m ./...
	cd test/headsampling/idlcheck && $(GO) test -count=1 ./...

e2e: build backends-install
	$(GO) test -tags e2e -count=1 -timeout 50m -v ./test/e2e/...

## e2e-race: the end-to-end tests against a collector built with the race detector (bin/tailwise-race);
## fails on a race with a frame in Tailwise's code, lists those in upstream modules. The overload
## test is left out: it measures throughput and memory, which the race detector multiplies.
e2e-race: cmd/tailwise/components.go backends-install
	$(GO) build -trimpath -o bin/tailctl ./cmd/tailctl
	cd cmd/tailwise && $(GO) build -race -trimpath -o $(CURDIR)/bin/tailwise-race .
	@rm -rf .cache/race && mkdir -p .cache/race
	TAILWISE_BIN=$(CURDIR)/bin/tailwise-race GORACE=log_path=$(CURDIR)/.cache/race/report \
	  $(GO) test -tags e2e -count=1 -timeout 90m -skip '^TestGatewayOverload$$' -v ./test/e2e/...
	@bash test/racecheck.sh .cache/race

## bench: Go benchmarks of our components (compare runs with benchstat)
bench:
	@mkdir -p .cache
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./... | tee .cache/bench.txt

## bench-replay: replay a recording through the gateway with our processors and with contrib's
bench-replay: build backends-install
	@mkdir -p .cache
	$(GO) test -tags e2e -run '^$$' -bench BenchmarkGatewayReplay -benchtime 1x -timeout 30m ./test/e2e/ | tee .cache/bench-replay.txt

## fuzz: every fuzz target for $(FUZZTIME) each
fuzz:
	@bash test/fuzz.sh $(FUZZTIME)

## lint: gofmt, go vet and golangci-lint (pinned in internal/tools)
lint: $(GOLANGCI)
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^cmd/tailwise/')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags e2e ./test/...
	$(GOLANGCI) run ./...
	$(GOLANGCI) run --build-tags e2e ./test/...

## recording: record test/recordings/webshop.jsonl.zst anew (70 s of generated web-shop traffic)
recording: build
	bash test/recordings/record.sh

backends-install:
	bash test/backends/backends.sh install

## backends-up: start Jaeger, Prometheus and Loki on loopback (ports from PORT_BASE, default 47100)
backends-up:
	bash test/backends/backends.sh up
	@bash test/backends/backends.sh env

backends-down:
	bash test/backends/backends.sh down

clean:
	rm -rf bin .cache/demo
