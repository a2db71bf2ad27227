#!/usr/bin/env bash
# Integration: Slack down at start does not stop the bot. It starts, takes
# an alert webhook (200, stored), queues the post, and once the fake Slack
# comes up on the same port the link connects and the post is delivered.
# /status names the link as unreachable while Slack is down.
# A refused bot token still stops the start (exit 3) with the fix in the
# message.
# usage: chat-down.sh OPSBOT FAKE_SLACK
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-down "$@"
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
slack_env

"$BOT" --config "$T/opsbot.json" </dev/null >"$T/bot.out" 2>"$T/bot.err" &
bot_pid=$!
wait_log "$T/bot.err" 'listening on'
BOTPORT=$(bot_port "$T/bot.err")
wait_log "$T/bot.err" 'ready in'
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
assert_done
