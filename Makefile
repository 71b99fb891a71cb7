# SPDX-License-Identifier: Apache-2.0
#
# virtio-accel: the README's commands.
#   make demo    the main job (vAccel programs offloaded through the runtime)
#   make test    the whole test suite (installs what it needs)
#   make bench   the benchmarks (BENCH lines)
# Each target installs missing Debian packages first (idempotent).

BUILD ?= build
MESON_ARGS ?=

.PHONY: all build deps test demo bench clean distclean install help

all: build

help:
	@echo "make demo | make test | make bench | make build | make install | make clean"

deps-%:
	@scripts/install-deps.sh $*

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_ARGS)

build: deps-build $(BUILD)/build.ninja
	ninja -C $(BUILD)

test: deps-test
	BUILD=$(BUILD) scripts/test.sh

demo: deps-demo build
	BUILD=$(BUILD) scripts/demo.sh

bench: deps-bench build
	BUILD=$(BUILD) bench/run.sh

install: build
	meson install -C $(BUILD)

# `clean` keeps $(BUILD)/vm (the UML kernel, QEMU and guest kernels take
# many minutes to rebuild); `distclean` removes it too.
clean:
	[ ! -d $(BUILD) ] || find $(BUILD) -mindepth 1 -maxdepth 1 ! -name vm -exec rm -rf {} +
	rm -rf $(BUILD)-* $(BUILD).*.log $(BUILD)-*.log

distclean: clean
	rm -rf $(BUILD)
