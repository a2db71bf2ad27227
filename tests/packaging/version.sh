#!/usr/bin/env bash
# One version everywhere: `opsbot --version`, CMakeLists.txt's
# project(VERSION) (the source), CHANGELOG.md's newest release and the
# versions the docs name agree.
# Usage: version.sh OPSBOT SOURCE_DIR
set -euo pipefail
bin=$1 src=$2
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake_v=$(sed -nE 's/^project\(opsbot VERSION ([0-9]+\.[0-9]+\.[0-9]+).*/\1/p' \
	"$src/CMakeLists.txt")
[ -n "$cmake_v" ] || fail "no project(opsbot VERSION x.y.z) in CMakeLists.txt"
bin_v=$("$bin" --version | sed -nE '1s/^opsbot ([^ ]+).*/\1/p')
# The first "## [x.y.z]" heading; an [Unreleased] section may sit above it.
log_v=$(sed -nE '/^## \[[0-9]+\.[0-9]+\.[0-9]+\]/{s/^## \[([^]]+)\].*/\1/p;q}' \
	"$src/CHANGELOG.md")
[ "$bin_v" = "$cmake_v" ] ||
	fail "opsbot --version says '$bin_v', CMakeLists.txt says '$cmake_v'"
[ "$log_v" = "$cmake_v" ] ||
	fail "CHANGELOG.md's newest release is '$log_v', CMakeLists.txt says '$cmake_v'"
# Docs that name a version (a package file name, "opsbot 0.2.0") name this one.
stale=$(grep -rnoE 'opsbot[_ ][0-9]+\.[0-9]+\.[0-9]+' "$src/README.md" "$src/docs" \
	"$src/dist" 2>/dev/null | grep -vE "opsbot[_ ]$cmake_v\$" || true)
[ -z "$stale" ] || fail "docs name another version: $stale"
grep -q '^MIT License' "$src/LICENSE" || fail "LICENSE is not the MIT licence"
echo "ok: version $cmake_v everywhere"
