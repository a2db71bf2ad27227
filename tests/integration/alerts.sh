#!/usr/bin/env bash
# Integration: alerts end to end with real parts. A real Alertmanager
# fires and resolves alerts into the real bot's webhook; the fake Slack
# shows the grouped message, then its update in place and a thread note.
# Also: /alerts, /ack, /silence from chat and from the message's buttons
# with RBAC refusals; bad input (invalid JSON, wrong token, a 10 MB body,
# 10,000 alerts, unknown fields, wrong types) -> the right status, a log
# line, nothing stored; a locked store -> 503 and nothing half-stored; a
# storm of 1,000 alerts -> a few grouped messages, no 429.
# usage: alerts.sh OPSBOT FAKE_SLACK
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib-alertmanager.sh"
bot_setup ob-al "$@"
on_cleanup am_stop
WAIT_FOR_S=15 # wait_for's bound

start_fake "$FAKE"
TOKEN=am-secret-token-123
AM_PORT=$(am_free_port)
AM_API="http://127.0.0.1:$AM_PORT"
cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "debug" },
  "chat": { "outbox": { "rate": 5, "burst": 5 } },
  "users": [ { "name": "jdoe", "platform": "slack", "id": "U0456", "roles": ["operator"] },
             { "name": "vic", "platform": "slack", "id": "U0VIEW", "roles": ["viewer"] } ],
  "alerts": { "listen": "127.0.0.1:0", "token": "$TOKEN", "max_body_bytes": 4194304,
              "checks": { "enabled": false }, "alertmanager_api_url": "$AM_API/",
              "route": { "channels": ["slack:#ops-alerts"], "group_by": ["alertname"],
                         "group_wait": "1s", "group_interval": "2s", "repeat_interval": "1h" } } }
JSON
slack_env
"$BOT" --config "$T/opsbot.json" </dev/null >"$T/bot.out" 2>"$T/bot.err" &
bot_pid=$!
wait_for '.connections_open >= 1' || bad "bot connects" "$(tail -5 "$T/bot.err")"
BP=$(bot_port "$T/bot.err")
H="http://127.0.0.1:$BP/hooks"
DB="$T/data/opsbot.db"
nalerts() { sqlite3 "$DB" 'SELECT count(*) FROM alerts'; }
hook() { # path body-file-or-string [token] -> status code
  local tok=${3-$TOKEN}
  curl -s -o "$T/hook.out" -w '%{http_code}' -X POST "$H/$1" \
    -H 'Content-Type: application/json' ${tok:+-H "Authorization: Bearer $tok"} \
    --data-binary "$2"
}

# --- a real Alertmanager fires, then resolves ---------------------------------
am_start "$T" "$H/alertmanager" "$TOKEN" || bad "alertmanager starts" "$(tail -5 "$T/am.log")"
am_fire DiskFull '{"instance":"db-01:9100","severity":"critical"}' '{"summary":"/var at 97%"}'
am_fire DiskFull '{"instance":"db-02:9100","severity":"warning"}'
if wait_for '[.posts[] | select(.text | test("DiskFull"))] | length >= 1' 15; then
  ok "Alertmanager's alerts posted to #ops-alerts"
else
  bad "alerts posted" "$(state | jq -c .posts)" "$(tail -5 "$T/bot.err")" "$(tail -5 "$T/am.log")"
fi
sleep 3   # Alertmanager may send the second alert in a later group
s=$(state)
equals "one message for the group" "$(jq '[.posts[] | select(.text | test("DiskFull")) | select(.thread_ts == null)] | length' <<<"$s")" 1
post=$(jq -c '[.posts[] | select(.text | test("DiskFull")) | select(.thread_ts == null)][0]' <<<"$s")
equals "posted in #ops-alerts" "$(jq -r .channel <<<"$post")" C0ALERTS
ts=$(jq -r .ts <<<"$post")
latest=$(jq -c --arg ts "$ts" '[.updates[] | select(.ts == $ts)] | last // empty' <<<"$s")
[ -n "$latest" ] || latest=$post
contains "both alerts in it" "$(jq -c .blocks <<<"$latest")" "db-02"
contains "the summary shown" "$(jq -c .blocks <<<"$latest")" "/var at 97%"
contains "Acknowledge button" "$(jq -c .blocks <<<"$latest")" '"action_id":"alert_ack"'
contains "Silence button" "$(jq -c .blocks <<<"$latest")" '"action_id":"alert_silence"'
equals "two alerts stored" "$(nalerts)" 2
equals "by Alertmanager's fingerprint" "$(sqlite3 "$DB" "SELECT count(*) FROM alerts WHERE length(fingerprint) = 16 AND source = 'alertmanager'")" 2

