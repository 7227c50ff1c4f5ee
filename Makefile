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
#                   fault injection, hostile input, fuzzing, kmemleak)
#   make bench      nullfs_rs against the C nullfs, tmpfs and ramfs, in one
#                   boot: tools/bench/results/{latest.txt,latest.json,ratios.png}
#
# NULLFS_RS_FLAVOUR=debug selects the debug kernel (KASAN, lockdep, kmemleak,
# failslab, debugobjects); NULLFS_RS_CACHE moves the cache.

SHELL := /bin/bash
TOP := $(CURDIR)
export NULLFS_RS_FLAVOUR ?= default
export NULLFS_RS_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/nullfs_rs
# Build output; the debug flavour keeps its own, so that a module is only
# ever loaded into the kernel it was built for.
OUT := $(TOP)/build$(if $(filter debug,$(NULLFS_RS_FLAVOUR)),/debug)
export NULLFS_RS_OUT := $(OUT)

# The project's kernel unless the caller names another patched 7.3 tree.
ifeq ($(origin KDIR),undefined)
KDIR := $(NULLFS_RS_CACHE)/kernel/$(NULLFS_RS_FLAVOUR)/build
KERNEL_DEP := kernel
endif
export KDIR

# clang of rustc's LLVM major, and the pinned rustc (tools/toolchain.mk).
# `make KDIR=... LLVM=-19` builds against a tree made with another clang.
include $(TOP)/tools/toolchain.mk
LLVM := -$(LLVM_MAJOR)
export LIBCLANG_PATH := /usr/lib/llvm-$(LLVM_MAJOR)/lib
export RUSTUP_TOOLCHAIN := $(RUST_TOOLCHAIN)
export PATH := $(HOME)/.cargo/bin:$(NULLFS_RS_CACHE)/venv/bin:$(PATH)

MODULE_OUT := $(OUT)/module
# CC and LD spelled out: dkms appends the unversioned CC=clang LD=ld.lld to
# this make's command line for a kernel built with clang, and a sub-make's
# own command line wins over what it inherits.
KMAKE := $(MAKE) -C $(KDIR) M=$(TOP) MO=$(MODULE_OUT) LLVM=$(LLVM) CC=clang$(LLVM) \
	LD=ld.lld$(LLVM)

.PHONY: all modules install samples bench-module setup kernel selftests run shell check \
	stress lint bench clean

all: modules

setup:
	@tools/setup.sh

kernel: setup
	@tools/kernel/build.sh >/dev/null

modules: $(KERNEL_DEP)
	@mkdir -p $(MODULE_OUT)
	@$(KMAKE) modules

# The kernel's modules_install for an external module: the .ko goes to
# updates/ (INSTALL_MOD_DIR) under INSTALL_MOD_PATH, then depmod runs.
install: modules
	@$(KMAKE) modules_install

samples: $(KERNEL_DEP)
	@mkdir -p $(OUT)/samples
	@$(MAKE) -C $(KDIR) M=$(TOP)/samples MO=$(OUT)/samples LLVM=$(LLVM) modules

# The in-kernel half of make bench.
bench-module: $(KERNEL_DEP)
	@mkdir -p $(OUT)/bench/kmod
	@$(MAKE) -C $(KDIR) M=$(TOP)/tools/bench/kmod MO=$(OUT)/bench/kmod LLVM=$(LLVM) modules

selftests: $(KERNEL_DEP)
	@tools/selftests/build.sh $(OUT)/selftests

run: modules samples
	@tools/boot.sh -- tools/guest/demo.sh

shell: modules
	@tools/boot.sh --shell

check:
	@tools/check.sh

# The debug kernel and its own build directory, not this make's defaults.
stress:
	@env -u KDIR -u NULLFS_RS_OUT NULLFS_RS_FLAVOUR=debug tools/stress.sh

bench: modules samples bench-module selftests
	@tools/bench/run.sh

lint: modules
	@tools/lint.sh

clean:
	rm -rf $(TOP)/build
