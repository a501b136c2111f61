# SPDX-License-Identifier: GPL-2.0-only
#
# xe_pfvf top-level Makefile.
#
#   make demo      boot the VM (stock kernel, software PF) and show the PF and
#                  its VFs as xe_pfvf sees them
#   make check     all tests: host C++ tests, then the VM lanes (stock kernel,
#                  stock kernel behind a PCIe switch, debug kernel)
#
# Other targets: deps, modules, modules-debug, sparse, checkpatch, tools,
# igt, debug-kernel, vm-shell (KERNEL=stock|debug), bench, bench-publish,
# clean.
#
# When invoked by Kbuild (make -C $(KDIR) M=...), only the Kbuild file is
# used; this Makefile is for people.

ifneq ($(KERNELRELEASE),)
include $(src)/Kbuild
else

SHELL := /bin/bash
MAKEFLAGS += --no-print-directory
REPO := $(CURDIR)
BUILD ?= $(REPO)/build
export XE_PFVF_CACHE ?= /var/cache/xe_pfvf
# The C++ tools' compiler and clang-tidy caches live beside the debug
# kernels, so that a fresh clone builds them warm (CCACHE_BASEDIR: the
# checkout's own path does not count).
export CCACHE_DIR ?= $(XE_PFVF_CACHE)/ccache
export CCACHE_BASEDIR ?= $(CURDIR)
export CCACHE_NOHASHDIR ?= 1
export XE_PFVF_TIDY_CACHE ?= $(XE_PFVF_CACHE)/clang-tidy

# The stock Debian 6.1 kernel: found from /boot, never from `uname -r` (the
# machine's running kernel has no headers).
KVER ?= $(shell ls /boot/vmlinuz-6.1.*-amd64 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V | tail -n1)
KDIR ?= /lib/modules/$(KVER)/build
# Debian's 6.12 kernel, the one with the Xe driver (linux-image-6.12-amd64).
KVER612 ?= $(shell ls /boot/vmlinuz-6.12.*-amd64 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V | tail -n1)
KDIR612 ?= /lib/modules/$(KVER612)/build
KERNEL ?= stock
JOBS ?= $(shell nproc)
RIG := $(BUILD)/tools/rig/xe-pfvf-rig
KSRC := Kbuild drivers include uapi

.PHONY: all deps modules modules-debug sparse checkpatch tools igt debug-kernel \
	host-tests static vm-stock vm-switch vm-debug vm-debug-switch vm-debug-epyc check demo bench bench-publish vm-shell clean \
	modules-612 debug-kernel-612 modules-debug612 xe-module dkms-check dkms-install vm-stock612 vm-debug612

all: modules tools igt

deps:
	@tools/deps.sh

# Modules are built in a copy of the sources per kernel, so that the stock
# and debug builds do not overwrite each other's objects.
define kmod_build
	@mkdir -p $(1)
	@tar -C $(REPO) -cf - $(KSRC) | tar -C $(1) -xf -
	$(MAKE) -j$(JOBS) -C $(2) M=$(1) W=1 $(3) modules
endef

modules: deps
	@test -d "$(KDIR)" || { echo "no kernel build tree at KDIR=$(KDIR)"; exit 1; }
	$(call kmod_build,$(BUILD)/kmod-stock,$(KDIR))

debug-kernel: deps
	@mkdir -p $(BUILD) && tools/vm/build-debug-kernel.sh 6.1 > $(BUILD)/.debug-tree.tmp
	@mkdir -p $(BUILD) && mv $(BUILD)/.debug-tree.tmp $(BUILD)/debug-tree

modules-debug: debug-kernel
	$(call kmod_build,$(BUILD)/kmod-debug,$$(cat $(BUILD)/debug-tree))

modules-612: deps
	@test -d "$(KDIR612)" || { echo "no 6.12 kernel build tree at KDIR612=$(KDIR612)"; exit 1; }
	$(call kmod_build,$(BUILD)/kmod-stock612,$(KDIR612))

