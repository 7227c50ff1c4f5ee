# SPDX-License-Identifier: GPL-2.0
#
# nullfs_rs: the module, its test kernel, and the commands around them.
#
#   make            build build/module/nullfs_rs.ko against KDIR (by default
#                   the project's own kernel, which is set up and built first)
#   make run        the main job: boot the test kernel, show what the module does
#   make samples    build the scoped_with_init_fs samples (Rust and C)
#   make install    install nullfs_rs.ko into KDIR's kernel's module tree
#                   ($(INSTALL_MOD_PATH)/lib/modules/RELEASE/updates) and
#                   run depmod, so that `mount -t nullfs_rs` loads it
#   make shell      an interactive guest with the module loaded
#   make check      all tests, ending with "N passed, N failed"
#   make lint       rustfmt, clippy, checkpatch
#   make stress     the reliability run on the debug kernel (long stress,
#                   fault injection, hostile input, fuzzing, kmemleak),
#                   then make mutants
#   make mutants    the mutation run: each tools/mutants/*.patch must be
#                   killed by the tests its Killed-by: line names
#   make bench      nullfs_rs against the C nullfs, tmpfs and ramfs, in one
#                   boot: tools/bench/results/{latest.txt,latest.json,ratios.png}
#
# KERNELRELEASE=RELEASE builds for an installed distribution kernel
# (Debian's stock 7.3.4), and make run, shell and bench boot its image.
#
# NULLFS_RS_FLAVOUR=debug selects the debug kernel (KASAN, lockdep, kmemleak,
# failslab, debugobjects); NULLFS_RS_CACHE moves the cache.

SHELL := /bin/bash
TOP := $(CURDIR)
export NULLFS_RS_FLAVOUR ?= default
export NULLFS_RS_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/nullfs_rs

# Which kernel: the project's own by default; a distribution's kernel when
# KERNELRELEASE names one whose headers are installed, or when KDIR is its
# headers (as dkms passes them).  A distribution's headers ship no Rust
# artifacts: tools/stock/tree.sh rebuilds them from its source package, in
# the cache, with the compilers its config names.
ifeq ($(origin KDIR),undefined)
ifneq ($(KERNELRELEASE),)
STOCK_HEADERS := /lib/modules/$(KERNELRELEASE)/build
endif
else ifeq ($(wildcard $(KDIR)/rust/libkernel.rmeta),)
STOCK_HEADERS := $(KDIR)
KERNELRELEASE := $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
endif

ifdef STOCK_HEADERS
export NULLFS_RS_KERNEL := stock
# Not installed on this machine (a Debian 12 one, say): the builds run in
# the project's Debian 13 build root, which has them (tools/stock/root.sh).
ifeq ($(wildcard $(STOCK_HEADERS)/.config),)
STOCK_VIA_ROOT := 1
endif
# Named by KDIR, as dkms does, the module lands where it would for any
# KDIR (dkms.conf's BUILT_MODULE_LOCATION); named by KERNELRELEASE, in a
# directory of that release's own.
OUT := $(TOP)/build$(if $(filter command line,$(origin KDIR)),,/stock/$(KERNELRELEASE))
override KDIR := $(NULLFS_RS_CACHE)/stock/$(KERNELRELEASE)/linux
KERNEL_DEP := stock-tree
# The C compiler the kernel was built with, as its config records it; no
# LLVM, and the distribution's rustc rather than rustup's.
STOCK_CC := $(shell sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\).*/\1/p' $(STOCK_HEADERS)/.config 2>/dev/null)
KMAKE_FLAGS := CC=$(STOCK_CC) HOSTCC=$(STOCK_CC) KERNELRELEASE=$(KERNELRELEASE)
# The distribution signs its modules with a key that is not here: the
# module is installed unsigned (dkms signs it with the machine's MOK), and
# depmod runs by hand, as the headers have no System.map for kbuild to
# run it with.
INSTALL_FLAGS := CONFIG_MODULE_SIG_ALL=
else
# Build output; the debug flavour keeps its own, so that a module is only
# ever loaded into the kernel it was built for.
OUT := $(TOP)/build$(if $(filter debug,$(NULLFS_RS_FLAVOUR)),/debug)
# The project's kernel unless the caller names another patched 7.3 tree.
ifeq ($(origin KDIR),undefined)
KDIR := $(NULLFS_RS_CACHE)/kernel/$(NULLFS_RS_FLAVOUR)/build
KERNEL_DEP := kernel
endif
# clang of rustc's LLVM major, and the pinned rustc (tools/toolchain.mk).
# `make KDIR=... LLVM=-19` builds against a tree made with another clang.
include $(TOP)/tools/toolchain.mk
LLVM := -$(LLVM_MAJOR)
export LIBCLANG_PATH := /usr/lib/llvm-$(LLVM_MAJOR)/lib
export RUSTUP_TOOLCHAIN := $(RUST_TOOLCHAIN)
export PATH := $(HOME)/.cargo/bin:$(NULLFS_RS_CACHE)/venv/bin:$(PATH)
# CC and LD spelled out: dkms appends the unversioned CC=clang LD=ld.lld to
# this make's command line for a kernel built with clang, and a sub-make's
# own command line wins over what it inherits.
KMAKE_FLAGS := LLVM=$(LLVM) CC=clang$(LLVM) LD=ld.lld$(LLVM)
endif
export KDIR
export NULLFS_RS_OUT := $(OUT)

MODULE_OUT := $(OUT)/module
KMAKE := $(MAKE) -C $(KDIR) M=$(TOP) MO=$(MODULE_OUT) $(KMAKE_FLAGS)

.PHONY: all modules install samples bench-module setup kernel stock-tree selftests selftests-kmod \
	run shell \
	check stress mutants lint bench clean

all: modules

