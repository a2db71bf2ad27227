#!/usr/bin/env bash
# Integration: a reload that changes the Slack bot token restarts the Slack
# adapter alone (fake Slack). A token Slack refuses keeps the old adapter
# running on the old token, and the log and /status say the reload failed
# for Slack; after the workspace rotates the token and the file has the new
# one, a reload moves the bot to it: posts go out with the new token (the
# fake refuses the old one from then on), a post queued in the outbox
# before the restart goes out after it, and commands are answered.
# usage: reload-chat.sh /path/to/opsbot /path/to/fake-slack
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-rlchat "$@"

WAIT_FOR_S=60 # wait_for's bound
start_fake "$FAKE"
LOG="$T/bot.err"   # Slack is the conversation: the log is on stderr
wait_log() { # NEEDLE [N]: until the log has it N times
  local n=${2:-1} deadline=$((SECONDS + 60)) c
  while c=$(grep -cF -- "$1" "$LOG" 2>/dev/null); [ "${c:-0}" -lt "$n" ]; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.1
  done
}
# A slash command's answer: the text of response number $1 (from 0).
answer() {
  wait_for "(.responses | length) > $1" || return 1
  state | jq -r ".responses[$1].body.text // \"\", (.responses[$1].body.blocks // [] | tostring)"
}
fire() { # ALERTNAME: one firing alert through the listener
  curl -s -o /dev/null -w '%{http_code}' -m 10 -X POST -H 'Content-Type: application/json' \
    "http://127.0.0.1:$BOTPORT/hooks/alertmanager" --data @- <<JSON
{ "version": "4", "status": "firing", "receiver": "opsbot",
  "alerts": [ { "status": "firing", "labels": { "alertname": "$1", "severity": "warning" },
                "annotations": { "summary": "$1 summary" },
                "startsAt": "2026-01-01T00:00:00Z", "fingerprint": "f$1" } ] }
JSON
}
posts_with() { state | jq -r --arg n "$1" '[.posts[] | select((.text // "") + (.blocks // [] | tostring) | contains($n))] | length'; }

printf 'xoxb-test\n' >"$T/bot-token"
chmod 600 "$T/bot-token"
cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "debug", "shutdown_grace": "5s" },
  "chat": { "slack": { "app_token": "xapp-test", "bot_token_file": "$T/bot-token" },
            "outbox": { "rate": 20, "burst": 20 } },
  "users": [ { "name": "jdoe", "platform": "slack", "id": "U0456", "roles": ["admin"] } ],
  "alerts": { "listen": "127.0.0.1:0", "checks": { "enabled": false },
              "route": { "channels": ["slack:#ops-alerts"], "group_wait": "1s",
                         "group_by": ["alertname"] } },
  "hosts": [ { "name": "localhost", "transport": "local" } ] }
JSON
export SLACK_API_URL="http://127.0.0.1:$PORT/api/"
"$BOT" --config "$T/opsbot.json" </dev/null >"$T/bot.out" 2>"$T/bot.err" &
bot_pid=$!
wait_log 'listening on' || bad "bot starts" "$(cat "$T/bot.err")"
BOTPORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$LOG" | head -1)
wait_for '.connections_open >= 1' && ok "connected over Socket Mode" ||
  bad "connected over Socket Mode" "$(tail -5 "$LOG")"
equals "an alert is accepted" "$(fire Before)" 200
wait_for '[.posts[] | tostring | contains("Before")] | any' && ok "posted with the first token" ||
  bad "posted with the first token" "$(state | jq -c .posts)"

# --- a token Slack refuses: the old adapter runs on ---------------------------
printf 'xoxb-wrong\n' >"$T/bot-token"
kill -HUP "$bot_pid"
wait_log 'Slack keeps its previous settings' &&
  ok "a refused token is logged" || bad "a refused token is logged" "$(tail -20 "$LOG")"
contains "the log names Slack's refusal" "$(cat "$LOG")" "the bot token was refused (auth.test: invalid_auth)"
lacks "the token is not in the log" "$(cat "$LOG")" "xoxb-wrong"
ctl slash '{"text":"status","user_id":"U0456"}' >/dev/null
out=$(answer 0)
contains "/status says the reload failed for Slack" "$out" "reload: FAILED in part at"
contains "/status says why" "$out" "the bot token was refused"
equals "the bot still runs" "$(kill -0 "$bot_pid" 2>/dev/null && echo yes)" yes
equals "another alert is accepted" "$(fire StillOld)" 200
wait_for '[.posts[] | tostring | contains("StillOld")] | any' && ok "still posting with the old token" ||
  bad "still posting with the old token" "$(state | jq -c .posts)" "$(tail -5 "$LOG")"

# --- the workspace rotates the token; the file has the new one ---------------
# A post waits in the outbox across the restart: Slack rate-limits it first.
ctl ratelimit '{"method":"chat.postMessage","count":1,"retry_after":6}' >/dev/null
equals "an alert to hold in the outbox" "$(fire Queued)" 200
wait_log 'rate limited; holding the channel' && ok "the post waits in the outbox" ||
  bad "the post waits in the outbox" "$(tail -5 "$LOG")"
ctl tokens '{"bot_token":"xoxb-rotated"}' >/dev/null || bad "fake rotates the token" ""
printf 'xoxb-rotated\n' >"$T/bot-token"
kill -HUP "$bot_pid"
wait_log 'chat adapter slack restarted with the new settings' &&
  ok "the Slack adapter restarts on the new token" ||
  bad "the Slack adapter restarts on the new token" "$(tail -20 "$LOG")"
wait_log 'config reloaded from' 2 || bad "the rest of the reload" "$(tail -20 "$LOG")"
equals "an alert after the rotation is accepted" "$(fire AfterRotation)" 200
wait_for '[.posts[] | tostring | contains("AfterRotation")] | any' &&
  ok "posted with the new token (the old one is refused now)" ||
  bad "posted with the new token (the old one is refused now)" "$(state | jq -c .posts)" "$(tail -10 "$LOG")"
wait_for '[.posts[] | tostring | contains("Queued")] | any' &&
  ok "the post queued before the restart goes out after it, on the new token" ||
  bad "the post queued before the restart goes out after it, on the new token" "$(state | jq -c .posts)" "$(tail -10 "$LOG")"
wait_for '.connections_open >= 1' && ok "Socket Mode connected again" ||
  bad "Socket Mode connected again" "$(tail -5 "$LOG")"
n=$(state | jq '.responses | length')
ctl slash '{"text":"status","user_id":"U0456"}' >/dev/null
out=$(answer "$n")
contains "/status: the reload is ok" "$out" "reload: ok at"
contains "/status: Slack connected" "$out" "connected"
equals "the bot still runs after the rotation" "$(kill -0 "$bot_pid" 2>/dev/null && echo yes)" yes
lacks "no fatal error" "$(cat "$LOG")" "level=error comp=bot"
lacks "the new token is not in the log" "$(cat "$LOG")" "xoxb-rotated"

kill -TERM "$bot_pid"; wait "$bot_pid"; rc=$?; bot_pid=
equals "stops cleanly after the restart" "$rc" 0
assert_done