debug-kernel-612: deps
	@mkdir -p $(BUILD) && tools/vm/build-debug-kernel.sh 6.12 > $(BUILD)/.debug612-tree.tmp
	@mv $(BUILD)/.debug612-tree.tmp $(BUILD)/debug612-tree

modules-debug612: debug-kernel-612
	$(call kmod_build,$(BUILD)/kmod-debug612,$$(cat $(BUILD)/debug612-tree))

# The patched Xe (patches/xe-6.12 on Debian's linux-source-6.12): checks
# that the series applies, builds xe.ko with W=1 against the 6.12 debug
# tree and xe_pfvf's symbols.
xe-module: modules-debug612
	@tools/xe/build-xe.sh --tree "$$(cat $(BUILD)/debug612-tree)" \
		--symvers $(BUILD)/kmod-debug612/Module.symvers --out $(BUILD)/xe-6.12 > $(BUILD)/.xe-ko.tmp
	@mv $(BUILD)/.xe-ko.tmp $(BUILD)/xe-ko && echo "xe-module: $$(cat $(BUILD)/xe-ko)"
	@# The tree's own modules (xe's dependencies: drm, ttm, ...), in one
	@# directory: the guest finds them there instead of searching the tree.
	@rm -rf $(BUILD)/xe-6.12/kmods && mkdir -p $(BUILD)/xe-6.12/kmods && \
		find "$$(cat $(BUILD)/debug612-tree)" -name '*.ko' ! -name 'xe*.ko' -exec cp {} $(BUILD)/xe-6.12/kmods/ \;
	@tools/xe/xe-load-order.sh "$$(cat $(BUILD)/xe-ko)" $(BUILD)/xe-6.12/kmods > $(BUILD)/xe-6.12/kmods/load-order

# dkms add, build and install for both Debian kernels, in a DKMS tree of
# its own (no system state touched).
dkms-check: deps
	@mkdir -p $(BUILD)/check
	@echo "== lane dkms: dkms build and install for $(KVER) and $(KVER612)"
	@tools/dkms/dkms-check.sh $(BUILD) $(KVER) $(KVER612) > $(BUILD)/check/dkms.report || true
	@cat $(BUILD)/check/dkms.report

# Installs xe_pfvf with DKMS for every installed kernel (and the kernels
# installed later): /usr/src/xe_pfvf-<version>.
dkms-install: deps
	@v=$$(tools/dkms/version.sh); tools/dkms/stage.sh /usr/src/xe_pfvf-$$v $$v && \
		dkms add -m xe_pfvf -v $$v && dkms autoinstall
	$(MAKE) --no-print-directory headers_install udev_install

# The uAPI header and the udev rule, where a distribution package puts
# them (DESTDIR and PREFIX as usual); dkms-install installs them too.
PREFIX ?= /usr
.PHONY: headers_install headers_check udev_install
headers_install:
	install -D -m 0644 uapi/linux/xe_pfvf.h $(DESTDIR)$(PREFIX)/include/linux/xe_pfvf.h

udev_install:
	install -D -m 0644 tools/udev/70-xe-pfvf.rules $(DESTDIR)/lib/udev/rules.d/70-xe-pfvf.rules

# The installed header builds alone as C99 and C++20 with every warning.
headers_check:
	@rm -rf $(BUILD)/hdr && $(MAKE) --no-print-directory headers_install DESTDIR=$(BUILD)/hdr PREFIX=/usr
	@printf '#include <linux/xe_pfvf.h>\nint main(void) { return XE_PFVF_IOC_VERSION == 0; }\n' > $(BUILD)/hdr/t.c
	gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -I$(BUILD)/hdr/usr/include -c $(BUILD)/hdr/t.c -o $(BUILD)/hdr/t.o
	g++ -std=c++20 -x c++ -Wall -Wextra -Wpedantic -Werror -I$(BUILD)/hdr/usr/include -c $(BUILD)/hdr/t.c -o $(BUILD)/hdr/t.o
	@echo "headers_check: uapi/linux/xe_pfvf.h builds alone as C99 and C++20"

