#!/usr/bin/env bash
# Integration: a full disk does not drop commands. The bot's data dir is on
# a small tmpfs of its own, filled up with a file: 20 slash commands sent
# through the fake Slack are all answered (directly, since the outbox cannot
# store them) with the store's reason. Then the filler goes: the next
# commands are audited and delivered through the outbox as usual, without
# a restart. Needs root to mount; skipped (and passing) when it cannot.
# Slack's answer_in_ack is off: this is the response URL's path, through
# the outbox (a quick answer otherwise rides the command's ack).
# usage: outbox-diskfull.sh OPSBOT FAKE_SLACK
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-df "$@"
WAIT_FOR_S=30 # wait_for's bound

mkdir -p "$T/data"
if ! mount -t tmpfs -o size=2m,mode=0700 opsbot-test "$T/data" 2>"$T/mount.err"; then
  echo "SKIP cannot mount a tmpfs here ($(cat "$T/mount.err")): the full-disk test needs root"
  exit 0
fi
on_cleanup 'umount "$T/data"'

start_fake "$FAKE"

cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "debug", "shutdown_grace": "2s" },
  "chat": { "slack": { "answer_in_ack": false }, "outbox": { "rate": 50, "burst": 50 } },
  "users": [ { "name": "jdoe", "platform": "slack", "id": "U0456", "roles": ["admin"] } ],
  "alerts": { "checks": { "enabled": false } } }
JSON
slack_env
DB="$T/data/opsbot.db"
"$BOT" --config "$T/opsbot.json" </dev/null >"$T/bot.out" 2>"$T/bot.err" &
bot_pid=$!
wait_for '.connections_open >= 1' || { bad "bot connects" "$(tail -5 "$T/bot.err")"; assert_done; exit 1; }
ctl slash '{"text":"whoami","user_id":"U0456"}' >/dev/null
wait_for '(.responses | length) >= 1' || bad "answered before the disk fills" "$(tail -5 "$T/bot.err")"
audit0=$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE command LIKE '%whoami%'")
ctl reset >/dev/null

# --- the disk fills up: 20 commands -------------------------------------------------
dd if=/dev/zero of="$T/data/filler" bs=4k 2>/dev/null
avail=$(df --output=avail "$T/data" | tail -1 | tr -d ' ')
equals "the data dir is full" "$avail" 0
for i in $(seq 20); do
  ctl slash "{\"text\":\"whoami\",\"user_id\":\"U0456\",\"n\":$i}" >/dev/null
done
if wait_for '(.responses | length) >= 20' 30; then ok "20 of 20 commands answered on a full disk"
else bad "20 commands answered on a full disk" "answered: $(state | jq '.responses | length')" "$(grep -E 'store|outbox' "$T/bot.err" | tail -3)"; fi
s=$(state)
equals "each says why" "$(jq -r '[.responses[] | .body.text | select(contains("the bot cannot write its store: database or disk is full"))] | length' <<<"$s")" 20
contains "and still carries the answer" "$(jq -r '.responses[0].body.text' <<<"$s")" "U0456"
contains "the store's failure is logged" "$(cat "$T/bot.err")" "cannot queue a reply"
kill -0 "$bot_pid" 2>/dev/null && ok "the bot is still running" || bad "the bot is still running" "$(tail -5 "$T/bot.err")"

# --- space returns: no restart needed -------------------------------------------------
rm -f "$T/data/filler"
ctl reset >/dev/null
for i in 1 2; do ctl slash '{"text":"whoami","user_id":"U0456"}' >/dev/null; done
wait_for '(.responses | length) >= 2' || bad "answered once space returns" "$(tail -5 "$T/bot.err")"
s=$(state)
lacks "answered normally" "$(jq -r '[.responses[].body.text] | join(" ")' <<<"$s")" "cannot write its store"
# The audit row is written just after the reply is queued: poll for it.
for _ in $(seq 50); do
  [ "$(sqlite3 "$DB" "SELECT count(*) - $audit0 FROM audit WHERE command LIKE '%whoami%'")" = 2 ] && break
  sleep 0.1
done
equals "audited again" "$(sqlite3 "$DB" "SELECT count(*) - $audit0 FROM audit WHERE command LIKE '%whoami%'")" 2
# Marked sent with the next commit, or within 10 ms: poll for it.
for _ in $(seq 50); do
  [ "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE state = 'sent'")" = 3 ] && break
  sleep 0.1
done
equals "delivered through the outbox" "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE state = 'sent'")" 3
assert_done
