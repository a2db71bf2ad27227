#!/usr/bin/env bash
# Integration: opsbot --verify-audit over a store the real bot wrote (its
# console, a few commands): a clean chain exits 0 and prints its tail; an
# edited, a deleted and an inserted row exit 5 naming the row; a tail cut
# off is found only with the tail recorded before (the bot logs it at
# stop); --audit-tail alone is
# wrong usage; a missing store exits 3. The running bot is not disturbed.
# usage: verify-audit.sh /path/to/opsbot
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-va "$@"
sql() { sqlite3 -cmd '.timeout 5000' "$DB" "$1"; }

cat >"$T/bot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_file": "$T/bot.log" },
  "chat": { "console": { "enabled": true } },
  "users": [ { "name": "me", "platform": "console", "id": "*",
               "roles": ["admin"] } ],
  "alerts": { "listen": "127.0.0.1:0", "checks": { "enabled": false } } }
JSON
DB="$T/data/opsbot.db"
verify() { "$BOT" --config "$T/bot.json" --verify-audit "$@" 2>&1; }
# A fresh store of six rows: the bot runs them and stops at EOF.
fresh() {
  rm -rf "$T/data"
  printf '/whoami\n/status\n/help\n/whoami\n/nosuch\n/status\n' |
    "$BOT" --config "$T/bot.json" >"$T/out" 2>&1
}

out=$(verify); rc=$?
equals "no store: exit 3" "$rc" 3
contains "no store: says why" "$out" "verify-audit: $DB"

fresh
equals "the bot wrote six rows" "$(sql 'SELECT count(*) FROM audit')" 6
out=$(verify); rc=$?
equals "a clean chain: exit 0" "$rc" 0
contains "a clean chain: rows checked" "$out" "6 chained rows checked"
tail=$(sed -n 's/^the chain holds; tail \([0-9]*:[0-9a-f]*\) .*/\1/p' <<<"$out")
equals "a clean chain: its tail is row 6" "${tail%%:*}" 6
out=$(verify --audit-tail "$tail"); rc=$?
equals "the tail recorded is still there: exit 0" "$rc" 0

sql "UPDATE audit SET user_name = 'mallory' WHERE id = 2"
out=$(verify); rc=$?
equals "an edited row: exit 5" "$rc" 5
contains "an edited row: named, with its time" "$out" "BROKEN at row 2 ("
contains "an edited row: what differs" "$out" "edited: a field of the row"
contains "an edited row: the rows before it checked" "$out" "1 chained rows checked"

fresh
sql "DELETE FROM audit WHERE id = 3"
out=$(verify); rc=$?
equals "a deleted row: exit 5" "$rc" 5
contains "a deleted row: named" "$out" "BROKEN at row 4 ("
contains "a deleted row: what" "$out" "deleted: row 3, written before it, is missing"

fresh
sql "INSERT INTO audit (ts, platform, user, channel, command, outcome, duration_ms) VALUES (1, 'console', 'x', 'console', '/rerun payroll --confirm', 'ok', 1)"
out=$(verify); rc=$?
equals "an inserted row: exit 5" "$rc" 5
contains "an inserted row: named" "$out" "BROKEN at row 7 ("
contains "an inserted row: what" "$out" "has no hash"

# The tail as the bot logged it at stop: a copy away from the store.
fresh
logged=$(sed -n 's/.*stop: the audit chain.s tail is \([0-9]*:[0-9a-f]*\).*/\1/p' "$T/bot.log" | tail -1)
out=$(verify)
tail=$(sed -n 's/^the chain holds; tail \([0-9]*:[0-9a-f]*\) .*/\1/p' <<<"$out")
equals "the bot logs the chain's tail at stop" "$logged" "$tail"
sql "DELETE FROM audit WHERE id >= 5"
out=$(verify); rc=$?
equals "a cut tail alone: the chain holds (the store cannot show it)" "$rc" 0
contains "a cut tail alone: fewer rows" "$out" "4 chained rows checked"
out=$(verify --audit-tail "$tail"); rc=$?
equals "a cut tail, with the tail recorded: exit 5" "$rc" 5
contains "a cut tail: what" "$out" "truncated: row 6, the tail recorded earlier, is gone; the chain now ends at row 4"

out=$("$BOT" --config "$T/bot.json" --audit-tail "$tail" 2>&1); rc=$?
equals "--audit-tail without --verify-audit: exit 2" "$rc" 2
contains "--audit-tail without --verify-audit: says so" "$out" "goes with --verify-audit"

# While the bot runs and writes: one snapshot, the chain holds.
fresh
mkfifo "$T/in"
"$BOT" --config "$T/bot.json" <"$T/in" >"$T/out" 2>&1 &
bot_pid=$!
exec 3>"$T/in"
for _ in $(seq 20); do printf '/whoami\n' >&3; done
for _ in $(seq 300); do [ "$(sql 'SELECT count(*) FROM audit')" -ge 26 ] && break; sleep 0.1; done
out=$(verify); rc=$?
equals "while the bot runs: exit 0" "$rc" 0
printf '/status\n' >&3
exec 3>&-
wait "$bot_pid"
bot_pid=
out=$(verify); rc=$?
equals "after the bot wrote more: still holds" "$rc" 0
contains "after the bot wrote more: every row checked" "$out" "27 chained rows checked"
assert_done
