#!/usr/bin/env bash
# Integration: an incident's thread on the fake Mattermost. "@opsbot
# incident start" posts the root in the channel; a mention in its thread
# (root_id) sets the status with the id implied; a person's plain reply
# there is a note, the bot's own posts and chatter in other threads are
# not; "!incident close" in the thread posts the RCA draft there.
# usage: incident-mattermost.sh OPSBOT FAKE_MATTERMOST
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-imm "$@"
WAIT_FOR_S=20 # wait_for's bound

start_fake "$FAKE" --token tok-bot
JDOE=user0jdoe00000000000000000
OPS=chanopsprod000000000000000
cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "debug" },
  "chat": { "outbox": { "rate": 20, "burst": 20 }, "mattermost": { "command_token": "cmdtok" } },
  "users": [ { "name": "jdoe", "platform": "mattermost", "id": "$JDOE", "roles": ["operator"] } ] }
JSON
export MATTERMOST_URL="http://127.0.0.1:$PORT" MATTERMOST_TOKEN=tok-bot
"$BOT" --config "$T/opsbot.json" </dev/null >"$T/bot.out" 2>"$T/bot.err" &
bot_pid=$!
wait_for '.connections_open >= 1' || bad "bot connects" "$(tail -5 "$T/bot.err")"
DB="$T/data/opsbot.db"
sql() { sqlite3 "$DB" "$1"; }
sql_is() { # QUERY VALUE: polls for 20 s
  local deadline=$((SECONDS + 20))
  while [ "$SECONDS" -lt "$deadline" ]; do
    [ "$(sql "$1" 2>/dev/null)" = "$2" ] && return 0
    sleep 0.1
  done
  return 1
}
say() { # MESSAGE [ROOT]
  ctl post "$(jq -nc --arg m "$1" --arg u "$JDOE" --arg c "$OPS" --arg r "${2:-}" \
    '{message:$m, user_id:$u, channel_id:$c, root_id:$r}')" >/dev/null
}

say "@opsbot incident start Payments failing"
if wait_for '[.posts[] | select(.root_id == "" and (.message | contains("Incident #1: Payments failing")))] | length == 1'; then
  ok "the incident's root post is in the channel"
else
  bad "root post" "$(state | jq -c .posts)" "$(tail -5 "$T/bot.err")"
fi
ROOT=$(state | jq -r '[.posts[] | select(.root_id == "" and (.message | contains("Incident #1:")))][0].id')

say "@opsbot incident status failing over to the standby" "$ROOT"
if wait_for "[.posts[] | select(.root_id == \"$ROOT\" and (.props.attachments[0].text // \"\" | contains(\"Status (jdoe): failing over\")))] | length == 1"; then
  ok "the status is said in the thread, the id implied"
else
  bad "status in the thread" "$(state | jq -c '[.posts[] | {root_id, message, a: .props.attachments[0].text}]')"
fi
sql_is "SELECT status FROM incidents WHERE id = 1" "failing over to the standby" && ok "the status is kept" || bad "status kept"
sql_is "SELECT count(*) FROM audit WHERE thread = '$ROOT'" 1 && ok "the audit row carries the root_id" || bad "audit thread" "$(sql 'SELECT command, thread FROM audit')"

say "standby is up, error rate falling" "$ROOT"
say "lunch anyone?" "$(state | jq -r '[.posts[] | select(.root_id == "")][0].id')-not-a-thread"
# Another bot's post and a webhook's in the thread are not notes.
ctl post "$(jq -nc --arg u "u0otherbot000000000000000" --arg c "$OPS" --arg r "$ROOT" \
  '{message:"build 42 deployed", user_id:$u, user_name:"ci-bot", channel_id:$c, root_id:$r, props:{from_bot:"true"}}')" >/dev/null
ctl post "$(jq -nc --arg c "$OPS" --arg r "$ROOT" \
  '{message:"grafana: error rate normal", channel_id:$c, root_id:$r, props:{from_webhook:"true"}}')" >/dev/null
sql_is "SELECT who || '|' || text FROM incident_notes WHERE kind = 'note'" "$JDOE|standby is up, error rate falling" &&
  ok "a plain reply in the thread is a note" || bad "reply note" "$(sql 'SELECT * FROM incident_notes')"

say "!incident close --resolution \"failed over\"" "$ROOT"
if wait_for "[.posts[] | select(.root_id == \"$ROOT\" and (.message | contains(\"RCA draft, incident #1\")))] | length >= 1"; then
  ok "the RCA draft is posted in the thread"
else
  bad "RCA in the thread" "$(state | jq -c '[.posts[] | {root_id, message}]')" "$(tail -5 "$T/bot.err")"
fi
equals "only the one reply became a note" "$(sql "SELECT count(*) FROM incident_notes WHERE kind = 'note'")" 1
contains "the draft has the note" "$(sql 'SELECT rca FROM incidents WHERE id = 1')" "note · **jdoe** · standby is up, error rate falling"
assert_done