# --- from chat: /alerts, /ack (and a viewer refused), a click -------------------
r=$(ctl slash '{"text":"alerts","user_id":"U0VIEW"}' | jq -r .response_url)
wait_for "[.responses[] | select(.url == \"$r\")] | length >= 1" || true
contains "/alerts lists them" "$(state | jq -c --arg u "$r" '[.responses[] | select(.url == $u)][0].body')" "DiskFull on db-01"
r=$(ctl slash '{"text":"ack 1","user_id":"U0VIEW"}' | jq -r .response_url)
wait_for "[.responses[] | select(.url == \"$r\")] | length >= 1" || true
contains "a viewer may not /ack" "$(state | jq -c --arg u "$r" '[.responses[] | select(.url == $u)][0].body')" "needs role operator"
r=$(ctl slash '{"text":"ack 1 looking at it","user_id":"U0456","user_name":"jdoe"}' | jq -r .response_url)
wait_for "[.responses[] | select(.url == \"$r\")] | length >= 1" || true
contains "/ack by an operator" "$(state | jq -c --arg u "$r" '[.responses[] | select(.url == $u)][0].body')" "acknowledged by @jdoe"
if wait_for "[.updates[] | select(.ts == \"$ts\") | select(.blocks | tostring | test(\"acknowledged by @jdoe\"))] | length >= 1"; then
  ok "the message updates in place to show who acked"
else bad "message shows the ack" "$(state | jq -c .updates)"; fi
equals "the ack is on the timeline" "$(sqlite3 "$DB" "SELECT who || ': ' || why FROM alert_events WHERE what = 'acknowledged'")" "@jdoe: looking at it"
# The Acknowledge button: the message updates in place, the thread notes
# it, and the clicker's answer is private (no new message in the channel).
nposts=$(state | jq '[.posts[] | select(.thread_ts == null)] | length')
r=$(ctl click '{"action_id":"alert_ack","user":"U0456","user_name":"jdoe"}' | jq -r .response_url)
wait_for "[.responses[] | select(.url == \"$r\")] | length >= 1" || true
equals "the click's answer is only for the clicker" "$(state | jq -r --arg u "$r" '[.responses[] | select(.url == $u)][0].body.response_type')" ephemeral
if wait_for "[.updates[] | select(.ts == \"$ts\") | select(.blocks | tostring | test(\"#2 DiskFull on db-0[12] · [A-Z]+ · acknowledged by @jdoe\"))] | length >= 1"; then
  ok "the click updates the message in place"
else bad "click updates in place" "$(state | jq -c '.updates | map(.text)')"; fi
if wait_for "[.posts[] | select(.thread_ts == \"$ts\") | select(.text | test(\"Acknowledged: #2 by @jdoe\"))] | length >= 1"; then
  ok "and notes it in the thread"
