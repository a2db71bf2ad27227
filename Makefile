# The two commands of the quick start, and a few more.
#   make run    install what building and running needs, build, start on
#               the embedded default (no test tools, no daemons)
#   make test   install the test tools too, build twice (gcc -Werror;
#               clang ASan+UBSan with fuzz targets) and run every test in
#               both builds
BUILD      ?= build
ASAN_BUILD ?= build-asan
DEB_BUILD  ?= build-deb
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
ARGS       ?=

.PHONY: all deps deps-test build run test test-gcc test-asan bench deb clean

all: build

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_C_COMPILER=gcc -DOPSBOT_WERROR=ON >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

run: build
	$(BUILD)/opsbot $(ARGS)

test: test-gcc test-asan

test-gcc: deps-test build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

test-asan: deps-test
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_C_COMPILER=clang \
	    -DCMAKE_BUILD_TYPE=Debug -DOPSBOT_WERROR=ON \
	    -DOPSBOT_SANITIZE=address,undefined -DOPSBOT_FUZZ=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j$(JOBS)

bench: build
	$(BUILD)/bench/bench-startup $(BUILD)/opsbot
	bash bench/bench-health.sh $(BUILD)/opsbot .
	bash bench/bench-slack.sh $(BUILD)/opsbot $(BUILD)/tests/fake-slack
	bash bench/bench-command-path.sh $(BUILD)/opsbot $(BUILD)/tests/fake-slack
	bash bench/bench-fanout.sh $(BUILD)/opsbot $(BUILD)/tests/fake-slack .
	bash bench/bench-ssh-fanout.sh $(BUILD)/opsbot .
	bash bench/bench-ssh-fanout.sh $(BUILD)/opsbot . 2 4 replay
	bash bench/bench-fleet.sh $(BUILD)/opsbot $(BUILD)/tests/fake-fleet-exporter .
	bash bench/bench-fleet-bot.sh $(BUILD)/opsbot $(BUILD)/tests/fake-fleet-exporter . "1000 5000"
	bash bench/bench-alerts.sh $(BUILD)/opsbot
	bash bench/bench-retention.sh $(BUILD)

# The Debian package (docs/packaging.md): its own build, prefix /usr.
deb:
	@scripts/deps.sh deb
	@cmake -S . -B $(DEB_BUILD) -DCMAKE_C_COMPILER=gcc -DOPSBOT_WERROR=ON \
	    -DCMAKE_INSTALL_PREFIX=/usr -DOPSBOT_BUILD_TESTS=OFF \
	    -DOPSBOT_BUILD_BENCH=OFF >/dev/null
	@cmake --build $(DEB_BUILD) --target opsbot -j$(JOBS)
	cd $(DEB_BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(DEB_BUILD)
