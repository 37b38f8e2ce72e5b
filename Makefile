# The two commands a newcomer needs (see README.md):
#   make demo   installs packages, builds, and runs fixgate on its embedded example
#   make test   installs packages, builds, and runs every test
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all bootstrap build demo test bench asan fuzz clean format

all: build

bootstrap:
	@bash scripts/bootstrap.sh

# -O2 without debug info: debug info costs a third of the compile time on a
# 2-core CI machine; `make CMAKE_FLAGS=-DCMAKE_BUILD_TYPE=RelWithDebInfo` for gdb.
$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" $(CMAKE_FLAGS)

build: bootstrap $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD)

test: build
	@bash scripts/test.sh $(BUILD)

bench: build
	@bash scripts/bench.sh $(BUILD)

# Address and undefined-behaviour sanitizers over every suite that parses
# untrusted input or owns state (the CLI and peer suites run in `make test`).
ASAN_TESTS ?= core_test intake_test config_test decision_test pipeline_test audit_test queue_test \
	sns_test metrics_test aws_test ownership_test guardrails_test actions_test
asan: bootstrap
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
		-DFIXGATE_SANITIZE=ON -DFIXGATE_BENCH=OFF >/dev/null
	cmake --build build-asan -j $(JOBS) --target $(ASAN_TESTS)
	@bash scripts/run-test-binaries.sh build-asan $(ASAN_TESTS)

# libFuzzer targets (clang) with ASan+UBSan; FUZZ_SECONDS per target.
fuzz: bootstrap
	@bash scripts/fuzz.sh $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf build build-asan build-fuzz
