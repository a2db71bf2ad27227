#!/usr/bin/env bash
# Integration: an incident end to end against the fake Slack. An alert
# fires (the Alertmanager webhook), /incident start posts the incident's
# root message in #ops, a mention in its thread links the alert (no id:
# the thread implies it), a person's plain reply in the thread becomes a
# note (a bot's post there does not), /ack, the alert resolves, and
# "@opsbot incident close" in the thread posts the RCA draft there. The
# audit row of a command typed in the thread carries the thread. The RCA
# Markdown is printed at the end for the record.
# usage: incident.sh OPSBOT FAKE_SLACK SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-inc "$@"
SRC=$(realpath "$3")
WAIT_FOR_S=20 # wait_for's bound

start_fake "$FAKE"
TOKEN=inc-hook-token
cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "debug" },
  "chat": { "outbox": { "rate": 20, "burst": 20 } },
  "users": [ { "name": "jdoe", "platform": "slack", "id": "U0456", "roles": ["operator"] },
             { "name": "vic", "platform": "slack", "id": "U0VIEW", "roles": ["viewer"] } ],
  "alerts": { "listen": "127.0.0.1:0", "token": "$TOKEN",
              "checks": { "enabled": false },
              "route": { "channels": ["slack:#ops-alerts"], "group_by": ["alertname"],
                         "group_wait": "1s", "group_interval": "1s", "repeat_interval": "1h" } } }
