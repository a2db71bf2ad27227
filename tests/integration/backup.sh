#!/usr/bin/env bash
# Integration: opsbot --backup copies the store while the bot runs under
# load (commands through its console in a loop, each an audit row): the
# copy passes PRAGMA integrity_check, is 0600, holds some but not more
# audit rows than the live store, and is not overwritten without --force.
# usage: backup.sh /path/to/opsbot
set -u
BOT=$(realpath "$1")
T=$(mktemp -d /tmp/opsbot-bk.XXXXXX)
bot_pid= load_pid=
cleanup() {
  [ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null
  [ -n "$bot_pid" ] && kill "$bot_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
pass=0
fail=0
. "$(dirname "${BASH_SOURCE[0]}")/lib-assert.sh"
sql() { sqlite3 -cmd '.timeout 5000' "$1" "$2"; }

cat >"$T/bot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_file": "$T/bot.log" },
  "chat": { "console": { "enabled": true } },
  "users": [ { "name": "me", "platform": "console", "id": "*",
               "roles": ["admin"] } ],
  "alerts": { "listen": "127.0.0.1:0", "checks": { "enabled": false } } }
JSON
mkfifo "$T/in"
"$BOT" --config "$T/bot.json" <"$T/in" >"$T/out" 2>&1 &
bot_pid=$!
exec 3>"$T/in"
# The load: commands as fast as the bot takes them, until killed.
( while printf '/whoami\n/status\n' >&3; do :; done ) 2>/dev/null &
load_pid=$!

# Poll (the machine may be loaded): wait for some audit rows.
db="$T/data/opsbot.db"
live=0
for _ in $(seq 1 300); do
  live=$(sql "$db" 'SELECT count(*) FROM audit' 2>/dev/null || echo 0)
  [ "${live:-0}" -ge 200 ] && break
  sleep 0.1
done
if [ "${live:-0}" -ge 200 ]; then ok "the bot is under load ($live audit rows)"; else bad "the bot is under load" "only ${live:-0} audit rows"; fi

out=$("$BOT" --config "$T/bot.json" --backup "$T/copy.db" 2>&1); rc=$?
equals "backup exits 0 while the bot runs" "$rc" 0
contains "backup says what it copied" "$out" "copy.db: copied $db ("
after=$(sql "$db" 'SELECT count(*) FROM audit')
equals "the copy is sound" "$(sql "$T/copy.db" 'PRAGMA integrity_check')" ok
copied=$(sql "$T/copy.db" 'SELECT count(*) FROM audit')
if [ "${copied:-0}" -gt 0 ] && [ "$copied" -le "$after" ]; then
  ok "the copy has audit rows, no more than the live store ($copied <= $after)"
else
  bad "the copy has audit rows, no more than the live store" "copy $copied, live $after"
fi
equals "the copy is 0600" "$(stat -c %a "$T/copy.db")" 600
equals "the copy is one file (no -wal beside it)" "$(ls "$T" | grep -c 'copy.db')" 1
if kill -0 "$bot_pid" 2>/dev/null; then ok "the bot kept running"; else bad "the bot kept running" "$(tail -5 "$T/bot.log")"; fi

out=$("$BOT" --config "$T/bot.json" --backup "$T/copy.db" 2>&1); rc=$?
equals "an existing file is refused (exit 3)" "$rc" 3
contains "and says how to replace it" "$out" "already exists (--force replaces it)"
equals "the refused copy is unchanged" "$(sql "$T/copy.db" 'SELECT count(*) FROM audit')" "$copied"
out=$("$BOT" --config "$T/bot.json" --backup "$T/copy.db" --force 2>&1); rc=$?
equals "--force replaces it" "$rc" 0
now=$(sql "$T/copy.db" 'SELECT count(*) FROM audit')
if [ "$now" -gt "$copied" ]; then ok "the new copy is newer ($now > $copied)"; else bad "the new copy is newer" "$now <= $copied"; fi
out=$("$BOT" --data-dir "$T/nowhere" --backup "$T/other.db" 2>&1); rc=$?
equals "no store: exit 3" "$rc" 3
contains "no store: names the file" "$out" "$T/nowhere/opsbot.db"
out=$("$BOT" --force 2>&1); rc=$?
equals "--force alone is a usage error" "$rc" 2

kill "$load_pid" 2>/dev/null; wait "$load_pid" 2>/dev/null; load_pid=
exec 3>&-
for _ in $(seq 1 300); do kill -0 "$bot_pid" 2>/dev/null || break; sleep 0.1; done
wait "$bot_pid"; rc=$?; bot_pid=
equals "the bot stops cleanly at the end of input" "$rc" 0
assert_done
