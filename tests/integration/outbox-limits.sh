#!/usr/bin/env bash
# Integration: nothing blocks a channel's queue. A real bot, the fake Slack
# (which cuts a Web API call over 1 MiB, answers msg_too_long over 40,000
# characters and invalid_blocks past Block Kit's limits, as Slack does).
# 1. An alert with a 300,000-character name (a 300 KB webhook), then a
#    normal critical one: the critical one arrives promptly, the big one
#    arrives cut to fit (…), nothing is cut by the server.
# 2. A message refused with a non-JSON 400 fails at once; one answered 500
#    every time fails after chat.outbox.max_attempts (3 here); each is
#    logged with its cause, counted in /status and /metrics, and the
#    message behind it is delivered.
# 3. A restart: nothing pending comes back to block the channel.
# 4. A slash command whose response URL answers 404 is answered to the
#    asker in the channel (chat.postEphemeral) instead of being dropped.
# 5. A malformed response URL fails for good at once, one answering 500
#    after max_attempts; the URL is logged once, shortened to its host.
# Slack's answer_in_ack is off: this is the response URL's path, through
# the outbox (a quick answer otherwise rides the command's ack).
# usage: outbox-limits.sh OPSBOT FAKE_SLACK
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-ol "$@"
WAIT_FOR_S=30 # wait_for's bound

start_fake "$FAKE"

TOKEN=limits-token-789
cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "debug", "shutdown_grace": "2s" },
  "chat": { "slack": { "answer_in_ack": false }, "outbox": { "rate": 20, "burst": 20, "max_backoff": "1s", "max_attempts": 3 } },
  "users": [ { "name": "jdoe", "platform": "slack", "id": "U0456", "roles": ["admin"] } ],
  "alerts": { "listen": "127.0.0.1:0", "token": "$TOKEN",
              "checks": { "enabled": false },
              "route": { "channels": ["slack:#ops-alerts"], "group_by": ["alertname"],
                         "group_wait": "1s", "group_interval": "2s", "repeat_interval": "1h" } } }
JSON
slack_env
DB="$T/data/opsbot.db"
start_bot() { # each start its own log: the port is read from it
  cat "$T/bot.err" >>"$T/bot.old" 2>/dev/null
  run_bot "$T/opsbot.json" "$T/bot.err"
}
q() { sqlite3 "$DB" "$1"; }
posts_with() { # text -> jq expr: a top-level post whose text contains it
  echo "[.posts[] | select(.thread_ts == null and (.text | contains(\"$1\")))] | length >= 1"
}

start_bot || { bad "bot starts" "$(tail -5 "$T/bot.err")"; assert_done; exit 1; }
wait_for '.connections_open >= 1' || bad "bot connects" "$(tail -5 "$T/bot.err")"

# --- 1. a 300,000-character alert name, then a critical one ------------------------
big=$(head -c 300000 /dev/zero | tr '\0' 'B')
printf '{"name":"Huge%s","host":"h1","severity":"warning"}' "$big" >"$T/big.json"
equals "300 KB webhook accepted" "$(hook "@$T/big.json")" 200
t0=$SECONDS
equals "critical alert accepted" "$(hook '{"name":"DiskFull","host":"db1","severity":"critical"}')" 200
if wait_for "$(posts_with DiskFull)" 20; then
  ok "the critical alert arrives behind the oversized one ($((SECONDS - t0)) s)"
else
  bad "critical alert delivered" "$(state | jq -c '[.posts[].text[0:80]]')" "$(grep outbox "$T/bot.err" | tail -3)"
fi
if wait_for "$(posts_with HugeBBBB)" 5; then
  s=$(state)
  equals "the oversized alert arrives cut to fit" \
    "$(jq -r '[.posts[] | select(.text | contains("HugeBBBB")) | (.text | length) <= 4000 and (.text | contains("…"))] | all' <<<"$s")" true
else
  bad "oversized alert delivered, cut" "$(grep outbox "$T/bot.err" | tail -3)"
fi
equals "no Web API call cut by the server" "$(state | jq -r .cut_requests)" 0
equals "nothing left pending" "$(q "SELECT count(*) FROM outbox WHERE state = 'pending'")" 0

# --- 2. refused for good, and given up after max_attempts ------------------------------
ctl ratelimit '{"method":"chat.postMessage","status":400,"count":1}' >/dev/null
hook '{"name":"Refused400","host":"r1"}' >/dev/null
hook '{"name":"After400","host":"r2"}' >/dev/null
wait_for "$(posts_with After400)" || bad "the message behind a 400 is delivered" "$(grep outbox "$T/bot.err" | tail -3)"
equals "non-JSON 400: failed at once, with its cause" \
  "$(q "SELECT state || ' ' || attempts || ' ' || last_error FROM outbox WHERE body LIKE '%Refused400%'")" \
  "failed 1 chat.postMessage: HTTP 400"
ctl ratelimit '{"method":"chat.postMessage","status":500,"count":3}' >/dev/null
hook '{"name":"Broken500","host":"s1"}' >/dev/null
hook '{"name":"After500","host":"s2"}' >/dev/null
wait_for "$(posts_with After500)" || bad "the message behind a 500 is delivered" "$(grep outbox "$T/bot.err" | tail -3)"
equals "500 every time: failed after 3 attempts" \
  "$(q "SELECT state || ' ' || attempts || ' ' || last_error FROM outbox WHERE body LIKE '%Broken500%'")" \
  "failed 3 HTTP 5xx (after 3 attempts)"
