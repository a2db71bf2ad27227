#!/usr/bin/env bash
# Integration: a reload that changes Mattermost settings restarts the
# Mattermost adapter alone (fake Mattermost). A token the server refuses
# keeps the old adapter and all its old settings (its slash command token
# still works, the new one does not); a good change (a new slash command
# token) moves the slash route and the websocket to the new adapter.
# usage: reload-chat-mattermost.sh /path/to/opsbot /path/to/fake-mattermost
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-rlmm "$@"

WAIT_FOR_S=60 # wait_for's bound
start_fake "$FAKE" --token tok-bot
LOG="$T/bot.err"
wait_log() { # NEEDLE [N]: until the log has it N times
  local n=${2:-1} deadline=$((SECONDS + 60)) c
  while c=$(grep -cF -- "$1" "$LOG" 2>/dev/null); [ "${c:-0}" -lt "$n" ]; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.1
  done
}
JDOE=user0jdoe00000000000000000
OPS=chanopsprod000000000000000
# slash TOKEN: /opsbot status through the bot's listener; prints the HTTP status
slash() {
  local n
  n=$(state | jq '.slash_results | length')
  ctl slash "{\"url\":\"http://127.0.0.1:$BOTPORT/mattermost/command\",\"token\":\"$1\",\"command\":\"/opsbot\",\"text\":\"status\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" >/dev/null
  wait_for "(.slash_results | length) > $n" || { echo none; return; }
  state | jq -r ".slash_results[$n].status"
}
write_config() { # TOKEN COMMAND_TOKEN
  printf '%s\n' "$1" >"$T/mm-token"
  chmod 600 "$T/mm-token"
  cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "debug" },
  "chat": { "mattermost": { "token_file": "$T/mm-token", "command_token": "$2" } },
  "alerts": { "listen": "127.0.0.1:0", "checks": { "enabled": false } },
  "users": [ { "name": "jdoe", "platform": "mattermost", "id": "$JDOE", "roles": ["admin"] } ] }
JSON
}

write_config tok-bot cmdtok-1
export MATTERMOST_URL="http://127.0.0.1:$PORT"
"$BOT" --config "$T/opsbot.json" </dev/null >"$T/bot.out" 2>"$T/bot.err" &
bot_pid=$!
wait_log 'listening on' || bad "bot starts" "$(cat "$LOG")"
BOTPORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$LOG" | head -1)
wait_for '.connections_open >= 1' && ok "websocket connected" || bad "websocket connected" "$(tail -5 "$LOG")"
equals "slash command with the first token" "$(slash cmdtok-1)" 200

# --- a refused token: the old adapter and all its settings stay ---------------
write_config tok-wrong cmdtok-2
kill -HUP "$bot_pid"
wait_log 'Mattermost keeps its previous settings' && ok "a refused token is logged" ||
  bad "a refused token is logged" "$(tail -20 "$LOG")"
contains "the log says the server refused it" "$(cat "$LOG")" "mattermost: the token was refused (users/me: HTTP 401)"
equals "the old slash token still works" "$(slash cmdtok-1)" 200
lacks "the refused reload's slash token does not" "$(slash cmdtok-2)" 200
equals "the bot still runs" "$(kill -0 "$bot_pid" 2>/dev/null && echo yes)" yes

# --- a good change: the adapter restarts, its route follows ------------------
write_config tok-bot cmdtok-2
kill -HUP "$bot_pid"
wait_log 'chat adapter mattermost restarted with the new settings' &&
  ok "the Mattermost adapter restarts" || bad "the Mattermost adapter restarts" "$(tail -20 "$LOG")"
equals "the new slash token works" "$(slash cmdtok-2)" 200
lacks "the old slash token is refused" "$(slash cmdtok-1)" 200
wait_for '.connections_open >= 1' && ok "websocket connected again" || bad "websocket connected again" "$(tail -5 "$LOG")"
n=$(state | jq '.posts | length')
ctl post "{\"message\":\"@opsbot status\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" >/dev/null
wait_for "(.posts | length) > $n" && ok "a mention is answered over the new websocket" ||
  bad "a mention is answered over the new websocket" "$(tail -10 "$LOG")"
contains "/status: reload ok" "$(state | jq -r '.posts[-1].props.attachments[0].text')" "reload: ok at"
kill -TERM "$bot_pid"; wait "$bot_pid"; rc=$?; bot_pid=
equals "stops cleanly after the restart" "$rc" 0
assert_done
