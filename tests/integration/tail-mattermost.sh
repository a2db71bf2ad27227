#!/usr/bin/env bash
# Integration: /tail on the fake Mattermost, with a local host's log being
# written. "@opsbot tail" posts the root in the channel and one post in
# its thread (root_id), then patches that post with the newest lines; a
# mention "tail stop" in the thread ends it with a last patch.
# usage: tail-mattermost.sh OPSBOT FAKE_MATTERMOST
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-tlm "$@"
WAIT_FOR_S=20 # wait_for's bound

start_fake "$FAKE" --token tok-bot
JDOE=user0jdoe00000000000000000
OPS=chanopsprod000000000000000
: >"$T/app.log"
(
  i=0
  while :; do
    i=$((i + 1))
    echo "n=$i INFO request ok password=pw$i-secret"
    sleep 0.05
  done >>"$T/app.log"
) &
writer=$!
on_cleanup "kill $writer 2>/dev/null"
cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "debug" },
  "chat": { "outbox": { "rate": 20, "burst": 20 }, "mattermost": { "command_token": "cmdtok" } },
  "users": [ { "name": "jdoe", "platform": "mattermost", "id": "$JDOE", "roles": ["operator"] } ],
  "alerts": { "checks": { "enabled": false } },
  "hosts": [ { "name": "box1", "transport": "local", "logs": { "app": "$T/app.log" } } ] }
JSON
export MATTERMOST_URL="http://127.0.0.1:$PORT" MATTERMOST_TOKEN=tok-bot
"$BOT" --config "$T/opsbot.json" </dev/null >"$T/bot.out" 2>"$T/bot.err" &
bot_pid=$!
on_cleanup "kill -KILL $bot_pid 2>/dev/null"
wait_for '.connections_open >= 1' && ok "bot connects" || bad "bot connects" "$(tail -5 "$T/bot.err")"
say() { # MESSAGE [ROOT]
  ctl post "$(jq -nc --arg m "$1" --arg u "$JDOE" --arg c "$OPS" --arg r "${2:-}" \
    '{message:$m, user_id:$u, channel_id:$c, root_id:$r}')" >/dev/null
}

say "@opsbot tail box1 app --for 60s"
if wait_for '[.posts[] | select(.root_id == "" and (tostring | contains("Live tail 1: box1 app")))] | length == 1'; then
  ok "the root post is in the channel"
else
  bad "the root post is in the channel" "$(state | jq -c .posts)" "$(tail -5 "$T/bot.err")"
fi
ROOT=$(state | jq -r '[.posts[] | select(.root_id == "" and (tostring | contains("Live tail 1")))][0].id')
if wait_for "[.posts[] | select(.root_id == \"$ROOT\" and (tostring | contains(\"box1 app — live\")))] | length == 1"; then
  ok "the live post is in the root's thread"
else
  bad "the live post is in the root's thread" "$(state | jq -c .posts)"
fi
LIVE=$(state | jq -r "[.posts[] | select(.root_id == \"$ROOT\" and (tostring | contains(\"box1 app — live\")))][0].id")
wait_for "[.patches[] | select(.id == \"$LIVE\" and (tostring | test(\"n=[0-9]+ INFO request ok\")))] | length >= 2" &&
  ok "the live post is patched with new lines" || bad "the live post is patched with new lines" "$(state | jq -c .patches)"
contains "the stop hint is Mattermost's" "$(state | jq -c '.patches[-1]')" "/opsbot tail stop 1"
lacks "the secret is redacted in every patch" "$(state | jq -c .patches)" "-secret"
equals "every patch is of the live post" "$(state | jq -r "[.patches[] | select(.id != \"$LIVE\")] | length")" 0

say "@opsbot tail stop" "$ROOT"
if wait_for "[.patches[] | select(.id == \"$LIVE\" and (tostring | contains(\"stopped by\")))] | length == 1"; then
  ok "stop in the thread: the last patch says who stopped it"
else
  bad "stop in the thread" "$(state | jq -c '.patches[-1]')" "$(tail -5 "$T/bot.err")"
fi
equals "the stop's audit row carries the root_id" \
  "$(sqlite3 "$T/data/opsbot.db" "SELECT thread FROM audit WHERE command LIKE '%tail stop' AND outcome = 'ok'")" "$ROOT"
assert_done