contains "each failure logged with its cause" "$(grep 'refused for good' "$T/bot.err")" "HTTP 5xx (after 3 attempts)"
metric_failed() { curl -s "http://127.0.0.1:$BP/metrics" | sed -n 's/^opsbot_outbox_failed_total{platform="slack"} //p'; }
equals "/metrics counts the messages given up" "$(metric_failed)" 2
ctl slash '{"text":"status","user_id":"U0456"}' >/dev/null
wait_for '[.responses[] | select(.body.text | tostring | contains("failed for good"))] | length >= 1' 10
contains "/status counts the messages given up" "$(state | jq -r '.responses[-1].body.text')" "2 failed for good since start"

# --- 4. a response URL that answers 404 (used up, expired) ---------------------------
ctl reset >/dev/null
ctl ratelimit '{"method":"response_url","status":404,"count":1}' >/dev/null
ctl slash '{"text":"whoami","user_id":"U0456","channel_id":"C0OPS"}' >/dev/null
if wait_for '(.ephemerals | length) >= 1' 10; then
  s=$(state)
  equals "answered to the asker privately in the channel instead" \
    "$(jq -r '.ephemerals[0] | "\(.channel) \(.user)"' <<<"$s")" "C0OPS U0456"
  contains "with the answer" "$(jq -r '.ephemerals[0].text' <<<"$s")" "U0456"
  equals "the used URL got nothing more" "$(jq -r '.responses | length' <<<"$s")" 0
else
  bad "a 404 response URL falls back to the channel" "$(grep -i 'response URL' "$T/bot.err" | tail -3)"
fi
equals "and the row is sent" "$(q "SELECT state FROM outbox WHERE kind = 'response' ORDER BY id DESC LIMIT 1")" sent

# --- 5. unusable response URLs: given up, the URL logged once, shortened -----------
# A malformed URL can never work: failed at once, with its cause.
ctl slash '{"text":"whoami","user_id":"U0456","channel_id":"C0OPS","response_url":"htps://hooks.example.invalid/services/T0/B0/s3cretpath"}' >/dev/null
bad_row() { q "SELECT state || ' ' || attempts FROM outbox WHERE kind = 'response' AND channel LIKE 'htps:%'"; }
deadline=$((SECONDS + 15))
while [ "$(bad_row)" != "failed 1" ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
equals "a malformed response URL fails for good at once" "$(bad_row)" "failed 1"
contains "with its cause" "$(q "SELECT last_error FROM outbox WHERE channel LIKE 'htps:%'")" "unusable URL"
equals "the URL is logged once, shortened to its host" "$(grep -c 'htps://hooks.example.invalid/…' "$T/bot.err")" 1
equals "its path (the credential) never" "$(grep -c 's3cretpath' "$T/bot.err")" 0
# One that answers 500 every time: given up after max_attempts (3), each
# attempt logged, the URL in the first line only.
ctl ratelimit '{"method":"response_url","status":500,"count":3}' >/dev/null
ctl slash '{"text":"whoami","user_id":"U0456","channel_id":"C0OPS"}' >/dev/null
row5=; deadline=$((SECONDS + 20))
while [ "$SECONDS" -lt "$deadline" ]; do
  row5=$(q "SELECT id FROM outbox WHERE kind = 'response' AND state = 'failed' AND last_error LIKE 'HTTP 5xx%'")
  [ -n "$row5" ] && break
  sleep 0.2
done
equals "a response URL answering 500 fails after 3 attempts" "$(q "SELECT state || ' ' || attempts FROM outbox WHERE id = '${row5:-0}'")" "failed 3"
lines=$(grep "message ${row5:-none} " "$T/bot.err")
if [ "$(grep -c . <<<"$lines")" -ge 3 ]; then ok "each attempt logged"; else bad "each attempt logged" "$lines"; fi
equals "the URL in one of them, shortened" "$(grep -c "(response URL http://127.0.0.1:$PORT/…)" <<<"$lines")" 1
equals "the others say only (response URL)" "$(grep -c '(response URL):' <<<"$lines")" "$(($(grep -c . <<<"$lines") - 1))"
lacks "no response URL's path in the log" "$(cat "$T/bot.err")" "127.0.0.1:$PORT/response/"

# --- 3. a restart brings nothing back to block the channel -------------------------
kill "$bot_pid"; wait "$bot_pid" 2>/dev/null; bot_pid=
equals "no row pending at the restart" "$(q "SELECT count(*) FROM outbox WHERE state = 'pending'")" 0
start_bot || bad "bot restarts" "$(tail -5 "$T/bot.err")"
hook '{"name":"AfterRestart","host":"x1","severity":"critical"}' >/dev/null
wait_for "$(posts_with AfterRestart)" || bad "a new alert after the restart is delivered" "$(grep outbox "$T/bot.err" | tail -3)"
lacks "no post repeated after the restart" "$(state | jq -r '[.posts[] | select(.thread_ts == null) | .text[0:40]] | group_by(.) | map(select(length > 1) | .[0]) | join(",")')" "Huge"
assert_done
