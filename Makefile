# SPDX-License-Identifier: MIT
#
# toa - top-level entry points. On a fresh Debian 12 machine, as root:
#
#   make demo    client -> simulated balancer -> backend in a VM: what the
#                backend sees with and without toa.ko
#   make test    every test: unit, fuzz smoke, toa-inject on the host, and
#                the kernel scenarios in a VM on Debian's 6.1 and 6.12
#
# Both install what is missing with apt-get first: tool packages only
# (compilers, QEMU, nginx, tshark...). Debian's kernel build trees and
# images are unpacked into build/, never installed: the host's /boot,
# /usr/src and default kernel stay as they are. Other targets:
#   make                 toa.ko and the userspace (libtoa, tools) in build/
#   make module          toa.ko for the running kernel when its build tree
#                        is installed, else for Debian's default kernel
#                        (build tree unpacked into build/kbuild/)
#   make module KDIR=... toa.ko against any kernel build tree
#   make vm-test KVER=... SCENARIOS=...   a subset in the VM
#   make fuzz FUZZ_SECONDS=N              the fuzzers for longer
#   make bpf-test                         the module-free (BPF) mode on this
#                                         machine's own kernel (root, < 60 s)
#   make bench                            benchmarks (print figures): the
#                                         rate ratios, then the cost of each
#                                         path in instructions (QEMU's
#                                         deterministic mode), toa.ko and
#                                         the BPF mode; the BPF mode on
#                                         this machine's kernel (root)
#   make install                          userspace to PREFIX (default /usr/local)
#   make install-module [KDIR=...] [DESTDIR=...]
#                        toa.ko into /lib/modules/<KDIR's kernel>/updates
#                        (depmod for that kernel), and the modprobe.d and
#                        modules-load.d files (loading at boot left off)
#   make dkms-source [DESTDIR=...]        /usr/src/toa-VERSION for DKMS
#   make uninstall / uninstall-module     undo the above
#   WERROR=ON                             warnings as errors (make test's)
#   BUILD_TYPE=Release|Debug|...          CMAKE_BUILD_TYPE (default
#                                         RelWithDebInfo; make test: Release)

BUILD       ?= build
PREFIX      ?= /usr/local
FUZZ_SECONDS ?= 20
SCENARIOS   ?= $(sort $(wildcard tests/vm/scenarios/*.sh))
JOBS        ?= $(shell nproc)
WERROR      ?= OFF
BUILD_TYPE  ?=

# The running kernel's build tree when there is one (a node with its
# headers installed). Without it, Debian's default kernel: the machines
# here cannot load modules into their own kernel anyway.
KDIR ?= $(wildcard /lib/modules/$(shell uname -r)/build)
KVER ?= $(shell scripts/kver.sh default)

.PHONY: all setup module userspace unit checkpatch format fuzz host-check bpf-test bpf-vm-test vm-test \
	test check-long demo bench install uninstall install-module uninstall-module dkms-source clean

all: module userspace

setup:
	@bash scripts/setup.sh

module:
ifneq ($(KDIR),)
	$(MAKE) -C kmod KDIR=$(KDIR)
else
	@echo "toa.ko for $(KVER): $$(bash tests/vm/build-module.sh $(KVER))"
endif

userspace:
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) -DTOA_WERROR=$(WERROR) \
		$(if $(BUILD_TYPE),-DCMAKE_BUILD_TYPE=$(BUILD_TYPE)) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

unit: userspace
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

fuzz:
	CC=clang CXX=clang++ cmake -S . -B $(BUILD)-fuzz -DTOA_BUILD_FUZZERS=ON \
		-DTOA_BUILD_TESTS=OFF -DTOA_BUILD_TOOLS=OFF -DTOA_BUILD_BENCH=OFF \
		-DTOA_BUILD_EXAMPLES=OFF -DTOA_BUILD_BPF=OFF -DTOA_WERROR=$(WERROR) >/dev/null
	cmake --build $(BUILD)-fuzz -j$(JOBS)
	bash tests/fuzz/run.sh $(BUILD)-fuzz/bin $(FUZZ_SECONDS)

checkpatch:
	bash scripts/checkpatch.sh

# The userspace C/C++ in the style of .clang-format (make test checks it).
format:
	bash scripts/format.sh

host-check: userspace
	bash tests/tools/host-check.sh $(BUILD)/bin

# BPF programs on a cgroup instead of toa.ko, checked end to end in
# network namespaces (needs clang, bpftool, libbpf-dev: make setup).
bpf-test: userspace
	bash tests/bpf/run.sh $(BUILD)/bin

# The same BPF checks in a VM on Debian's kernel KVER (the BPF iterator of
# toactl conns included, which this host's kernel refuses). Not yet in make
# test, for its time: see tests/bpf/vm-scenario.sh.
bpf-vm-test: userspace
	bash tests/vm/run.sh --kver $(KVER) tests/bpf/vm-scenario.sh

# toa.ko for kernel KVER in build/kmod/KVER/ (out of the source tree, so
# several kernels can be built side by side), then the scenarios in a VM.
vm-test: userspace
	bash tests/vm/build-module.sh $(KVER)
	bash tests/vm/run.sh --kver $(KVER) --ko $(BUILD)/kmod/$(KVER)/kmod/toa.ko \
		$(SCENARIOS)

test: setup
	bash scripts/test.sh

# The long forms of the short checks in make test (whole build matrix,
# 10M fuzz executions per fuzzer): scripts/check-long.sh.
check-long: setup
	bash scripts/check-long.sh

demo: setup userspace
	bash scripts/demo.sh

bench: setup userspace
	bash bench/run.sh
	bash bench/run.sh --deterministic
	bash bench/bpf-native.sh $(BUILD)/bin

install: userspace
	cmake --install $(BUILD)

# What cmake --install wrote, as it recorded it.
uninstall:
	@test -f $(BUILD)/install_manifest.txt || { echo "nothing installed from $(BUILD)"; exit 1; }
	xargs -d '\n' rm -fv <$(BUILD)/install_manifest.txt

VERSION_STRING := $(shell cat VERSION)
KDIR_INSTALL = $(or $(KDIR),/lib/modules/$(shell uname -r)/build)
install-module:
	$(MAKE) -C kmod install KDIR=$(KDIR_INSTALL) $(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR))
	install -D -m 644 deploy/modprobe.d/toa.conf $(DESTDIR)/etc/modprobe.d/toa.conf
	install -D -m 644 deploy/modules-load.d/toa.conf $(DESTDIR)/etc/modules-load.d/toa.conf

uninstall-module:
	$(MAKE) -C kmod uninstall KDIR=$(KDIR_INSTALL) $(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR))
	rm -f $(DESTDIR)/etc/modprobe.d/toa.conf $(DESTDIR)/etc/modules-load.d/toa.conf

dkms-source:
	bash scripts/dkms-source.sh $(DESTDIR)/usr/src/toa-$(VERSION_STRING)

# In-tree module builds (make module with a KDIR) leave kbuild's files in
# kmod/; everything else is under build/.
clean:
	rm -rf $(BUILD) $(BUILD)-fuzz
	cd kmod && rm -f *.o *.ko *.mod *.mod.c .*.cmd modules.order Module.symvers
