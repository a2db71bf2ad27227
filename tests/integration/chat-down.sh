#!/usr/bin/env bash
# Integration: Slack, or Mattermost, down at start does not stop the bot.
# It starts, takes an alert webhook (200, stored), queues the post, and
# once the fake server comes up on the same port the link connects and the
# post is delivered. /status names the link as unreachable while the server
# is down, and /readyz says the link is down. A refused token still stops
# the start (exit 3) with the fix in the message.
# usage: chat-down.sh OPSBOT FAKE_SLACK FAKE_MATTERMOST
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-down "$@"
FAKE_MM=$(realpath "$3")

WAIT_FOR_S=60 # wait_for's bound

# A port that is free: the fake takes one, tells it, and goes away.
start_fake "$FAKE"
kill "$fake_pid"; wait "$fake_pid" 2>/dev/null; fake_pid=

cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "debug", "shutdown_grace": "5s" },
  "chat": { "outbox": { "rate": 20, "burst": 20, "max_backoff": "2s" },
            "console": { "user": "ops" } },
  "users": [ { "name": "ops", "platform": "console", "roles": ["viewer"] } ],
  "alerts": { "listen": "127.0.0.1:0", "checks": { "enabled": false },
              "route": { "channels": ["slack:#ops-alerts"], "group_wait": "1s",
                         "group_interval": "1s" } },
  "hosts": [ { "name": "localhost", "transport": "local" } ] }
JSON
export SLACK_APP_TOKEN=xapp-test SLACK_BOT_TOKEN=xoxb-test
export SLACK_API_URL="http://127.0.0.1:$PORT/api/"

"$BOT" --config "$T/opsbot.json" </dev/null >"$T/bot.out" 2>"$T/bot.err" &
bot_pid=$!
for _ in $(seq 300); do grep -qs 'listening on' "$T/bot.err" && break; sleep 0.1; done
BOTPORT=$(bot_port "$T/bot.err")
for _ in $(seq 300); do grep -qs 'ready in' "$T/bot.err" && break; sleep 0.1; done
if kill -0 "$bot_pid" 2>/dev/null; then ok "starts with Slack down"; else bad "starts with Slack down" "$(tail -5 "$T/bot.err")"; fi
contains "says Slack is down and it goes on" "$(cat "$T/bot.err")" "cannot reach the Web API at http://127.0.0.1:$PORT/api/"
contains "says posts wait" "$(cat "$T/bot.err")" "starting without Slack: posts wait in the outbox"

code=$(curl -s -o "$T/hook.out" -w '%{http_code}' -X POST "http://127.0.0.1:$BOTPORT/hooks/generic" \
  -d '{"name":"QueueStuck","host":"mq-01","severity":"critical","summary":"12000 messages waiting"}')
equals "webhook accepted while Slack is down" "$code" 200
equals "alert stored" "$(sqlite3 "$T/data/opsbot.db" "SELECT count(*) FROM alerts")" 1
# The post is queued (group_wait 1s), not delivered.
for _ in $(seq 100); do
  [ "$(sqlite3 "$T/data/opsbot.db" "SELECT count(*) FROM outbox WHERE platform = 'slack'")" -ge 1 ] && break
  sleep 0.1
done
equals "post queued in the outbox" "$(sqlite3 "$T/data/opsbot.db" "SELECT count(*) FROM outbox WHERE platform = 'slack' AND state = 'pending'")" 1

# Slack comes back on the same port.
start_fake "$FAKE" --port "$PORT"
if wait_for '.connections_open >= 1'; then ok "link connects once Slack is up"; else bad "link connects once Slack is up" "$(tail -5 "$T/bot.err")"; fi
if wait_for '[.posts[] | select(.channel == "C0ALERTS")] | length >= 1'; then ok "queued alert post delivered"; else bad "queued alert post delivered" "$(state | jq -c .posts)" "$(tail -5 "$T/bot.err")"; fi
contains "delivered post names the alert" "$(state | jq -r '[.posts[] | .text, (.blocks | tostring)] | join(" ")')" "QueueStuck"
contains "late identification logged" "$(cat "$T/bot.err")" "bot token ok"

kill -TERM "$bot_pid"; wait "$bot_pid"; rc=$?; bot_pid=
equals "stops cleanly" "$rc" 0

# --- a refused token still stops the start, with the fix -------------------------
out=$(SLACK_BOT_TOKEN=xoxb-wrong "$BOT" --config "$T/opsbot.json" </dev/null 2>&1); rc=$?
equals "refused bot token exits 3" "$rc" 3
contains "refused bot token explained with the fix" "$out" "the bot token was refused (auth.test: invalid_auth); check chat.slack.bot_token"

# --- /status names the link state while Slack is down ----------------------------
kill "$fake_pid"; wait "$fake_pid" 2>/dev/null; fake_pid=
out=$(printf '/status\n' | "$BOT" --config "$T/opsbot.json" --console 2>&1); rc=$?
equals "console run with Slack down exits 0" "$rc" 0
contains "/status: Slack unreachable, retrying" "$out" "slack (unreachable since start, retrying;"

