#!/usr/bin/env bash
# Integration: the bot's HTTP listener under abuse, on loopback.
#  - a flood of idle connections, more than the descriptor limit allows
#    (ulimit -n 256): the bot must not spin (CPU seconds from /proc), must
#    not flood its log, and /healthz answers during and after the flood;
#  - HTTP details: a 405 to a request with a body is whole, raw NUL and
#    invalid UTF-8 inside JSON strings get 400, a bearer token followed by
#    a NUL is refused, oversized headers get 431.
# usage: listener.sh OPSBOT NETPOKE
set -u
BOT=$(realpath "$1")
POKE=$(realpath "$2")
T=$(mktemp -d /tmp/ob-ls.XXXXXX)
bot_pid=
. "$(dirname "${BASH_SOURCE[0]}")/lib-assert.sh"
cleanup() {
  [ -n "$bot_pid" ] && kill "$bot_pid" 2>/dev/null && wait "$bot_pid" 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

TOKEN=ls-secret-token-42
start_bot() { # extra alerts keys (JSON fragment)
  cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "info" },
  "alerts": { "listen": "127.0.0.1:0", "token": "$TOKEN", "checks": { "enabled": false } $1 } }
JSON
  mkfifo "$T/in"
  # The soft and hard limit both: the bot cannot raise its way out.
  ( ulimit -n 256; exec "$BOT" --config "$T/opsbot.json" --console <"$T/in" >"$T/bot.out" 2>"$T/bot.err" ) &
  bot_pid=$!
  exec 9>"$T/in"
  BP=
  for _ in $(seq 100); do
    BP=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$T/data/opsbot.log" 2>/dev/null | head -1)
    [ -n "$BP" ] && break
    sleep 0.1
  done
  [ -n "$BP" ] || bad "bot starts" "$(cat "$T/bot.err")"
}
stop_bot() {
  exec 9>&-
  wait "$bot_pid" 2>/dev/null
  bot_pid=
  rm -f "$T/in"
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
healthz_time() { # -> seconds (3 decimals), or "fail"
  curl -s -o "$T/hz.out" -m 5 -w '%{time_total}' "http://127.0.0.1:$BP/healthz" 2>/dev/null &&
    grep -q '^ok$' "$T/hz.out" || echo fail
}
within() { # name seconds limit
  if [ "$2" != fail ] && awk -v t="$2" -v l="$3" 'BEGIN { exit !(t < l) }'; then
    ok "$1 ($2 s)"
  else
    bad "$1" "expected under $3 s, got $2" "$(tail -3 "$T/data/opsbot.log")"
  fi
}

# --- a flood of idle connections under a 256-descriptor limit ------------------
start_bot ', "max_connections": 1000'
hz=$(sys_hz=$(getconf CLK_TCK); echo "$sys_hz")
lines0=$(wc -l <"$T/data/opsbot.log")
c0=$(cpu_ticks "$bot_pid")
mkfifo "$T/flood.in"
"$POKE" flood "$BP" 600 <"$T/flood.in" >"$T/flood.out" &
flood_pid=$!
exec 8>"$T/flood.in"
for _ in $(seq 50); do grep -q opened "$T/flood.out" && break; sleep 0.1; done
contains "flood started" "$(cat "$T/flood.out")" "opened 600"
sleep 1
within "/healthz answers during the flood" "$(healthz_time)" 2
sleep 3
c1=$(cpu_ticks "$bot_pid")
lines1=$(wc -l <"$T/data/opsbot.log")
cpu=$(awk -v t=$((c1 - c0)) -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }')
echo "     CPU seconds during ~4.5 s of flood: $cpu; log lines: $((lines1 - lines0))"
if awk -v c="$cpu" 'BEGIN { exit !(c < 1.0) }'; then ok "no busy loop ($cpu CPU s)"; else bad "no busy loop" "CPU s: $cpu"; fi
if [ $((lines1 - lines0)) -le 20 ]; then ok "log stays quiet ($((lines1 - lines0)) lines)"; else
  bad "log stays quiet" "$((lines1 - lines0)) lines" "$(tail -3 "$T/data/opsbot.log")"; fi
contains "the cap follows the limit" "$(cat "$T/data/opsbot.log")" "at most 192 open connections, not 1000"
contains "refusals are counted" "$(cat "$T/data/opsbot.log")" "connection(s) refused"
exec 8>&-
wait "$flood_pid"
within "/healthz answers after the flood" "$(healthz_time)" 2
stop_bot

assert_done
