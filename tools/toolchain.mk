# The toolchain, read by the Makefile and by tools/lib.sh alike.
#
# CONFIG_RUST_INLINE_HELPERS inlines the kernel's C helpers into Rust code,
# which needs clang and rustc on one LLVM major: rustc 1.95 is LLVM 22, and
# Debian serves clang-22 to bookworm. tools/setup.sh installs both and
# refuses a pair that does not match.
RUST_TOOLCHAIN=1.95.0
LLVM_MAJOR=22
# bindgen 0.73 mislays struct task_struct (Documentation/bindgen_layout.rst).
BINDGEN_VERSION=0.72.1