# --- Mattermost down at start ------------------------------------------------------
unset SLACK_APP_TOKEN SLACK_BOT_TOKEN SLACK_API_URL
start_fake "$FAKE_MM" --token tok-bot
kill "$fake_pid"; wait "$fake_pid" 2>/dev/null; fake_pid=
cat >"$T/mm.json" <<JSON
{ "bot": { "data_dir": "$T/mmdata", "log_level": "debug", "shutdown_grace": "5s" },
  "chat": { "outbox": { "rate": 20, "burst": 20, "max_backoff": "2s" },
            "console": { "user": "ops" }, "mattermost": { } },
  "users": [ { "name": "ops", "platform": "console", "roles": ["viewer"] } ],
  "alerts": { "listen": "127.0.0.1:0", "checks": { "enabled": false },
              "route": { "channels": ["mattermost:~ops-alerts"], "group_wait": "1s",
                         "group_interval": "1s" } },
  "hosts": [ { "name": "localhost", "transport": "local" } ] }
JSON
export MATTERMOST_URL="http://127.0.0.1:$PORT" MATTERMOST_TOKEN=tok-bot
: >"$T/bot.err"
"$BOT" --config "$T/mm.json" </dev/null >"$T/bot.out" 2>"$T/bot.err" &
bot_pid=$!
for _ in $(seq 300); do grep -qs 'listening on' "$T/bot.err" && break; sleep 0.1; done
BOTPORT=$(bot_port "$T/bot.err")
for _ in $(seq 300); do grep -qs 'ready in' "$T/bot.err" && break; sleep 0.1; done
if kill -0 "$bot_pid" 2>/dev/null; then ok "starts with Mattermost down"; else bad "starts with Mattermost down" "$(tail -5 "$T/bot.err")"; fi
contains "says Mattermost is down and it goes on" "$(cat "$T/bot.err")" "mattermost: cannot reach http://127.0.0.1:$PORT"
contains "says Mattermost posts wait" "$(cat "$T/bot.err")" "starting without Mattermost: posts wait in the outbox"
equals "/readyz: the Mattermost link is down" \
  "$(curl -s "http://127.0.0.1:$BOTPORT/readyz" | jq -r '.chat.mattermost.up')" false
# A slash command request before the bot knows the server: refused, and
# the bot stays up (its triggers come from the config, not the server).
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$BOTPORT/mattermost/command" \
  --data 'token=nope&command=/opsbot&text=status&user_id=u1&channel_id=c1&response_url=http://127.0.0.1:1/x')
equals "slash command while Mattermost is down: 401" "$code" 401
if kill -0 "$bot_pid" 2>/dev/null; then ok "bot up after a slash request while Mattermost is down"; else bad "bot up after a slash request while Mattermost is down" "$(tail -5 "$T/bot.err")"; fi

code=$(curl -s -o "$T/hook.out" -w '%{http_code}' -X POST "http://127.0.0.1:$BOTPORT/hooks/generic" \
  -d '{"name":"DiskFull","host":"db-02","severity":"critical","summary":"/var at 99%"}')
equals "webhook accepted while Mattermost is down" "$code" 200
for _ in $(seq 100); do
  [ "$(sqlite3 "$T/mmdata/opsbot.db" "SELECT count(*) FROM outbox WHERE platform = 'mattermost'")" -ge 1 ] && break
  sleep 0.1
done
equals "Mattermost post queued in the outbox" "$(sqlite3 "$T/mmdata/opsbot.db" "SELECT count(*) FROM outbox WHERE platform = 'mattermost' AND state = 'pending'")" 1

# Mattermost comes back on the same port.
start_fake "$FAKE_MM" --token tok-bot --port "$PORT"
if wait_for '.connections_open >= 1'; then ok "Mattermost link connects once it is up"; else bad "Mattermost link connects once it is up" "$(tail -5 "$T/bot.err")"; fi
if wait_for '[.posts[] | select(.channel_id == "chanopsalerts0000000000000")] | length >= 1'; then ok "queued Mattermost post delivered in ~ops-alerts"; else bad "queued Mattermost post delivered in ~ops-alerts" "$(state | jq -c .posts)" "$(tail -5 "$T/bot.err")"; fi
contains "delivered Mattermost post names the alert" "$(state | jq -r '[.posts[] | .message, (.props | tostring)] | join(" ")')" "DiskFull"
contains "late Mattermost identification logged" "$(cat "$T/bot.err")" "token ok: @opsbot"
up=
for _ in $(seq 100); do
  up=$(curl -s "http://127.0.0.1:$BOTPORT/readyz" | jq -r '.chat.mattermost.up')
  [ "$up" = true ] && break
  sleep 0.2
done
equals "/readyz: the Mattermost link is up" "$up" true

kill -TERM "$bot_pid"; wait "$bot_pid"; rc=$?; bot_pid=
equals "stops cleanly (Mattermost)" "$rc" 0

# --- a refused Mattermost token still stops the start, with the fix -----------------
out=$(MATTERMOST_TOKEN=tok-wrong "$BOT" --config "$T/mm.json" </dev/null 2>&1); rc=$?
equals "refused Mattermost token exits 3" "$rc" 3
contains "refused Mattermost token explained with the fix" "$out" "the token was refused (users/me: HTTP 401); check chat.mattermost.token"

# --- /status names the Mattermost link while it is down -----------------------------
kill "$fake_pid"; wait "$fake_pid" 2>/dev/null; fake_pid=
out=$(printf '/status\n' | "$BOT" --config "$T/mm.json" --console 2>&1); rc=$?
equals "console run with Mattermost down exits 0" "$rc" 0
contains "/status: Mattermost unreachable, retrying" "$out" "mattermost (unreachable since start, retrying;"
assert_done
