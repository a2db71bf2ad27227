#!/usr/bin/env bash
# Integration: /tail on the fake Slack, with a local host's log being
# written. The slash command's tail posts a root message in the channel
# and one reply in its thread, then rewrites that reply (chat.update of
# its ts) with the newest lines, at most about once a second; a
# "/tail stop" typed in the thread (a mention there) ends it with a last
# edit naming who stopped it; SIGTERM ends the next one with "stopped:
# bot shutting down", delivered before the bot exits.
# usage: tail-slack.sh OPSBOT FAKE_SLACK
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-tls "$@"
WAIT_FOR_S=20 # wait_for's bound

start_fake "$FAKE"
: >"$T/app.log"
(
  i=0
  while :; do
    i=$((i + 1))
    echo "n=$i INFO request ok token=tok$i-secret"
    sleep 0.05
  done >>"$T/app.log"
) &
writer=$!
on_cleanup "kill $writer 2>/dev/null"

cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "debug", "shutdown_grace": "5s" },
  "chat": { "outbox": { "rate": 20, "burst": 20 } },
  "users": [ { "name": "jdoe", "platform": "slack", "id": "U0456", "roles": ["operator"] } ],
  "alerts": { "checks": { "enabled": false } },
  "hosts": [ { "name": "box1", "transport": "local", "logs": { "app": "$T/app.log" } } ] }
JSON
slack_env
"$BOT" --config "$T/opsbot.json" </dev/null >>"$T/bot.out" 2>>"$T/bot.err" &
bot_pid=$!
on_cleanup "kill -KILL $bot_pid 2>/dev/null"
if wait_for '.connections_open >= 1'; then ok "bot connects"; else bad "bot connects" "$(tail -5 "$T/bot.err")"; fi

# --- the root post, the reply in its thread, the edits of that reply --------
ctl slash '{"text":"tail box1 app --for 60s","channel_id":"C0OPS","channel_name":"ops"}' >/dev/null
if wait_for '[.posts[] | select(.channel == "C0OPS" and (.text | test("Live tail 1: box1 app")))] | length == 1'; then
  ok "the root message is posted in the channel"
else
  bad "the root message is posted in the channel" "$(state | jq -c .posts)" "$(tail -5 "$T/bot.err")"
fi
ROOT=$(state | jq -r '[.posts[] | select(.text | test("Live tail 1"))][0].ts')
wait_for '[.responses[] | select(.body.text | test("Tail 1 started: box1 app for 60s"))] | length == 1' &&
  ok "the asker is told" || bad "the asker is told" "$(state | jq -c .responses)"
if wait_for "[.posts[] | select(.thread_ts == \"$ROOT\")] | length == 1"; then
  ok "the live message is a reply in the root's thread"
else
  bad "the live message is a reply in the root's thread" "$(state | jq -c .posts)"
fi
LIVE=$(state | jq -r "[.posts[] | select(.thread_ts == \"$ROOT\")][0].ts")
wait_for "[.updates[] | select(.ts == \"$LIVE\" and (.text | test(\"n=[0-9]+ INFO request ok\")))] | length >= 2" &&
  ok "the live message is updated with new lines" || bad "the live message is updated with new lines" "$(state | jq -c .updates)"
# The writer adds 20 lines a second: the edits stay at about one a second.
n0=$(state | jq '.updates | length')
sleep 4
n1=$(state | jq '.updates | length')
if [ $((n1 - n0)) -ge 1 ] && [ $((n1 - n0)) -le 6 ]; then ok "about one edit a second ($((n1 - n0)) in 4 s)"
else bad "about one edit a second" "$((n1 - n0)) edits in 4 s"; fi
s=$(state)
lacks "the secret is redacted in every edit" "$(jq -c .updates <<<"$s")" "-secret"
equals "every edit is of the live message" "$(jq -r "[.updates[] | select(.ts != \"$LIVE\")] | length" <<<"$s")" 0

# --- /tail stop typed in the thread ----------------------------------------
ctl event "$(jq -nc --arg t "$ROOT" '{type:"app_mention",text:"<@U0BOT> tail stop",user:"U0456",channel:"C0OPS",thread_ts:$t}')" >/dev/null
if wait_for "[.updates[] | select(.ts == \"$LIVE\" and (.text | test(\"stopped by jdoe\")))] | length == 1"; then
  ok "stop in the thread: the last edit names who stopped it"
else
  bad "stop in the thread: the last edit" "$(state | jq -c '.updates[-1]')" "$(tail -5 "$T/bot.err")"
fi
n0=$(state | jq '.updates | length')
sleep 2
equals "no edit after the last one" "$(state | jq '.updates | length')" "$n0"
equals "the stop's audit row carries the thread" \
  "$(sqlite3 "$T/data/opsbot.db" "SELECT thread FROM audit WHERE command LIKE '%tail stop' AND outcome = 'ok'")" "$ROOT"

# --- SIGTERM: the last edit is delivered before exit ------------------------
ctl slash '{"text":"tail box1 app","channel_id":"C0OPS","channel_name":"ops"}' >/dev/null
wait_for '[.posts[] | select(.text | test("Live tail 2"))] | length == 1' || bad "tail 2 posted" "$(state | jq -c .posts)"
ROOT2=$(state | jq -r '[.posts[] | select(.text | test("Live tail 2"))][0].ts')
wait_for "[.posts[] | select(.thread_ts == \"$ROOT2\")] | length == 1" || bad "tail 2's live message" "$(state | jq -c .posts)"
LIVE2=$(state | jq -r "[.posts[] | select(.thread_ts == \"$ROOT2\")][0].ts")
wait_for "[.updates[] | select(.ts == \"$LIVE2\")] | length >= 1" || bad "tail 2 is edited" "$(state | jq -c .updates)"
kill -TERM "$bot_pid"
deadline=$((SECONDS + 20))
while kill -0 "$bot_pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
if kill -0 "$bot_pid" 2>/dev/null; then bad "the bot exits on SIGTERM" "still running"; else ok "the bot exits on SIGTERM"; fi
last=$(state | jq -r "[.updates[] | select(.ts == \"$LIVE2\")][-1].text")
contains "the final edit says the bot is shutting down" "$last" "stopped: bot shutting down"
equals "no local tail left" "$(pgrep -fc -- "tail -n 10 -F -- '$T/app.log'" || true)" 0
assert_done
