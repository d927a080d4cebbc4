# SPDX-License-Identifier: MIT
#
# toa - top-level entry points. On a fresh Debian 12 machine, as root:
#
#   make demo    client -> simulated balancer -> backend in a VM: what the
#                backend sees with and without toa.ko
#   make test    every test: unit, fuzz smoke, toa-inject on the host, and
#                the kernel scenarios in a VM on Debian's 6.1 and 6.12
#
# Both install what is missing with apt-get first. Other targets:
#   make                 toa.ko for this machine's kernel (or KDIR=...) and
#                        the userspace (libtoa, tools) in build/
#   make module KDIR=... toa.ko against any kernel build tree
#   make vm-test KVER=... SCENARIOS=...   a subset in the VM
#   make fuzz FUZZ_SECONDS=N              the fuzzers for longer
#   make bpf-test                         the module-free (BPF) mode on this
#                                         machine's own kernel (root, < 60 s)
#   make bench                            benchmarks (print figures)
#   make install                          userspace to PREFIX (default /usr/local)

BUILD       ?= build
PREFIX      ?= /usr/local
FUZZ_SECONDS ?= 20
SCENARIOS   ?= $(sort $(wildcard tests/vm/scenarios/*.sh))
JOBS        ?= $(shell nproc)

# The running kernel's build tree when there is one, else Debian's default
# headers (CI and the machines here cannot load modules into their kernel).
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	  /usr/src/linux-headers-$(shell scripts/kver.sh default 2>/dev/null))

.PHONY: all setup module userspace unit checkpatch fuzz host-check bpf-test vm-test \
	test demo bench install clean

all: module userspace

setup:
	@bash scripts/setup.sh

module:
	$(MAKE) -C kmod KDIR=$(KDIR)

userspace:
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

unit: userspace
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

fuzz:
	CC=clang CXX=clang++ cmake -S . -B $(BUILD)-fuzz -DTOA_BUILD_FUZZERS=ON \
		-DTOA_BUILD_TESTS=OFF >/dev/null
	cmake --build $(BUILD)-fuzz -j$(JOBS)
	bash tests/fuzz/run.sh $(BUILD)-fuzz/bin $(FUZZ_SECONDS)

checkpatch:
	bash scripts/checkpatch.sh

host-check: userspace
	bash tests/tools/host-check.sh $(BUILD)/bin

# BPF programs on a cgroup instead of toa.ko, checked end to end in
# network namespaces (needs clang, bpftool, libbpf-dev: make setup).
bpf-test: userspace
	bash tests/bpf/run.sh $(BUILD)/bin

# toa.ko for kernel KVER in build/kmod/KVER/ (out of the source tree, so
# several kernels can be built side by side), then the scenarios in a VM.
KVER ?= $(shell scripts/kver.sh default)
vm-test: userspace
	bash tests/vm/build-module.sh $(KVER)
	bash tests/vm/run.sh --kver $(KVER) --ko $(BUILD)/kmod/$(KVER)/kmod/toa.ko \
		$(SCENARIOS)

test: setup
	bash scripts/test.sh

demo: setup userspace
	bash scripts/demo.sh

bench: setup userspace
	bash bench/run.sh

install: userspace
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD)-fuzz
	-$(MAKE) -C kmod KDIR=$(KDIR) clean
