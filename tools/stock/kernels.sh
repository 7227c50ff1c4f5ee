# Debian's stock kernels that the project builds for and tests on: one
# version, served by trixie-backports, in three flavours.  Sourced.
# shellcheck shell=bash
STOCK_VERSION=7.3.4-1~bpo13+1
STOCK_RELEASES=(7.3.4+deb13-amd64 7.3.4+deb13-cloud-amd64 7.3.4+deb13-rt-amd64)
# The one whose image make check boots.
STOCK_BOOT_RELEASE=7.3.4+deb13-amd64
