# The two commands a newcomer needs (see README.md):
#   make demo   installs packages, builds, and runs fixgate on its embedded example
#   make test   installs packages, builds, and runs every test
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
# Unity builds (see cmake/FixgateTargets.cmake) cut the compile CPU of a clean
# build by a third or more (docs/CONTRIBUTING.md, "CI budget"); `make UNITY=OFF ...`
# compiles every file on its own.
UNITY ?= ON

.PHONY: all bootstrap build demo test bench asan fuzz clean format

all: build

bootstrap:
	@bash scripts/bootstrap.sh

# -O2 without debug info: debug info costs a third of the compile time on a
# 2-core CI machine; `make CMAKE_FLAGS=-DCMAKE_BUILD_TYPE=RelWithDebInfo` for gdb.
$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
		-DCMAKE_UNITY_BUILD=$(UNITY) $(CMAKE_FLAGS)

build: bootstrap $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD)

test: build
	@bash scripts/test.sh $(BUILD)

bench: build
	@bash scripts/bench.sh $(BUILD)

# Address and undefined-behaviour sanitizers over every suite whose component
# parses untrusted input or owns state: the parsers, the stores, and the
# components built on them (engine, broker, approvals, exceptions/enrichment,
# notify, service, server, sqs, worker, lambda, logging, cloudsim). Left out: the
# CLI suites (they run the fixgate binary, `make test` covers them) and the
# wire-conformance peer suites (aws_wire_test, notify_sns_fauxqs_test).
# Slowest first: scripts/run-test-binaries.sh runs them TEST_JOBS at a time.
ASAN_TESTS ?= engine_test service_test worker_test approvals_lifecycle_test actions_cloudsim_test \
	broker_cloudsim_test cloudsim_test lambda_test notify_test server_test sqs_test exceptions_test \
	approvals_test broker_test logging_test httpd_test \
	core_test intake_test config_test decision_test pipeline_test audit_test queue_test \
	sns_test metrics_test aws_test ownership_test guardrails_test actions_test sqlite_test
asan: bootstrap
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
		-DFIXGATE_SANITIZE=ON -DFIXGATE_BENCH=OFF -DCMAKE_UNITY_BUILD=$(UNITY) >/dev/null
	cmake --build build-asan -j $(JOBS) --target $(ASAN_TESTS)
	@bash scripts/run-test-binaries.sh build-asan $(ASAN_TESTS)

# libFuzzer targets (clang) with ASan+UBSan; FUZZ_SECONDS per target.
fuzz: bootstrap
	@bash scripts/fuzz.sh $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf build build-asan build-fuzz
