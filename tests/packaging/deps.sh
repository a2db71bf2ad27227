#!/usr/bin/env bash
# Dependencies split by purpose: `make run` installs only what building
# and running the bot needs, never the test tools or the daemons the tests
# start (sshd, Alertmanager); `make test` installs those.
# Usage: deps.sh SOURCE_DIR
set -euo pipefail
src=$1
fail() { echo "FAIL: $*" >&2; exit 1; }

build=$("$src/scripts/deps.sh" --list build)
test=$("$src/scripts/deps.sh" --list test)
has() { grep -qx -- "$2" <<<"$1"; }

for p in libwebsockets-dev libcjson-dev libcurl4-openssl-dev libsqlite3-dev libedit-dev \
	cmake pkg-config openssh-client tzdata; do
	has "$build" "$p" || fail "build set lacks $p"
	has "$test" "$p" || fail "test set lacks $p (it must include the build set)"
done
for p in openssh-server prometheus-alertmanager prometheus clang libclang-rt-dev jq \
	sqlite3 man-db dpkg-dev tmux chromium; do
	has "$build" "$p" && fail "build set installs test-only $p"
	has "$test" "$p" || fail "test set lacks $p"
done

# What the make targets call (make -n prints, runs nothing).
run=$(make -s -n -C "$src" run BUILD=/nonexistent 2>/dev/null)
grep -q 'scripts/deps.sh build' <<<"$run" ||
	fail "make run does not call scripts/deps.sh build"
grep -q 'scripts/deps.sh test' <<<"$run" &&
	fail "make run installs the test set"
t=$(make -s -n -C "$src" test BUILD=/nonexistent ASAN_BUILD=/nonexistent 2>/dev/null)
grep -q 'scripts/deps.sh test' <<<"$t" ||
	fail "make test does not install the test set"
echo "ok: make run installs the build set only; make test the test set"