else bad "click noted in the thread" "$(state | jq -c '.posts | map({text, thread_ts})')"; fi
note=$(state | jq -c --arg t "$ts" '[.posts[] | select(.thread_ts == $t) | select(.text | test("Acknowledged: #2"))][0]')
contains "the thread note mentions who acknowledged, for real" "$(jq -r .text <<<"$note")" "<@U0456>"
contains "in the blocks too, not escaped" "$(jq -r '.blocks | tostring' <<<"$note")" "<@U0456>"
equals "no new top-level message for the click" "$(state | jq '[.posts[] | select(.thread_ts == null)] | length')" "$nposts"
# Every alert acknowledged: /alerts open says how many still fire, and how.
r=$(ctl slash '{"text":"alerts open","user_id":"U0VIEW"}' | jq -r .response_url)
wait_for "[.responses[] | select(.url == \"$r\")] | length >= 1" || true
body=$(state | jq -c --arg u "$r" '[.responses[] | select(.url == $u)][0].body')
contains "/alerts open counts the acknowledged ones" "$body" "2 alert(s) firing: 0 unacknowledged, 2 acknowledged, 0 silenced"
if [[ "$body" == *"Nothing is firing"* ]]; then bad "/alerts open does not say nothing fires" "$body"; else ok "/alerts open does not say nothing fires"; fi
# The Silence 1h button, clicked by a viewer (refused) and by jdoe.
ctl click '{"action_id":"alert_silence","user":"U0VIEW","user_name":"vic"}' >/dev/null
sleep 1
equals "a viewer's click silences nothing" "$(sqlite3 "$DB" 'SELECT count(*) FROM silences')" 0
ctl click '{"action_id":"alert_silence","user":"U0456","user_name":"jdoe"}' >/dev/null
for _ in $(seq 50); do [ "$(sqlite3 "$DB" 'SELECT count(*) FROM silences')" = 1 ] && break; sleep 0.1; done
equals "jdoe's click silences the group for 1h" "$(sqlite3 "$DB" "SELECT author || ' ' || ((ends_at - created) / 1000) FROM silences")" "@jdoe 3600"
equals "its alerts silenced" "$(sqlite3 "$DB" "SELECT group_concat(state) FROM alerts WHERE alertname = 'DiskFull'")" "silenced,silenced"
# The silence reached the real Alertmanager, with the same matchers.
# (30 s: a loaded CI machine running the sanitizer build took over 10.)
for _ in $(seq 300); do [ -n "$(sqlite3 "$DB" 'SELECT remote_id FROM silences WHERE id = 1')" ] && break; sleep 0.1; done
am_sil=$(curl -sf "$AM_URL/api/v2/silences" | jq -c '[(. // [])[] | select(.status.state == "active")]')
equals "Alertmanager has it, active" "$(jq length <<<"$am_sil")" 1
equals "with the same matchers" "$(jq -c '.[0].matchers | map({name, value, isRegex, isEqual})' <<<"$am_sil")" '[{"name":"alertname","value":"DiskFull","isRegex":false,"isEqual":true}]'
equals "created by the chat user, with the reason" "$(jq -r '.[0].createdBy + ": " + .[0].comment' <<<"$am_sil")" "@jdoe: from the button"
equals "for the same hour" "$(jq -r '((.[0].endsAt | sub("\\.[0-9]+"; "") | fromdate) - now) / 60 | round' <<<"$am_sil")" 60
rid=$(jq -r '.[0].id' <<<"$am_sil")
equals "its id kept with the silence" "$(sqlite3 "$DB" 'SELECT remote_url || " " || remote_id FROM silences WHERE id = 1')" "$AM_API $rid"
r=$(ctl slash '{"text":"silences","user_id":"U0VIEW"}' | jq -r .response_url)
wait_for "[.responses[] | select(.url == \"$r\")] | length >= 1" || true
contains "/silences says it is in Alertmanager too" "$(state | jq -c --arg u "$r" '[.responses[] | select(.url == $u)][0].body')" "from the button (also in Alertmanager)"
r=$(ctl slash '{"text":"unsilence 1","user_id":"U0456","user_name":"jdoe"}' | jq -r .response_url)
wait_for "[.responses[] | select(.url == \"$r\")] | length >= 1" || true
body=$(state | jq -c --arg u "$r" '[.responses[] | select(.url == $u)][0].body')
contains "/unsilence" "$body" "Silence #1 ended"
contains "says Alertmanager's copy expired" "$body" "Expired in Alertmanager too"
equals "expired in Alertmanager" "$(curl -sf "$AM_URL/api/v2/silence/$rid" | jq -r .status.state)" expired

# --- resolved by Alertmanager: update in place, a note in the thread ------------
am_resolve DiskFull '{"instance":"db-01:9100","severity":"critical"}'
am_resolve DiskFull '{"instance":"db-02:9100","severity":"warning"}'
if wait_for "[.updates[] | select(.ts == \"$ts\") | select(.text | test(\"RESOLVED\"))] | length >= 1" 200; then
  ok "resolution updates the message in place"
else bad "resolved in place" "$(state | jq -c '.updates | map(.text)')" "$(tail -3 "$T/bot.err")"; fi
if wait_for "[.posts[] | select(.thread_ts == \"$ts\") | select(.text | test(\"Resolved\"))] | length >= 1"; then
  ok "and notes it in the thread"
else bad "thread note" "$(state | jq -c '.posts | map({text, thread_ts})')"; fi
equals "both resolved in the store" "$(sqlite3 "$DB" "SELECT group_concat(state) FROM alerts")" "resolved,resolved"
am_stop
# Alertmanager down: the reply says so, the silence here stands.
r=$(ctl slash '{"text":"silence alertname=DiskFull 30m disk work","user_id":"U0456","user_name":"jdoe"}' | jq -r .response_url)
wait_for "[.responses[] | select(.url == \"$r\")] | length >= 1" || true
contains "an unreachable Alertmanager is reported" "$(state | jq -c --arg u "$r" '[.responses[] | select(.url == $u)][0].body')" "Not silenced in Alertmanager: cannot reach Alertmanager"
equals "and the local silence stands" "$(sqlite3 "$DB" "SELECT count(*) FROM silences WHERE ended IS NULL AND remote_id IS NULL")" 1

