# Shared settings for the scripts in tools/: sourced, never run.
# shellcheck shell=bash

NULLFS_RS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NULLFS_RS_CACHE=${NULLFS_RS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nullfs_rs}

# The toolchain the 7.3 tree is built with: clang 19 for C and bindgen.
export LLVM=-19
export LIBCLANG_PATH=/usr/lib/llvm-19/lib
export PATH="$HOME/.cargo/bin:$NULLFS_RS_CACHE/venv/bin:$PATH"

say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }
