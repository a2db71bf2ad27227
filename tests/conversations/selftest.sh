#!/usr/bin/env bash
# The conversation driver's own test: a script whose every expectation is
# wrong must fail each with a message saying what was expected and what
# the bot said, and the driver must exit non-zero. A driver that passed
# everything would make every conv/ test worthless.
# usage: selftest.sh OPSBOT SOURCE_DIR
set -u
BOT=$(realpath "$1")
SRC=$(realpath "$2")
T=$(mktemp -d /tmp/ob-convst.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
. "$SRC/tests/integration/lib-assert.sh"

cp "$SRC/tests/conversations/hosts.json" "$T/"
cat >"$T/wrong.conv" <<'CONV'
config hosts.json
timeout 2
say /health web1
expect reply web1: CRIT
expect no reply web1: OK
expect reply /^db1/
expect sql SELECT outcome FROM audit = denied
expect log no such line
post /hooks/alertmanager missing.json
CONV
out=$(bash "$SRC/tests/conversations/run-conv.sh" "$BOT" "$SRC" "$T/wrong.conv" 2>&1); rc=$?
if [ "$rc" -ne 0 ]; then ok "wrong expectations: the driver exits non-zero"; else bad "driver exit" "exit 0 on a wrong script" "$out"; fi
contains "the say passes" "$out" "ok   wrong.conv:3: say /health web1"
contains "a missing reply fails, with what the bot said" "$out" \
  $'FAIL wrong.conv:4: expect reply web1: CRIT\n    not said within 2s; the bot said:\n    web1: OK ('
contains "an unwanted reply fails, with it" "$out" \
  $'FAIL wrong.conv:5: expect no reply web1: OK\n    the bot said it:'
contains "a regex that does not match fails" "$out" "FAIL wrong.conv:6: expect reply /^db1/"
contains "a wrong sql value fails, expected and got" "$out" \
  $'FAIL wrong.conv:7: expect sql SELECT outcome FROM audit\n    expected: denied\n    got:      ok'
contains "a missing log line fails" "$out" $'FAIL wrong.conv:8: expect log no such line\n    not logged within 2s'
contains "a missing file stops the script" "$out" "FAIL wrong.conv:9: post: cannot read $T/missing.json"
contains "the closing line counts them" "$out" "1 passed, 6 failed"

printf 'say /whoami\nexpect nonsense\n' >"$T/bad.conv"
out=$(bash "$SRC/tests/conversations/run-conv.sh" "$BOT" "$SRC" "$T/bad.conv" 2>&1); rc=$?
if [ "$rc" -ne 0 ]; then ok "an unknown directive fails the script"; else bad "unknown directive" "$out"; fi
contains "and names it" "$out" "FAIL bad.conv:2: unknown expectation: nonsense"

# A bot that cannot start fails the first say with its own words, and
# the driver still prints its closing line.
printf 'config <<END\n{ "bot": { "nope": 1 } }\nEND\nsay /whoami\n' >"$T/dead.conv"
out=$(bash "$SRC/tests/conversations/run-conv.sh" "$BOT" "$SRC" "$T/dead.conv" 2>&1); rc=$?
equals "a bot that does not start: exit 1" "$rc" 1
contains "the say fails" "$out" "FAIL dead.conv:4: say /whoami"
contains "with the bot's error" "$out" "bot.nope: unknown key"
contains "and the closing line" "$out" "0 passed, 1 failed"

# The right expectations pass, to show the above failed for their reason.
cat >"$T/right.conv" <<'CONV'
config hosts.json
say /health web1
expect reply web1: OK
expect no reply web1: CRIT
expect sql SELECT outcome FROM audit = ok
CONV
out=$(bash "$SRC/tests/conversations/run-conv.sh" "$BOT" "$SRC" "$T/right.conv" 2>&1); rc=$?
equals "the same script made right passes" "$rc" 0
contains "every line ok" "$out" "5 passed, 0 failed"
assert_done
