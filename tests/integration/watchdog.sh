#!/usr/bin/env bash
# The systemd watchdog through a fake NOTIFY_SOCKET: with WATCHDOG_USEC
# and WATCHDOG_PID naming the bot, WATCHDOG=1 arrives at half the
# interval; while the loop is stopped (SIGSTOP) none arrive, and they
# resume with it (SIGCONT); with WATCHDOG_PID naming another process, or
# no WATCHDOG_USEC, the bot never pings.
# Usage: watchdog.sh OPSBOT NOTIFY_LISTENER
set -uo pipefail
bin=$1 listener=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib-assert.sh
. "$here/lib-assert.sh"

tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill -CONT "$p" 2>/dev/null
		kill -TERM "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

cat >"$tmp/opsbot.json" <<JSON
{
  "bot": { "data_dir": "$tmp/data" },
  "chat": { "console": { "enabled": false } },
  "hosts": [ { "name": "localhost", "transport": "local" } ]
}
JSON

count() { grep -c "^$2\$" "$1" 2>/dev/null || true; }
# wait_for FILE MESSAGE N SECONDS: until FILE has N lines MESSAGE.
wait_for() {
	local deadline=$((SECONDS + $4))
	while [ "$(count "$1" "$2")" -lt "$3" ]; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.1
	done
}

# start NAME WATCHDOG_USEC WATCHDOG_PID(self|N|"") : a listener and a bot.
start() {
	local name=$1 usec=$2 wpid=$3
	"$listener" "$tmp/$name.sock" >"$tmp/$name.out" &
	pids+=($!)
	while [ ! -S "$tmp/$name.sock" ]; do sleep 0.05; done
	# exec keeps the shell's pid, so WATCHDOG_PID=$$ names the bot.
	NOTIFY_SOCKET=$tmp/$name.sock W_USEC=$usec W_PID=$wpid \
	bash -c '
		[ -n "$W_USEC" ] && export WATCHDOG_USEC=$W_USEC
		case $W_PID in
		self) export WATCHDOG_PID=$$ ;;
		"") ;;
		*) export WATCHDOG_PID=$W_PID ;;
		esac
		exec "$0" --config "$1" --data-dir "$2" </dev/null' \
		"$bin" "$tmp/opsbot.json" "$tmp/data-$name" 2>"$tmp/$name.log" &
	bot=$!
	pids+=("$bot")
}

# 1. Pings at half of WATCHDOG_USEC (0.4 s), only while the loop runs.
start on 400000 self
if wait_for "$tmp/on.out" READY=1 1 30; then ok "bot ready"; else
	bad "bot ready" "log: $(cat "$tmp/on.log")"; fi
if wait_for "$tmp/on.out" WATCHDOG=1 4 20; then ok "WATCHDOG=1 while the loop runs"
else bad "WATCHDOG=1 while the loop runs" "got: $(cat "$tmp/on.out")"; fi
t0=$SECONDS; c0=$(count "$tmp/on.out" WATCHDOG=1)
sleep 2
rate=$(( $(count "$tmp/on.out" WATCHDOG=1) - c0 ))
# About 10 in 2 s at 0.2 s; fewer under load, never more than ~2x.
if [ "$rate" -ge 3 ] && [ "$rate" -le 20 ]; then ok "about 5 pings a second ($rate in 2 s)"
else bad "about 5 pings a second" "got $rate in $((SECONDS - t0)) s"; fi
grep -q 'msg="pinging systemd every 200 ms"' "$tmp/on.log" &&
	ok "the log says the interval" || bad "the log says the interval" "$(cat "$tmp/on.log")"

kill -STOP "$bot"
sleep 0.5			# a ping already sent may still be read
c1=$(count "$tmp/on.out" WATCHDOG=1)
sleep 2
c2=$(count "$tmp/on.out" WATCHDOG=1)
equals "no WATCHDOG=1 while the loop is stopped" "$c2" "$c1"
kill -CONT "$bot"
if wait_for "$tmp/on.out" WATCHDOG=1 $((c2 + 2)) 20; then ok "pings resume with the loop"
else bad "pings resume with the loop" "still $c2"; fi
kill -TERM "$bot"
wait "$bot"; rc=$?
equals "clean stop" "$rc" 0
if wait_for "$tmp/on.out" STOPPING=1 1 5; then ok "STOPPING=1 on stop"
else bad "STOPPING=1 on stop" "$(cat "$tmp/on.out")"; fi

# 2. WATCHDOG_PID names another process (a child inherits the variables):
#    no pings. 3. No WATCHDOG_USEC: no pings.
start other 400000 1
other=$bot
start none "" ""
wait_for "$tmp/other.out" READY=1 1 30 && wait_for "$tmp/none.out" READY=1 1 30 ||
	bad "bots ready" "$(cat "$tmp/other.log" "$tmp/none.log")"
sleep 2
equals "no WATCHDOG=1 for another WATCHDOG_PID" "$(count "$tmp/other.out" WATCHDOG=1)" 0
equals "no WATCHDOG=1 without WATCHDOG_USEC" "$(count "$tmp/none.out" WATCHDOG=1)" 0
kill -TERM "$other" "$bot"
assert_done