sparse: deps
	$(call kmod_build,$(BUILD)/kmod-sparse,$(KDIR),C=2)

checkpatch: debug-kernel
	@tools/checkpatch.sh "$$(cat $(BUILD)/debug-tree)"

tools: deps
	@cmake -S tools -B $(BUILD)/tools -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@set -o pipefail; cmake --build $(BUILD)/tools -j$(JOBS) -- --no-print-directory | sed "/Built target/d"

igt: deps
	@$(MAKE) -s -C igt-tests O=$(BUILD)/igt

host-tests: tools
	@mkdir -p $(BUILD)/check
	@tools/ctest-report.sh $(BUILD)/tools host > $(BUILD)/check/host.report || true

static: debug-kernel
	@mkdir -p $(BUILD)/check
	@echo "== lane static: W=1, sparse, checkpatch, clang-tidy"
	@tools/static-report.sh $(BUILD) $(KDIR) $$(cat $(BUILD)/debug-tree) \
		> $(BUILD)/check/static.report || true

# A VM lane's prerequisites are its builds.  make check builds everything
# first and then runs lanes side by side with LANE_ONLY=1, so that no two
# lanes build the same thing at once.
lane_deps = $(if $(LANE_ONLY),,$(1))

# vm_lane NAME, KERNEL-IMAGE, KVER, MODDIR, TOPOLOGY, REPORT-ARGS[, TESTS[, RUN-VM-ARGS]]
define vm_lane
	@mkdir -p $(BUILD)/check
	@echo "== lane $(1): booting $(2)"
	-@tools/vm/run-vm.sh --lane $(1) --kernel $(2) --kver $(3) --moddir $(4) \
		--topology $(5) --out $(BUILD)/vm-$(1) $(if $(7),--only '$(7)') $(8)
	@$(RIG) report --lane $(1) --console $(BUILD)/vm-$(1)/console.log \
		--results $(BUILD)/vm-$(1)/results --require-done $(6) \
		> $(BUILD)/check/$(1).report; cat $(BUILD)/check/$(1).report
endef

vm-stock: $(call lane_deps,modules tools igt)
	$(call vm_lane,stock,/boot/vmlinuz-$(KVER),$(KVER),$(BUILD)/kmod-stock/drivers/xe_pfvf,rootport,)

vm-switch: $(call lane_deps,modules tools igt)
	$(call vm_lane,stock-switch,/boot/vmlinuz-$(KVER),$(KVER),$(BUILD)/kmod-stock/drivers/xe_pfvf,switch,)

# Guest size of the debug lanes.  kmemleak's scans take time in
# proportion to the guest's memory (a scan: 24 s with 2G, 13 s with 1G under
# TCG, 10 s with 1G and one vCPU), and the lanes without race tests take one
# vCPU: the race stress and the fuzzer's racing thread run with two in the
# debug lane and the stock lanes keep two.  Measured: the debug lane, with
# two vCPUs, is the one that slows beside another lane (324 s alone, 370 to
# 390 s side by side).
ONE_VCPU := --smp 1 --mem 1G

# The debug 6.1 lane: the whole rig, plus what only the debug kernel
# judges well: 10 000 calls of the uAPI fuzzer (`make vm-fuzz` runs a
# million), the P2P differential test (root port) and 20 s of the race
# stress (`make vm-stress` runs 60 s alone).  The load/unload cycles of
# module-reload run in the stock lanes only: module-load and module-unload
# already take the debug kernel through both paths.
FUZZ_COUNT_CHECK ?= 10000
DEBUG_TESTS := module-load kunit swpf-attach swpf-enable-vfs xlate igt uapi dmabuf \
	dmabuf-unload p2p-diff uapi-fuzz stress swpf-detach-with-vfs swpf-attach-param \
	swpf-bad-attach module-unload kmemleak