JSON
slack_env
run_bot "$T/opsbot.json" "$T/bot.err" || bad "bot listens" "$(tail -5 "$T/bot.err")"
wait_for '.connections_open >= 1' || bad "bot connects" "$(tail -5 "$T/bot.err")"
DB="$T/data/opsbot.db"
sql() { sqlite3 "$DB" "$1"; }
# The conversation fixtures, started 4 minutes ago (the impact window reads
# like a real one), resolved now.
STARTED=$(date -u -d '-4 min' +%Y-%m-%dT%H:%M:%SZ)
am() { # FILE
  jq -c --arg s "$STARTED" --arg e "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    '.alerts[0].startsAt = $s | if .alerts[0].status == "resolved" then .alerts[0].endsAt = $e else . end' \
    "$SRC/tests/conversations/$1" >"$T/am.json"
  curl -s -o /dev/null -w '%{http_code}' -X POST "$H/alertmanager" \
    -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" \
    --data-binary "@$T/am.json"
}
# Polls a query until it prints VALUE (20 s).
sql_is() { # QUERY VALUE
  local deadline=$((SECONDS + 20))
  while [ "$SECONDS" -lt "$deadline" ]; do
    [ "$(sql "$1" 2>/dev/null)" = "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

# --- the alert fires ------------------------------------------------------------
equals "the webhook takes the alert" "$(am alert-firing.json)" 200
if wait_for '[.posts[] | select(.text | test("ConvDiskFull"))] | length >= 1'; then
  ok "the alert is posted"
else
  bad "the alert is posted" "$(state | jq -c .posts)"
fi

# --- /incident start: the root post in #ops -----------------------------------
ctl slash '{"text":"incident start Checkout is slow --severity 2","channel_id":"C0OPS","channel_name":"ops"}' >/dev/null
if wait_for '[.posts[] | select(.channel == "C0OPS" and (.text | test("Incident #1: Checkout is slow")))] | length == 1'; then
  ok "the incident's root message is posted in #ops"
else
  bad "root message posted" "$(state | jq -c .posts)" "$(tail -5 "$T/bot.err")"
fi
ROOT=$(state | jq -r '[.posts[] | select(.channel == "C0OPS" and (.text | test("Incident #1")))][0].ts')
wait_for '[.responses[] | select(.body.text | test("Incident #1 opened"))] | length == 1' || bad "the asker is told" "$(state | jq -c .responses)"
sql_is "SELECT o.platform_id FROM incidents i JOIN outbox o ON o.id = i.outbox_id" "$ROOT" &&
  ok "the incident keeps its root post" || bad "the incident keeps its root post" "$(sql 'SELECT * FROM incidents')"

# A viewer may not start one.
ctl slash '{"text":"incident start nope","user_id":"U0VIEW","user_name":"vic","channel_id":"C0OPS","channel_name":"ops"}' >/dev/null
wait_for '[.responses[] | select(.body.text | test("needs role operator"))] | length == 1' &&
  ok "a viewer cannot start an incident" || bad "viewer refused" "$(state | jq -c .responses)"

# --- in the thread: a mention links the alert, no id needed -----------------
ctl event "$(jq -nc --arg t "$ROOT" '{type:"app_mention",text:"<@U0BOT> incident link 1",user:"U0456",channel:"C0OPS",thread_ts:$t}')" >/dev/null
if wait_for "[.posts[] | select(.thread_ts == \"$ROOT\" and (.text | test(\"Alert #1 linked by\")))] | length == 1"; then
  ok "the link is said in the incident's thread"
else
  bad "link said in the thread" "$(state | jq -c .posts)" "$(tail -5 "$T/bot.err")"
fi
sql_is "SELECT count(*) FROM incident_alerts WHERE incident_id = 1 AND alert_id = 1" 1 &&
  ok "the alert is linked" || bad "the alert is linked"
sql_is "SELECT thread FROM audit WHERE command LIKE '%incident link%'" "$ROOT" &&
  ok "the audit row carries the thread" || bad "audit thread" "$(sql 'SELECT command, thread FROM audit')"

# --- a plain reply in the thread is a note; a bot's post there is not ---------
ctl event "$(jq -nc --arg t "$ROOT" '{type:"message",text:"db1 /var is at 97%, vacuum started (db password=hunter2)",user:"U0456",channel:"C0OPS",thread_ts:$t}')" >/dev/null
ctl event "$(jq -nc --arg t "$ROOT" '{type:"message",text:"I am another bot",bot_id:"B0OTHER",channel:"C0OPS",thread_ts:$t}')" >/dev/null
ctl event '{"type":"message","text":"unrelated chatter","user":"U0456","channel":"C0OPS","thread_ts":"1699999999.000001"}' >/dev/null
sql_is "SELECT count(*) FROM incident_notes WHERE kind = 'note' AND who = 'U0456' AND text LIKE 'db1 /var is at 97%, vacuum started (db password=%'" 1 &&
  ok "a plain reply in the thread is a note, with who" || bad "reply is a note" "$(sql 'SELECT * FROM incident_notes')"
sql_is "SELECT count(*) FROM incident_notes WHERE text LIKE '%hunter2%'" 0 &&
  ok "a secret in a thread reply is redacted before it is kept" || bad "thread reply redacted" "$(sql 'SELECT text FROM incident_notes')"
sleep 1 # the other two events are in the same socket, after it: nothing more
equals "other bots and other threads are not notes" "$(sql "SELECT count(*) FROM incident_notes WHERE kind = 'note'")" 1

# --- /status in the thread, /ack, the alert resolves, close in the thread ---
ctl event "$(jq -nc --arg t "$ROOT" '{type:"app_mention",text:"<@U0BOT> status",user:"U0456",channel:"C0OPS",thread_ts:$t}')" >/dev/null
sql_is "SELECT count(*) FROM audit WHERE command LIKE '%status' AND thread = '$ROOT'" 1 && ok "/status in the thread" || bad "/status in the thread"
ctl slash '{"text":"ack 1 on it","channel_id":"C0OPS","channel_name":"ops"}' >/dev/null
sql_is "SELECT state FROM alerts WHERE id = 1" acknowledged && ok "/ack" || bad "/ack" "$(sql 'SELECT state FROM alerts')"
equals "the resolve is taken" "$(am alert-resolved.json)" 200
sql_is "SELECT state FROM alerts WHERE id = 1" resolved && ok "the alert resolves" || bad "resolve"

ctl event "$(jq -nc --arg t "$ROOT" '{type:"app_mention",text:"<@U0BOT> incident close --resolution \"vacuumed /var on db1\"",user:"U0456",channel:"C0OPS",thread_ts:$t}')" >/dev/null
if wait_for "[.posts[] | select(.thread_ts == \"$ROOT\" and (.text | test(\"RCA draft, incident #1\")))] | length >= 1"; then
  ok "the RCA draft is posted in the thread"
else
  bad "RCA posted" "$(state | jq -c .posts)" "$(tail -5 "$T/bot.err")"
fi
s=$(state)
block=$(jq -r "[.posts[] | select(.thread_ts == \"$ROOT\" and (.text | startswith(\"RCA draft, incident #1\")))][0].blocks | map(.text.text // \"\") | join(\"\n\")" <<<"$s")
contains "as a code block" "$block" '```'
contains "with its impact window" "$block" "## Impact window"
equals "the incident is closed" "$(sql 'SELECT state || "|" || resolution FROM incidents WHERE id = 1')" "closed|vacuumed /var on db1"
RCA=$(sql 'SELECT rca FROM incidents WHERE id = 1')
contains "the RCA names the thread reply" "$RCA" "note · **jdoe** · db1 /var is at 97%, vacuum started"
contains "the RCA names the ack" "$RCA" "#1 acknowledged: on it"
contains "the RCA names who ran /ack" "$RCA" "command · **jdoe** · ack 1 on it"
contains "the RCA has what was done" "$RCA" '- **jdoe**: `status`, `ack 1 on it`'
contains "the RCA's window ends at the resolution" "$RCA" "(alerts resolved)"
contains "root cause to fill" "$RCA" "Root cause: _to fill_"

# /rca shows it again (a viewer may).
ctl slash '{"text":"rca 1","user_id":"U0VIEW","user_name":"vic","channel_id":"C0OPS","channel_name":"ops"}' >/dev/null
wait_for '[.responses[] | select(.body.text | test("RCA draft, incident #1"))] | length >= 1' &&
  ok "/rca 1 shows it again" || bad "/rca" "$(state | jq -c .responses)"

echo "----- the RCA draft this run produced -----"
printf '%s\n' "$RCA"
echo "-------------------------------------------"
assert_done
