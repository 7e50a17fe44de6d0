# parity: build, test and measure. Run `make help` for the list.
GO        ?= go
BIN       := bin/parity
REV       := $(shell git describe --always --dirty --abbrev=12 2>/dev/null)
LDFLAGS   := -X github.com/parity-bench/parity.GitRevision=$(REV)
FUZZTIME  ?= 20s
# BENCHDB keeps the scale benchmark's databases (up to 1,000,000 samples,
# minutes to build) between runs of make bench.
BENCHDB   ?= bin/benchdb
PKGS      := ./...

.PHONY: help build test race bench fuzz lint clean agreement

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

build: ## build ./bin/parity
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/parity

test: ## run every test, offline
	$(GO) vet $(PKGS)
	$(GO) test -count=1 $(PKGS)

race: ## run the tests under the race detector
	$(GO) test -race -count=1 $(PKGS)

bench: ## run the benchmarks and print the figures
	PARITY_BENCH_DIR=$(abspath $(BENCHDB)) $(GO) test -run '^$$' -bench . -benchmem -benchtime 2x -timeout 60m ./cmd/parity
	$(GO) test -run '^$$' -bench . -benchmem . ./runners ./results ./suites/answer ./reports ./reports/site ./providers

fuzz: ## run each fuzz target for FUZZTIME
	@for t in $$($(GO) test -list '^Fuzz' ./suites/answer | grep '^Fuzz'); do \
		echo "== $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./suites/answer || exit 1; \
	done

REAL      ?= ../shared/scoring/real

agreement: ## grade every set in $(REAL) and write docs/agreement.md
	@ls $(REAL)/*.jsonl.gz >/dev/null 2>&1 || { echo "agreement: no *.jsonl.gz in $(REAL); set REAL=DIR"; exit 1; }
	$(GO) run ./cmd/parity score --markdown --source-errors suites/answer/testdata/source-errors.tsv $(REAL)/*.jsonl.gz > docs/agreement.md.tmp
	mv docs/agreement.md.tmp docs/agreement.md

lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

clean: ## remove build output
	rm -rf bin