setup:
	@tools/setup.sh

kernel: setup
	@tools/kernel/build.sh >/dev/null

# Before anything can load: the modules $(2), built in $(1), checked
# against the kernel they are for.  Their layouts, those of vfs/layout.c
# and every struct and union their objects' debug info has, against the
# kernel's own BTF (tools/btf_layout.py); for a distribution's kernel, also
# their symbols against its Module.symvers (tools/symcheck.py).  A mismatch
# fails the build, saying what it is; a kernel without BTF, or a machine
# without pahole, gets a note that the layouts were not checked.
BTF_VMLINUX := $(or $(STOCK_HEADERS),$(KDIR))/vmlinux
define kernel_checks
$(if $(STOCK_HEADERS),python3 $(TOP)/tools/symcheck.py $(STOCK_HEADERS)/Module.symvers $(KERNELRELEASE) $(2) \
	>$(1)/symcheck.log || { cat $(1)/symcheck.log; exit 1; };) \
status=0; python3 $(TOP)/tools/btf_layout.py $(1)/$(3) $(patsubst %.ko,%.mod,$(2)) \
	$(BTF_VMLINUX) >$(1)/btf_layout.log || status=$$?; \
case $$status in \
0) ;; \
2) echo "note: layouts not checked against BTF: $$(grep -m1 'cannot check' $(1)/btf_layout.log)" ;; \
*) cat $(1)/btf_layout.log; exit 1 ;; \
esac
endef

ifdef STOCK_VIA_ROOT
# This machine's part: mmdebstrap for the root, and virtme-ng for the boots.
# The root sees this machine's files only under $(TOP): an install for a
# kernel this machine does not have goes to an INSTALL_MOD_PATH there.
modules install samples bench-module selftests-kmod stock-tree: setup
	@$(if $(filter install,$@),$(if $(filter $(TOP)/%,$(abspath $(INSTALL_MOD_PATH))),,\
		echo "make install: $(KERNELRELEASE) is not installed here; give an INSTALL_MOD_PATH under $(TOP)" >&2; exit 1))
	@tools/stock/root.sh RUN $(MAKE) -s -C $(TOP) KERNELRELEASE=$(KERNELRELEASE) \
		$(if $(INSTALL_MOD_PATH),INSTALL_MOD_PATH=$(abspath $(INSTALL_MOD_PATH))) $@
else
stock-tree:
	@tools/stock/tree.sh $(KERNELRELEASE) >/dev/null

modules: $(KERNEL_DEP)
	@tools/module_out.sh $(KDIR) $(MODULE_OUT)
	@$(KMAKE) modules
	@$(call kernel_checks,$(MODULE_OUT),$(MODULE_OUT)/nullfs_rs.ko,vfs/layout.rs)

# The kernel's modules_install for an external module: the .ko goes to
# updates/ (INSTALL_MOD_DIR) under INSTALL_MOD_PATH, then depmod runs.
install: modules
	@$(KMAKE) modules_install $(INSTALL_FLAGS)
ifdef STOCK_HEADERS
	@depmod -b $(or $(INSTALL_MOD_PATH),/) $(KERNELRELEASE)
	@$(if $(INSTALL_MOD_PATH),,tools/stock/lockdown.sh $(KERNELRELEASE))
endif

samples: $(KERNEL_DEP)
	@tools/module_out.sh $(KDIR) $(OUT)/samples
	@$(MAKE) -C $(KDIR) M=$(TOP)/samples MO=$(OUT)/samples $(KMAKE_FLAGS) modules
	@$(call kernel_checks,$(OUT)/samples,$(OUT)/samples/rust_init_fs.ko $(OUT)/samples/c_init_fs.ko,init_fs_layout.rs)

# The in-kernel half of make bench.
bench-module: $(KERNEL_DEP)
	@tools/module_out.sh $(KDIR) $(OUT)/bench/kmod
	@$(MAKE) -C $(KDIR) M=$(TOP)/tools/bench/kmod MO=$(OUT)/bench/kmod $(KMAKE_FLAGS) modules

selftests: $(KERNEL_DEP)
	@tools/selftests/build.sh $(OUT)/selftests

# The kernel module some kselftests load besides nullfs_rs.ko, for a kernel
# other than the project's (whose build selftests/build.sh makes).
selftests-kmod: $(KERNEL_DEP)
	@tools/module_out.sh $(KDIR) $(OUT)/selftests-kmod
	@$(MAKE) -C $(KDIR) M=$(TOP)/tools/selftests/kmod MO=$(OUT)/selftests-kmod $(KMAKE_FLAGS) modules
endif

# On a distribution's kernel (KERNELRELEASE), its own image boots.
BOOT := tools/boot.sh $(if $(STOCK_HEADERS),--stock $(KERNELRELEASE))

run: modules samples
	@$(BOOT) -- tools/guest/demo.sh

shell: modules
	@$(BOOT) --shell

check:
	@tools/check.sh

# The debug kernel and its own build directory, not this make's defaults;
# then the mutation run, on the default kernel.
stress:
	@env -u KDIR -u NULLFS_RS_OUT NULLFS_RS_FLAVOUR=debug tools/stress.sh; \
	status=$$?; $(MAKE) --no-print-directory mutants || status=1; exit $$status

# Each tools/mutants/*.patch built and booted with the tests that must
# fail on it; fails if one survives.
mutants: modules samples selftests
	@tools/mutants.sh

# On a distribution's kernel (KERNELRELEASE), in a boot of its own image.
bench: modules samples bench-module $(if $(STOCK_HEADERS),,selftests)
	@tools/bench/run.sh $(if $(STOCK_HEADERS),--stock $(KERNELRELEASE))

lint: modules
	@tools/lint.sh

clean:
	rm -rf $(TOP)/build