vm-debug: $(call lane_deps,modules-debug tools igt)
	$(call vm_lane,debug,$$(cat $(BUILD)/debug-tree)/arch/x86/boot/bzImage,-,$(BUILD)/kmod-debug/drivers/xe_pfvf,rootport,--kunit-suite xe_pfvf_pf --kunit-suite xe_pfvf_table --kunit-suite xe_pfvf_xlate --kunit-suite xe_pfvf_dmabuf --kunit-suite xe_pfvf_revoke,$(DEBUG_TESTS),--timeout 1800 --mem 1G --env XE_RIG_STRESS_SECONDS=20 --env XE_RIG_FUZZ_COUNT=$(FUZZ_COUNT_CHECK))

# The debug kernel behind the switch: P2PDMA allows the PF and its VFs to
# reach each other there, so the dma-buf standard path maps instead of
# refusing.  Only the tests that differ by topology.  The switch has a
# second function under a second downstream port and a third under a
# second root port (switch2), for the P2P differential test.  It also runs
# the benchmark module's paths once each (bench-smoke), here only.
vm-debug-switch: $(call lane_deps,modules-debug tools igt)
	$(call vm_lane,debug-switch,$$(cat $(BUILD)/debug-tree)/arch/x86/boot/bzImage,-,$(BUILD)/kmod-debug/drivers/xe_pfvf,switch2,--kunit-suite xe_pfvf_dmabuf,module-load kunit swpf-attach swpf-enable-vfs dmabuf dmabuf-unload p2p-diff swpf-detach-with-vfs module-unload bench-smoke kmemleak,--timeout 1800 $(ONE_VCPU))

# The debug kernel on an AMD Zen CPU model: the kernel trusts its host
# bridge with P2P, so behind the ACS root port the standard path is allowed
# through the host bridge (mapped for the importer, never raw bus
# addresses): the KUnit standard-path case checks that mapping.  Only the
# tests that differ by CPU, and the P2P differential test with a second
# root port (rootports2): the third topology, on the CPU whose host bridge
# is trusted.  The guest dma-buf suite differs here only by the case that
# expects the refusal, so it runs in the other lanes (add dmabuf to
# EPYC_TESTS to run it here: the exclusion below leaves that case out).
EPYC_TESTS := module-load kunit swpf-attach swpf-enable-vfs p2p-diff swpf-detach-with-vfs \
	module-unload kmemleak
vm-debug-epyc: $(call lane_deps,modules-debug tools igt)
	$(call vm_lane,debug-epyc,$$(cat $(BUILD)/debug-tree)/arch/x86/boot/bzImage,-,$(BUILD)/kmod-debug/drivers/xe_pfvf,rootports2,--kunit-suite xe_pfvf_dmabuf,$(EPYC_TESTS),--timeout 1800 $(ONE_VCPU) --cpu EPYC --env XE_RIG_DMABUF_EXCLUDE=DmabufVfio.StandardPathIsREMOTEIO)

# Debian's stock 6.12 kernel: the whole rig, PF behind the root port.
vm-stock612: $(call lane_deps,modules-612 tools igt)
	$(call vm_lane,stock612,/boot/vmlinuz-$(KVER612),$(KVER612),$(BUILD)/kmod-stock612/drivers/xe_pfvf,rootport,)

# The 6.12 debug kernel: the patched Xe loaded beside xe_pfvf and its
# KUnit suites (the glue's among them), then every xe_pfvf KUnit suite
# (through IGT), the dma-buf tests, the uAPI's proof of ownership by a VFIO
# device cdev (only this kernel has VFIO device cdevs) and kmemleak.  The
# rest of the rig runs on 6.12 in the stock612 lane (KASAN makes this
# kernel slow under TCG: loading xe and its dependencies takes 40 s).
XE612_TESTS := xe-load xe-kunit module-load kunit swpf-attach swpf-enable-vfs dmabuf uapi \
	swpf-detach-with-vfs module-unload kmemleak
