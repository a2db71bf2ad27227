#!/usr/bin/env bash
# Integration: a data dir and a database that already exist with loose
# permissions (0777, 0666, under a 000 umask) are made owner-only with a
# warning, and the WAL and shm files sqlite creates are 0600 too.
# usage: datadir.sh OPSBOT
set -u
BOT=$(realpath "$1")
T=$(mktemp -d /tmp/ob-dd.XXXXXX)
bot_pid=
. "$(dirname "${BASH_SOURCE[0]}")/lib-assert.sh"
cleanup() {
  [ -n "$bot_pid" ] && kill "$bot_pid" 2>/dev/null && wait "$bot_pid" 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
D="$T/data"
cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$D", "log_level": "info" },
  "alerts": { "listen": "127.0.0.1:0", "checks": { "enabled": false } } }
JSON
run_bot() { # starts the bot under umask 000, reading commands from fd 9
  rm -f "$T/in"; mkfifo "$T/in"
  ( umask 000; exec "$BOT" --config "$T/opsbot.json" --console <"$T/in" >"$T/bot.out" 2>"$T/bot.err" ) &
  bot_pid=$!
  exec 9>"$T/in"
  for _ in $(seq 100); do
    grep -q 'ready in' "$D/opsbot.log" 2>/dev/null && return 0
    sleep 0.1
  done
  bad "bot starts" "$(cat "$T/bot.err")"
}
stop_bot() { exec 9>&-; wait "$bot_pid"; bot_pid=; }
mode() { stat -c %a "$1" 2>/dev/null || echo missing; }

# A store made once, then loosened the way a careless copy would.
run_bot
stop_bot
rm -f "$D/opsbot.log"
chmod 0777 "$D"
chmod 0666 "$D/opsbot.db"
# Stale WAL and shm files from a crash, world-writable.
: >"$D/opsbot.db-wal"; : >"$D/opsbot.db-shm"
chmod 0666 "$D/opsbot.db-wal" "$D/opsbot.db-shm"

run_bot
equals "data dir made 0700" "$(mode "$D")" 700
equals "database made 0600" "$(mode "$D/opsbot.db")" 600
equals "WAL is 0600" "$(mode "$D/opsbot.db-wal")" 600
equals "shm is 0600" "$(mode "$D/opsbot.db-shm")" 600
equals "log is 0600" "$(mode "$D/opsbot.log")" 600
warn=$(cat "$T/bot.err" "$D/opsbot.log")
contains "the fix is logged (dir)" "$warn" "$D was mode 0777, readable or writable by others; made it 0700"
contains "the fix is logged (db)" "$warn" "opsbot.db was mode 0666"
stop_bot

# A fresh data dir under a 000 umask: everything private from the start.
rm -rf "$D"
run_bot
equals "fresh: data dir 0700" "$(mode "$D")" 700
equals "fresh: database 0600" "$(mode "$D/opsbot.db")" 600
equals "fresh: WAL 0600" "$(mode "$D/opsbot.db-wal")" 600
equals "fresh: shm 0600" "$(mode "$D/opsbot.db-shm")" 600
lacks "fresh: no warning" "$(cat "$T/bot.err" "$D/opsbot.log")" "readable or writable by others"
stop_bot

# Another user's database cannot be made private: refused.
if [ "$(id -u)" = 0 ]; then
  chown nobody "$D/opsbot.db"
  out=$("$BOT" --config "$T/opsbot.json" --console </dev/null 2>&1); rc=$?
  equals "another user's database: refused" "$rc" 3
  contains "says why" "$out" "belongs to another user"
fi

assert_done