# --- bad input: the right status, a log line, nothing stored --------------------
n0=$(nalerts)
equals "wrong token -> 401" "$(hook generic '{"name":"X"}' wrong-token)" 401
equals "no token -> 401" "$(hook generic '{"name":"X"}' '')" 401
equals "invalid JSON -> 400" "$(hook alertmanager '{"alerts": [')" 400
contains "with a reason" "$(cat "$T/hook.out")" "invalid JSON"
head -c 10485760 /dev/zero | tr '\0' 'x' >"$T/big.json"
equals "10 MB body -> 413" "$(hook generic "@$T/big.json")" 413
jq -n '{version:"4",status:"firing",alerts:[range(10000) | {status:"firing",labels:{alertname:"Many",i:(.|tostring)}}]}' >"$T/many.json"
equals "10,000 alerts -> 400" "$(hook alertmanager "@$T/many.json")" 400
contains "says the limit" "$(cat "$T/hook.out")" "limit"
equals "wrong types -> 400" "$(hook alertmanager '{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"Typed","severity":12}}]}')" 400
contains "names the field" "$(cat "$T/hook.out")" "alerts[0].labels.severity"
equals "generic typo -> 400" "$(hook generic '{"name":"Typo","sevrity":"critical"}')" 400
contains "with a did-you-mean" "$(cat "$T/hook.out")" 'did you mean \"severity\"'
equals "nothing stored by bad requests" "$(nalerts)" "$n0"
contains "refusals are logged" "$(cat "$T/bot.err")" "webhook refused"
equals "unknown Alertmanager fields are fine -> 200" "$(hook alertmanager '{"version":"4","status":"firing","notification_reason":"new","routeLabels":{},"alerts":[{"status":"firing","labels":{"alertname":"Newer"},"annotations":null,"future":1}]}')" 200
equals "and stored" "$(nalerts)" "$((n0 + 1))"

# --- Grafana's webhook ------------------------------------------------------------
FIX=$(cd "$(dirname "${BASH_SOURCE[0]}")/../fixtures/alerts" && pwd)
n0=$(nalerts)
equals "Grafana's webhook -> 200" "$(hook grafana "@$FIX/grafana-firing.json")" 200
if [ "$(nalerts)" -gt "$n0" ]; then ok "Grafana's alerts stored"; else bad "Grafana's alerts stored" "$(cat "$T/hook.out")"; fi
equals "as source grafana" "$(sqlite3 "$DB" "SELECT DISTINCT source FROM alerts WHERE id > $n0")" grafana

# --- a store that cannot commit -> 503, nothing half-stored ---------------------
n0=$(nalerts)
# The lock is held until the test says so, however slow the machine is:
# the bot's own busy timeout runs out first, whatever its length.
rm -f "$T/unlock"
( echo ".timeout 5000"; echo "BEGIN IMMEDIATE; INSERT INTO audit (ts, platform, user, channel, command, outcome, duration_ms) VALUES (0, 'x', 'x', 'x', 'lock', 'ok', 0);"; for _ in $(seq 600); do [ -e "$T/unlock" ] && break; sleep 0.1; done; echo "COMMIT;" ) | sqlite3 "$DB" &
lock_pid=$!
# Wait until the lock is held (a loaded machine starts sqlite3 slowly).
for _ in $(seq 200); do sqlite3 "$DB" 'BEGIN IMMEDIATE; ROLLBACK;' 2>/dev/null || break; sleep 0.05; done
equals "locked store -> 503 (Alertmanager retries)" "$(hook generic '{"alerts":[{"name":"Locked1"},{"name":"Locked2"}]}')" 503
touch "$T/unlock"
wait "$lock_pid"
equals "nothing half-stored" "$(nalerts)" "$n0"
equals "the retry is stored" "$(hook generic '{"alerts":[{"name":"Locked1"},{"name":"Locked2"}]}')" 200
equals "both" "$(nalerts)" "$((n0 + 2))"

# --- a storm: 1,000 alerts in a burst -> a few grouped messages ---------------
ctl reset >/dev/null
for i in $(seq 0 9); do
  jq -n --argjson b "$i" '{alerts:[range(100) | {name:("Storm" + (. % 4 | tostring)), host:("h" + (($b * 100 + .) | tostring)), severity:"warning"}]}' >"$T/storm$i.json"
done
n0=$(nalerts)
pids=()
for i in $(seq 0 9); do hook generic "@$T/storm$i.json" >/dev/null & pids+=($!); done
wait "${pids[@]}"
equals "all 1,000 stored" "$(nalerts)" "$((n0 + 1000))"
wait_for '[.posts[] | select(.text | test("Storm"))] | length >= 4' 10 || true
sleep 3
s=$(state)
n=$(jq '[.posts[] | select(.text | test("Storm")) | select(.thread_ts == null)] | length' <<<"$s")
equals "grouped into 4 messages" "$n" 4
# Slack allows about 1 message/s per channel: the storm must cost a few
# calls, not 1,000 (the outbox paces them at chat.outbox.rate as well).
calls=$(jq '.api_calls["chat.postMessage"] // 0' <<<"$s")
if [ "$calls" -ge 4 ] && [ "$calls" -le 12 ]; then ok "the storm cost $calls chat.postMessage calls (Slack never had cause to answer 429)"
else bad "a few chat.postMessage calls for the storm" "got $calls"; fi

assert_done