vm-debug612: $(call lane_deps,modules-debug612 xe-module tools igt)
	$(call vm_lane,debug612,$$(cat $(BUILD)/debug612-tree)/arch/x86/boot/bzImage,-,$(BUILD)/kmod-debug612/drivers/xe_pfvf,rootport,--kunit-suite xe_pfvf_pf --kunit-suite xe_pfvf_table --kunit-suite xe_pfvf_xlate --kunit-suite xe_pfvf_dmabuf --kunit-suite xe_pfvf_revoke,$(XE612_TESTS),--timeout 1800 $(ONE_VCPU) --env XE_RIG_XE_KO=$$(cat $(BUILD)/xe-ko) --env XE_RIG_KTREE=$(BUILD)/xe-6.12/kmods --env 'XE_RIG_UAPI_FILTER=UapiExportCdev.*')

# The memory disable/enable race test of the dma-buf suite, which freezes
# QEMU's TCG about one run in three and is therefore not in make check
# (tools/vm/guest-tests.sh, t_dmabuf).
.PHONY: vm-race
vm-race: modules tools
	$(call vm_lane,race,/boot/vmlinuz-$(KVER),$(KVER),$(BUILD)/kmod-stock/drivers/xe_pfvf,rootport,,module-load swpf-attach swpf-enable-vfs dmabuf,--env XE_RIG_RACE_TESTS=1)

# Race stress (issue 9), debug kernel only: 60 s of VMM exports and PF
# imports racing VF FLR, memory disable, VFIO reset, unprovision,
# sriov_numvfs 0/N and backend unbind (tools/guest/stress).  The lane fails
# on any splat, hung task or kmemleak report.
.PHONY: vm-stress
vm-stress: modules-debug tools
	$(call vm_lane,stress,$$(cat $(BUILD)/debug-tree)/arch/x86/boot/bzImage,-,$(BUILD)/kmod-debug/drivers/xe_pfvf,rootport,,module-load swpf-attach swpf-enable-vfs stress swpf-detach-with-vfs module-unload kmemleak)

# Fault injection (issue 9), debug kernel only: every interface of the
# modules with its N-th allocation failed in turn (fail-nth,
# tools/guest/faultinject), from nothing loaded.  The lane fails on any
# failure that is not a clean errno, a state that no longer works, a splat
# or a kmemleak report.
.PHONY: vm-faultinject
vm-faultinject: $(call lane_deps,modules-debug tools)
	$(call vm_lane,faultinject,$$(cat $(BUILD)/debug-tree)/arch/x86/boot/bzImage,-,$(BUILD)/kmod-debug/drivers/xe_pfvf,rootport,,faultinject kmemleak,--timeout 1800 $(ONE_VCPU))

# The uAPI fuzzer at full length (issue 11), debug kernel only: a million
# calls (FUZZ_COUNT) of the eight ioctls, well-formed and mutated, with a
# racing thread (tools/guest/fuzz_uapi).  About an hour under TCG; the
# debug lane of make check runs FUZZ_COUNT_CHECK calls.  Fails on any
# answer the uAPI does not allow, a splat, a leaked dma-buf or kmemleak.
FUZZ_COUNT ?= 1000000
.PHONY: vm-fuzz
vm-fuzz: modules-debug tools
	$(call vm_lane,fuzz,$$(cat $(BUILD)/debug-tree)/arch/x86/boot/bzImage,-,$(BUILD)/kmod-debug/drivers/xe_pfvf,rootport,,module-load swpf-attach swpf-enable-vfs uapi-fuzz swpf-detach-with-vfs module-unload kmemleak,--timeout 10800 --env XE_RIG_FUZZ_COUNT=$(FUZZ_COUNT) --env XE_RIG_TEST_TIMEOUT=10200)

