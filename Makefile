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
# igt, debug-kernel, vm-shell (KERNEL=stock|debug), clean.
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

# The stock Debian kernel: found from /boot, never from `uname -r` (the
# machine's running kernel has no headers).
KVER ?= $(shell ls /boot/vmlinuz-*-amd64 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V | tail -n1)
KDIR ?= /lib/modules/$(KVER)/build
KERNEL ?= stock
JOBS ?= $(shell nproc)
RIG := $(BUILD)/tools/rig/xe-pfvf-rig
KSRC := Kbuild drivers include

.PHONY: all deps modules modules-debug sparse checkpatch tools igt debug-kernel \
	host-tests static vm-stock vm-switch vm-debug vm-debug-switch check demo bench vm-shell clean

all: modules tools igt

deps:
	@tools/deps.sh

# Modules are built in a copy of the sources per kernel, so that the stock
# and debug builds do not overwrite each other's objects.
define kmod_build
	@mkdir -p $(1)
	@tar -C $(REPO) -cf - $(KSRC) | tar -C $(1) -xf -
	$(MAKE) -C $(2) M=$(1) W=1 $(3) modules
endef

modules: deps
	@test -d "$(KDIR)" || { echo "no kernel build tree at KDIR=$(KDIR)"; exit 1; }
	$(call kmod_build,$(BUILD)/kmod-stock,$(KDIR))

debug-kernel: deps
	@tools/vm/build-debug-kernel.sh > $(BUILD)/.debug-tree.tmp
	@mkdir -p $(BUILD) && mv $(BUILD)/.debug-tree.tmp $(BUILD)/debug-tree

modules-debug: debug-kernel
	$(call kmod_build,$(BUILD)/kmod-debug,$$(cat $(BUILD)/debug-tree))

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

# vm_lane NAME, KERNEL-IMAGE, KVER, MODDIR, TOPOLOGY, REPORT-ARGS[, TESTS]
define vm_lane
	@mkdir -p $(BUILD)/check
	@echo "== lane $(1): booting $(2)"
	-@tools/vm/run-vm.sh --lane $(1) --kernel $(2) --kver $(3) --moddir $(4) \
		--topology $(5) --out $(BUILD)/vm-$(1) $(if $(7),--only '$(7)')
	@$(RIG) report --lane $(1) --console $(BUILD)/vm-$(1)/console.log \
		--results $(BUILD)/vm-$(1)/results --require-done $(6) \
		> $(BUILD)/check/$(1).report; cat $(BUILD)/check/$(1).report
endef

vm-stock: modules tools igt
	$(call vm_lane,stock,/boot/vmlinuz-$(KVER),$(KVER),$(BUILD)/kmod-stock/drivers/xe_pfvf,rootport,)

vm-switch: modules tools igt
	$(call vm_lane,stock-switch,/boot/vmlinuz-$(KVER),$(KVER),$(BUILD)/kmod-stock/drivers/xe_pfvf,switch,)

vm-debug: modules-debug tools igt
	$(call vm_lane,debug,$$(cat $(BUILD)/debug-tree)/arch/x86/boot/bzImage,-,$(BUILD)/kmod-debug/drivers/xe_pfvf,rootport,--kunit-suite xe_pfvf_pf --kunit-suite xe_pfvf_table --kunit-suite xe_pfvf_xlate --kunit-suite xe_pfvf_dmabuf --kunit-suite xe_pfvf_revoke)

# The debug kernel behind the switch: P2PDMA allows the PF and its VFs to
# reach each other there, so the dma-buf standard path maps instead of
# refusing.  Only the tests that differ by topology.
vm-debug-switch: modules-debug tools igt
	$(call vm_lane,debug-switch,$$(cat $(BUILD)/debug-tree)/arch/x86/boot/bzImage,-,$(BUILD)/kmod-debug/drivers/xe_pfvf,switch,--kunit-suite xe_pfvf_dmabuf,module-load kunit swpf-attach swpf-enable-vfs dmabuf dmabuf-unload swpf-detach-with-vfs module-unload kmemleak)

check:
	@rm -rf $(BUILD)/check && mkdir -p $(BUILD)/check
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory host-tests; cat $(BUILD)/check/host.report; \
	$(MAKE) --no-print-directory static; cat $(BUILD)/check/static.report; \
	$(MAKE) --no-print-directory vm-stock; \
	$(MAKE) --no-print-directory vm-switch; \
	$(MAKE) --no-print-directory vm-debug; \
	$(MAKE) --no-print-directory vm-debug-switch; \
	echo "== make check took $$(( $$(date +%s) - start )) s"; \
	$(RIG) sum $(BUILD)/check/host.report $(BUILD)/check/static.report $(BUILD)/check/stock.report \
		$(BUILD)/check/stock-switch.report $(BUILD)/check/debug.report \
		$(BUILD)/check/debug-switch.report

# Benchmarks: figures and ratios against a baseline measured in the same run.
bench: modules tools
	@echo "== core lookups (userspace, the kernel's core sources)"
	@$(BUILD)/tools/core/xe-pfvf-core-bench
	@echo "== IOVA translation in the VM (stock kernel, TCG: compare ratios, not absolutes)"
	@tools/vm/run-vm.sh --lane bench --kernel /boot/vmlinuz-$(KVER) --kver $(KVER) \
		--moddir $(BUILD)/kmod-stock/drivers/xe_pfvf --out $(BUILD)/vm-bench \
		--script tools/vm/bench-guest.sh --vf-bar large --timeout 600 >/dev/null 2>&1 || \
		{ tail -n 30 $(BUILD)/vm-bench/console.log; exit 1; }
	@cat $(BUILD)/vm-bench/script.log
	@echo "== revocation latency in the VM (stock kernel): one VF's stuck importer against another VF"
	@tools/vm/run-vm.sh --lane bench-revoke --kernel /boot/vmlinuz-$(KVER) --kver $(KVER) \
		--moddir $(BUILD)/kmod-stock/drivers/xe_pfvf --out $(BUILD)/vm-bench-revoke \
		--script tools/vm/bench-revoke-guest.sh --timeout 600 >/dev/null 2>&1 || \
		{ tail -n 30 $(BUILD)/vm-bench-revoke/console.log; exit 1; }
	@cat $(BUILD)/vm-bench-revoke/script.log

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
