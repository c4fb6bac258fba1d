# Strata — one-command set-up, build, test and run on a fresh Debian machine.
SWIFT ?= swift
CONFIG ?= configs/quick.yaml
WORKERS ?= 2
# The benchmarks' reference: the pinned PyTorch in a virtual environment (scripts/install-deps --bench).
BENCH_PYTHON ?= .deps/venv/bin/python

.PHONY: all deps build test run bench bench-tools bench-torch bench-models bench-batchnorm bench-cka bench-measure bench-dist clean

all: build

## deps: install the system packages (ZeroMQ, SQLite, Fashion-MNIST) and libtorch (PyTorch's wheel, .deps/libtorch)
deps:
	@scripts/install-deps

## build: release build of every executable: strata and strata-train (the libtorch engine that strata hands
## `train` and `info` to, and that workers start for each task), side by side in .build/release/
build: deps
	$(SWIFT) build -c release

## test: build and run the whole test suite (the extras: NumPy and Chromium for the report tests)
test: deps
	@scripts/install-deps --extra
	$(SWIFT) build
	$(SWIFT) build --build-tests
	$(SWIFT) test

## run: the default sweep end to end (coordinator + local workers, whose tasks run in strata-train, + report)
run: build
	.build/release/strata run $(CONFIG) --workers $(WORKERS)

## bench: every benchmark in bench/, figures to compare with bench/RESULTS.md
bench: bench-torch bench-models bench-batchnorm bench-cka bench-measure bench-dist

## bench-tools: the PyTorch reference (.deps/venv) and strata-bench, which the PyTorch comparisons need
bench-tools:
	@scripts/install-deps --bench
	$(SWIFT) build -c release --product strata-bench

bench-torch: bench-tools
	$(BENCH_PYTHON) bench/torch_step.py --rounds 5

bench-models: bench-tools
	$(BENCH_PYTHON) bench/models_step.py --rounds 3

bench-batchnorm: bench-tools
	$(BENCH_PYTHON) bench/batchnorm_threads.py --rounds 3

bench-cka: bench-tools
	$(BENCH_PYTHON) bench/cka_bench.py --rounds 3

bench-measure: build
	bench/measurement_overhead.sh .build/release/strata

bench-dist: build
	STRATA_BIN=.build/release/strata bench/dist_throughput.sh release 2000 1000

clean:
	rm -rf .build