# make check: the host and static lanes, the DKMS check and every build
# (the debug kernels and the patched xe.ko are cached, see above), one
# after the other; then the VM lanes in two queues side by side
# (CHECK_JOBS=2, the default with two cores or more), balanced by the
# lanes' measured times (README, "What make check runs"), with the wall
# time of each step.  CHECK_JOBS=1 runs the lanes one after the other.
# A warm make check took 836 s here, 892 s as .ci/run in a fresh clone
# (README, "What make check runs").
#
# Which lanes run where: the whole rig on each Debian kernel as shipped
# (stock, stock612) and on the 6.1 debug kernel, which also runs the fuzzer,
# the race stress and the P2P differential test; the topology and CPU
# variants on the 6.1 debug kernel only (P2PDMA is built there, not in
# Debian's), with the tests that differ there; fault injection on the 6.1
# debug kernel; the patched Xe and the VFIO device cdev on the 6.12 debug
# kernel.  `make vm-switch` (stock behind the switch: P2PDMA-less, so 25
# tests skip) and `make vm-stress` (60 s) still run alone.
CHECK_JOBS ?= $(if $(filter 0 1,$(shell nproc)),1,2)
CHECK_STEPS := host-tests static dkms-check check-builds
CHECK_QUEUE1 := vm-debug612 vm-faultinject vm-stock612 vm-stock
CHECK_QUEUE2 := vm-debug vm-debug-switch vm-debug-epyc
CHECK_LANES := vm-stock vm-stock612 vm-debug vm-debug-switch vm-debug-epyc vm-faultinject \
	vm-debug612
CHECK_REPORTS := host static dkms stock stock612 debug debug-switch debug-epyc \
	faultinject debug612
.PHONY: check-builds
check-builds: modules modules-612 modules-debug modules-debug612 xe-module tools igt
check:
	@rm -rf $(BUILD)/check && mkdir -p $(BUILD)/check
	@start=$$(date +%s); \
	step() { \
		local t=$$(date +%s) rc=0; \
		$(MAKE) --no-print-directory "$$@" || rc=$$?; \
		printf '%-18s %5d s\n' $$1 $$(( $$(date +%s) - t )) | tee -a $(BUILD)/check/times; \
		return $$rc; \
	}; \
	built=1; \
	for s in $(CHECK_STEPS); do \
		step $$s || { [ $$s != check-builds ] || built=0; }; \
		case $$s in host-tests) cat $(BUILD)/check/host.report ;; static) cat $(BUILD)/check/static.report ;; esac; \
	done; \
	if [ $$built -eq 0 ]; then \
		echo "== a build failed (above): no VM lane runs"; \
	elif [ "$(CHECK_JOBS)" -gt 1 ]; then \
		echo "== the VM lanes in 2 queues: $(CHECK_QUEUE1) | $(CHECK_QUEUE2)"; \
		( for l in $(CHECK_QUEUE1); do step $$l LANE_ONLY=1; done ) & \
		( for l in $(CHECK_QUEUE2); do step $$l LANE_ONLY=1; done ) & \
		wait; \
	else \
		for l in $(CHECK_LANES); do step $$l LANE_ONLY=1; done; \
	fi; \
	echo "== wall time of each step"; cat $(BUILD)/check/times; \
	echo "== make check took $$(( $$(date +%s) - start )) s"; \
	$(RIG) sum $(addprefix $(BUILD)/check/,$(addsuffix .report,$(CHECK_REPORTS)))

# Benchmarks: figures and ratios against a baseline measured in the same run.
# bench_vm LANE SCRIPT RUN-VM-ARGS: one benchmark VM (stock kernel); its
# script.log is kept as $(BENCH)/LANE.log.  Fails when the VM or the guest
# script does not run to its end.
define bench_vm
	@tools/vm/run-vm.sh --lane $(1) --kernel /boot/vmlinuz-$(KVER) --kver $(KVER) \
		--moddir $(BUILD)/kmod-stock/drivers/xe_pfvf --out $(BUILD)/vm-$(1) \
		--script tools/vm/$(2) $(3) --timeout 900 >/dev/null 2>&1 || \
		{ echo "bench: the $(1) VM did not run to its end; its console:"; \
		  tail -n 30 $(BUILD)/vm-$(1)/console.log; exit 1; }
	@cp $(BUILD)/vm-$(1)/script.log $(BENCH)/$(1).log
	@grep -qx 'RESULT script PASS' $(BUILD)/vm-$(1)/results || \
		{ echo "bench: tools/vm/$(2) failed:"; tail -n 30 $(BENCH)/$(1).log; exit 1; }
	@grep -v 'xe_pfvf_bench: csv=' $(BENCH)/$(1).log | sed 's/^/   /' || true
