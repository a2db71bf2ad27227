#!/usr/bin/env bash
# Integration: the Create ticket button on Slack. An alert's message in
# the fake Slack carries the button (an alphanumeric action id); a click
# by an operator opens a ticket in the fake ServiceNow and its number and
# link come back as a reply in the alert message's thread; a second click
# opens no second ticket. An incident's root message has the button too
# (action id incidentticket); its click puts the number in the
# incident's thread, and "@opsbot ticket incident" typed in the thread
# (the id implied) finds the same ticket.
# usage: tickets-slack.sh OPSBOT FAKE_SLACK FAKE_SERVICENOW
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup opsbot-tks "$@"
SNOW=$(realpath "$3")
for t in curl jq sqlite3; do
  command -v $t >/dev/null || { bad "$t is not installed"; assert_done; exit; }
done
WAIT_FOR_S=20

# The fake ServiceNow first, on its own port file and log.
"$SNOW" "$T/snow.port" --token snow-token 2>>"$T/snow.log" &
snow_pid=$!
on_cleanup 'kill $snow_pid 2>/dev/null; wait $snow_pid 2>/dev/null'
for _ in $(seq 200); do [ -s "$T/snow.port" ] && break; sleep 0.05; done
SP=$(cat "$T/snow.port")
snow() { curl -sf "http://127.0.0.1:$SP/_control/state"; }

start_fake "$FAKE"
slack_env
printf 'snow-token\n' >"$T/token"
chmod 600 "$T/token"
cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data" },
  "users": [ { "name": "jdoe", "platform": "slack", "id": "U0456", "roles": ["operator"] } ],
  "alerts": { "listen": "127.0.0.1:0", "token": "hook-token", "checks": { "enabled": false },
              "route": { "channels": ["slack:#ops-alerts"], "group_wait": "1s",
                         "group_interval": "2s" } },
  "tickets": { "servicenow": { "instance": "http://127.0.0.1:$SP",
                               "token_file": "$T/token" } } }
JSON
"$BOT" --config "$T/opsbot.json" </dev/null >"$T/bot.out" 2>"$T/bot.err" &
bot_pid=$!
wait_for '.connections_open >= 1' || bad "bot connects" "$(tail -5 "$T/bot.err")"
BP=$(bot_port "$T/bot.err")
H="http://127.0.0.1:$BP/hooks"
TOKEN=hook-token

equals "alert taken" "$(hook '{"name":"DiskFull","host":"db-7","severity":"critical"}')" 200
wait_for '[.posts[] | select(.text | test("DiskFull"))] | length >= 1' ||
  bad "alert posted" "$(state | jq -c .posts)"
post=$(state | jq -c '[.posts[] | select(.text | test("DiskFull")) | select(.thread_ts == null)][0]')
ts=$(jq -r .ts <<<"$post")
contains "the message has the Create ticket button" "$(jq -c .blocks <<<"$post")" '"action_id":"alertticket"'
contains "which runs /ticket alert" "$(jq -c .blocks <<<"$post")" '"value":"ticket alert 1"'

ctl click '{"action_id":"alertticket","user":"U0456","user_name":"jdoe"}' >/dev/null
if wait_for "[.posts[] | select(.thread_ts == \"$ts\") | select(.text | test(\"Ticket INC0010001 opened: http://127.0.0.1:$SP/incident.do\"))] | length >= 1"; then
  ok "number and link replied in the alert's thread"
else
  bad "ticket in thread" "$(state | jq -c '.posts | map({text, thread_ts})')" "$(tail -5 "$T/bot.err")"
fi
inc=$(snow | jq -c '.incidents[0]')
contains "the ticket is the group's" "$(jq -r .short_description <<<"$inc")" "DiskFull"
equals "opened with the bearer token" "$(snow | jq -r '[.requests[].auth] | unique | join(",")')" bearer
equals "who clicked is recorded" "$(sqlite3 "$T/data/opsbot.db" 'SELECT created_by FROM tickets')" jdoe

r=$(ctl click '{"action_id":"alertticket","user":"U0456","user_name":"jdoe"}' | jq -r .response_url)
wait_for "[.responses[] | select(.url == \"$r\")] | length >= 1" || true
contains "a second click names the ticket" \
  "$(state | jq -r --arg u "$r" '[.responses[] | select(.url == $u)][0].body | tostring')" "already has ticket INC0010001"
equals "no second ticket" "$(snow | jq '.incidents | length')" 1

# --- an incident's root message: the button, and the id implied in its thread ---
ctl slash '{"text":"incident start Checkout is slow","channel_id":"C0OPS","channel_name":"ops","user_id":"U0456","user_name":"jdoe"}' >/dev/null
wait_for '[.posts[] | select(.channel == "C0OPS" and (.text | test("Incident #1: Checkout is slow")))] | length == 1' ||
  bad "incident root posted" "$(state | jq -c .posts)"
root=$(state | jq -c '[.posts[] | select(.channel == "C0OPS" and (.text | test("Incident #1")))][0]')
ROOT=$(jq -r .ts <<<"$root")
contains "the incident's root has the Create ticket button" "$(jq -c .blocks <<<"$root")" '"action_id":"incidentticket"'
contains "which runs /ticket incident" "$(jq -c .blocks <<<"$root")" '"value":"ticket incident 1"'
ctl click "$(jq -nc --arg t "$ROOT" '{action_id:"incidentticket",user:"U0456",user_name:"jdoe",channel:"C0OPS",message_ts:$t}')" >/dev/null
if wait_for "[.posts[] | select(.thread_ts == \"$ROOT\") | select(.text | test(\"Ticket INC0010002 opened\"))] | length >= 1"; then
  ok "the incident's ticket is announced in its thread"
else
  bad "incident ticket in thread" "$(state | jq -c '.posts | map({text, thread_ts})')" "$(tail -5 "$T/bot.err")"
fi
equals "its correlation id is the incident's" "$(snow | jq -r '.incidents[] | select(.number == "INC0010002") | .correlation_id')" "incident:1"
ctl event "$(jq -nc --arg t "$ROOT" '{type:"app_mention",text:"<@U0BOT> ticket incident",user:"U0456",channel:"C0OPS",thread_ts:$t}')" >/dev/null
wait_for "[.posts[] | select(.thread_ts == \"$ROOT\") | select(.text | test(\"Incident #1 already has ticket INC0010002\"))] | length >= 1" &&
  ok "in the thread the id is implied, and the same ticket found" ||
  bad "implied id" "$(state | jq -c '.posts | map({text, thread_ts})')"
equals "two tickets in all" "$(snow | jq '.incidents | length')" 2
assert_done
