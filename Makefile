# Thin wrapper over CMake for the user-facing targets. See README.md.
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
SUDO := $(shell [ "$$(id -u)" = 0 ] && echo || echo sudo)

.PHONY: all deps build test test-asan bench fuzz clean demo

all: build

deps:
	@bash tools/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DKZ_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	# the property tests run fewer values under the sanitizers (Release runs 10,000 per type)
	cd $(ASAN_BUILD) && KZ_PROPERTY_COUNT=2000 ctest --output-on-failure -j $(JOBS)

bench: build
	bash bench/run.sh $(BUILD)

fuzz: deps
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKZ_FUZZ=ON
	cmake --build build-fuzz -j $(JOBS) --target fuzzers
	bash fuzz/run.sh build-fuzz $${FUZZ_SECONDS:-30}

# A simulated day of the small city: RIC + emulator + energy saver and the baselines, in the
# deterministic simulator; prints the comparison table and writes an HTML report.
demo: build
	./$(BUILD)/src/cli/kizuna demo --report kizuna-demo.html

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