endef

BENCH := $(BUILD)/bench
bench: modules tools
	@command -v gnuplot >/dev/null || { echo "bench: no gnuplot (make deps)"; exit 1; }
	@rm -rf $(BENCH) && mkdir -p $(BENCH)
	@echo "== core lookups (userspace, the kernel's core sources)"
	@$(BUILD)/tools/core/xe-pfvf-core-bench
	@echo "== VM 1 of 3 (stock kernel, TCG: compare ratios, not absolutes): IOVA translation, dma-buf map+unmap; 1 VF, 1 MiB BAR"
	$(call bench_vm,bench,bench-guest.sh,--vf-bar large)
	@echo "== VM 2 of 3: revocation beside a stuck importer, frames, revocation of 1 to 1024 dma-bufs; 4 VFs"
	$(call bench_vm,bench-revoke,bench-revoke-guest.sh,)
	@echo "== VM 3 of 3: scale, 1, 8 and 127 VFs provisioned; 127 VFs"
	$(call bench_vm,bench-scale,bench-scale-guest.sh,--vfs 127)
	@echo "== figures against their targets (CSVs, figures.md and plots in $(BENCH))"
	@$(BUILD)/tools/bench/xe-pfvf-bench-report --out $(BENCH) \
		$(BENCH)/bench.log $(BENCH)/bench-revoke.log $(BENCH)/bench-scale.log
	@echo "== plots"
	@cd $(BENCH) && for gp in *.gp; do gnuplot "$$gp" || exit 1; done
	@ls $(BENCH)/*.png

# The last `make bench` into docs/bench, for the README: figures.md, the
# CSVs, the plots and the raw logs; commit them by hand.
bench-publish:
	@test -f $(BENCH)/figures.md || { echo "bench-publish: no $(BENCH)/figures.md (make bench first)"; exit 1; }
	@rm -rf docs/bench && mkdir -p docs/bench
	@cp $(BENCH)/figures.md $(BENCH)/*.csv $(BENCH)/*.png $(BENCH)/*.log docs/bench/
	@echo "$$(date -u +%F) commit $$(git rev-parse --short HEAD)$$(git diff --quiet HEAD || echo +changes), $$(nproc) cores ($$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), QEMU $$(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p') TCG, guest kernel Debian $(KVER)" \
		> docs/bench/run.txt
	@echo "docs/bench: $$(cd docs/bench && echo *)"

demo: modules tools
	@echo "== booting the stock kernel with the emulated SR-IOV PF (about 15 s)"
	@tools/vm/run-vm.sh --lane demo --kernel /boot/vmlinuz-$(KVER) --kver $(KVER) \
		--moddir $(BUILD)/kmod-stock/drivers/xe_pfvf --out $(BUILD)/vm-demo --demo \
		--timeout 300 >/dev/null 2>&1 || { tail -n 30 $(BUILD)/vm-demo/console.log; exit 1; }
	@cat $(BUILD)/vm-demo/demo.txt
	@grep -q '^RESULT demo PASS' $(BUILD)/vm-demo/results

vm-shell: modules tools igt $(if $(filter debug,$(KERNEL)),modules-debug)
	@if [ "$(KERNEL)" = debug ]; then \
		tools/vm/run-vm.sh --lane shell --kernel $$(cat $(BUILD)/debug-tree)/arch/x86/boot/bzImage \
			--kver - --moddir $(BUILD)/kmod-debug/drivers/xe_pfvf --out $(BUILD)/vm-shell --shell; \
	else \
		tools/vm/run-vm.sh --lane shell --kernel /boot/vmlinuz-$(KVER) --kver $(KVER) \
			--moddir $(BUILD)/kmod-stock/drivers/xe_pfvf --out $(BUILD)/vm-shell --shell; \
	fi

clean:
	rm -rf $(BUILD)

endif
