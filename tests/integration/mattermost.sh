#!/usr/bin/env bash
# Integration: the real opsbot against the fake Mattermost (tests/fakes/
# fake-mattermost.c): mention, prefix and DM answered through POST
# /api/v4/posts in the right channel and thread; the bot's own posts and
# plain chatter ignored; a dropped socket resumed with connection_id and
# sequence_number and the missed post replayed and answered; 429 honoured;
# a refused token stops the start; malformed frames ignored.
# usage: mattermost.sh OPSBOT FAKE_MATTERMOST
set -u
BOT=$(realpath "$1")
FAKE=$(realpath "$2")
T=$(mktemp -d /tmp/ob-mm.XXXXXX)
pass=0
fail=0
fake_pid=
bot_pid=
cleanup() {
  [ -n "$bot_pid" ] && kill "$bot_pid" 2>/dev/null && wait "$bot_pid" 2>/dev/null
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
. "$(dirname "${BASH_SOURCE[0]}")/lib-assert.sh"

"$FAKE" "$T/port" --token tok-bot 2>"$T/fake.log" &
fake_pid=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
PORT=$(cat "$T/port")
C="http://127.0.0.1:$PORT/_control"
ctl() { curl -sf -X POST "$C/$1" -H 'Content-Type: application/json' -d "${2:-{\}}"; }
state() { curl -sf "$C/state"; }
wait_for() {
  for _ in $(seq 200); do
    [ "$(state | jq -r "$1")" = true ] && return 0
    sleep 0.05
  done
  return 1
}
# The fake records what was posted through the REST API: the bot's answers.
answers='.posts'

JDOE=user0jdoe00000000000000000
OPS=chanopsprod000000000000000
cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "debug" },
  "chat": { "outbox": { "rate": 20, "burst": 20 },
            "mattermost": { "command_token": "cmdtok" } },
  "alerts": { "listen": "127.0.0.1:0" },
  "users": [ { "name": "jdoe", "platform": "mattermost", "id": "$JDOE", "roles": ["admin"] } ] }
JSON
export MATTERMOST_URL="http://127.0.0.1:$PORT" MATTERMOST_TOKEN=tok-bot
"$BOT" --config "$T/opsbot.json" </dev/null >"$T/bot.out" 2>"$T/bot.err" &
bot_pid=$!
if wait_for '.connections_open >= 1'; then ok "bot connects to the websocket"; else bad "bot connects" "$(tail -5 "$T/bot.err")"; fi
equals "authenticated on the upgrade header" "$(state | jq .auth_header)" 1

# --- mention, prefix, DM -------------------------------------------------------
pid=$(ctl post "{\"message\":\"@opsbot whoami\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" | jq -r .post_id)
wait_for "($answers | length) >= 1" || true
s=$(state)
equals "mention answered in its channel" "$(jq -r "$answers[0].channel_id" <<<"$s")" "$OPS"
equals "mention answered in its thread" "$(jq -r "$answers[0].root_id" <<<"$s")" "$pid"
contains "mention ran the command" "$(jq -r "$answers[0].props.attachments[0].text" <<<"$s")" "platform: mattermost"
ctl post "{\"message\":\"!whoami\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" >/dev/null
wait_for "($answers | length) >= 2" || true
contains "prefix command answered" "$(state | jq -r "$answers[1].props.attachments[0].text")" "platform: mattermost"
ctl post "{\"message\":\"whoami\",\"user_id\":\"$JDOE\",\"channel_id\":\"dmjdoe000000000000000000000\",\"channel_type\":\"D\"}" >/dev/null
wait_for "($answers | length) >= 3" || true
s=$(state)
equals "DM answered in the DM" "$(jq -r "$answers[2].channel_id" <<<"$s")" "dmjdoe000000000000000000000"
equals "DM answered without a thread" "$(jq -r "$answers[2].root_id // \"\"" <<<"$s")" ""
ctl post "{\"message\":\"!stauts\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" >/dev/null
wait_for '(.ephemerals | length) >= 1' || true
s=$(state)
equals "a refused command is ephemeral, to its user" "$(jq -r '.ephemerals[0].user_id' <<<"$s")" "$JDOE"
contains "with the suggestion" "$(jq -r '.ephemerals[0].post.props.attachments[0].text' <<<"$s")" "did you mean /status?"
ctl post "{\"message\":\"just chatting\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" >/dev/null
ctl raw 'not json at all' >/dev/null
sleep 0.7
equals "chatter, the bot's own posts and bad frames ignored" "$(state | jq "$answers | length")" 3

# --- slash commands over the bot's HTTP listener --------------------------------
BOTPORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$T/bot.err" | head -1)
equals "healthz answers" "$(curl -s "http://127.0.0.1:$BOTPORT/healthz")" "ok"
# The listener answers one request per connection, whatever is piped in.
raw_http() { # bytes to send; prints what came back (bounded)
  exec 5<>"/dev/tcp/127.0.0.1/$BOTPORT"
  printf "$1" >&5
  timeout 3 cat <&5
  exec 5<&-
}
out=$(raw_http 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nPOST /mattermost/command HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde')
n=$(grep -c '^HTTP/1.1 ' <<<"$out")
if [ "$n" -le 1 ]; then ok "pipelined requests: at most one answer, then the connection closes"; else bad "pipelined requests answered once" "$n answers"; fi
out=$(raw_http 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n')
contains "GET with Content-Length: 0 answered" "$out" "HTTP/1.1 200"
out=$(raw_http 'PUT /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n')
contains "other methods refused" "$out" "HTTP/1.1 405"
out=$(raw_http 'POST /mattermost/command HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n')
contains "oversized body refused before it is read" "$out" "HTTP/1.1 413"
out=$(raw_http 'GET /nope HTTP/1.1\r\nHost: x\r\n\r\n')
contains "unknown path" "$out" "HTTP/1.1 404"
equals "listener still healthy" "$(curl -s "http://127.0.0.1:$BOTPORT/healthz")" "ok"
r=$(ctl slash "{\"url\":\"http://127.0.0.1:$BOTPORT/mattermost/command\",\"token\":\"cmdtok\",\"command\":\"/opsbot\",\"text\":\"whoami\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}")
wait_for '(.responses | length) >= 1' || true
s=$(state)
equals "slash command taken (HTTP 200)" "$(jq -r '.slash_results[0].status' <<<"$s")" 200
contains "slash answer on the response URL" "$(jq -r '.responses[0].body.attachments[0].text' <<<"$s")" "platform: mattermost"
equals "slash answer in the channel" "$(jq -r '.responses[0].body.response_type' <<<"$s")" "in_channel"
ctl slash "{\"url\":\"http://127.0.0.1:$BOTPORT/mattermost/command\",\"token\":\"wrong\",\"command\":\"/opsbot\",\"text\":\"whoami\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" >/dev/null
sleep 0.3
equals "a wrong command token is refused (401)" "$(state | jq -r '.slash_results[1].status')" 401
equals "and runs nothing" "$(state | jq '.responses | length')" 1
ctl slash "{\"url\":\"http://127.0.0.1:$BOTPORT/mattermost/command\",\"token\":\"cmdtok\",\"command\":\"/health\",\"text\":\"nowhere\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" >/dev/null
wait_for '(.responses | length) >= 2' || true
s=$(state)
contains "a command's own slash works" "$(jq -r '.responses[1].body.attachments[0].text' <<<"$s")" "unknown host or group nowhere"
contains "its first answer says it is working" "$(jq -r '.slash_results[2].body' <<<"$s")" "working on it"

# --- a dropped socket: resumed, the missed post replayed -----------------------
ctl drop >/dev/null
sleep 0.2
ctl post "{\"message\":\"@opsbot whoami\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" >/dev/null
if wait_for "($answers | length) >= 4"; then ok "post made while disconnected is answered"; else bad "post made while disconnected is answered" "$(tail -3 "$T/bot.err")"; fi
s=$(state)
if [ "$(jq .resumes <<<"$s")" -ge 1 ]; then ok "reconnect resumed the connection"; else bad "reconnect resumed" "resumes=$(jq .resumes <<<"$s")"; fi
if [ "$(jq .replayed <<<"$s")" -ge 1 ]; then ok "missed events were replayed"; else bad "missed events replayed" "replayed=$(jq .replayed <<<"$s")"; fi

# --- 429 on posts -----------------------------------------------------------------
ctl ratelimit '{"method":"POST /api/v4/posts","count":1,"retry_after":1}' >/dev/null
t0=$(date +%s%N)
ctl post "{\"message\":\"!whoami\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" >/dev/null
if wait_for "($answers | length) >= 5"; then
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  if [ "$ms" -ge 900 ]; then ok "429 honoured ($ms ms)"; else bad "429 honoured" "after $ms ms"; fi
else
  bad "delivered after a 429" "no post"
fi

kill -TERM "$bot_pid"; wait "$bot_pid"; rc=$?; bot_pid=
equals "SIGTERM stops the Mattermost bot cleanly" "$rc" 0
equals "audited as mattermost" "$(sqlite3 "$T/data/opsbot.db" "SELECT DISTINCT platform || '/' || user FROM audit")" "mattermost/$JDOE"

out=$(MATTERMOST_TOKEN=wrong "$BOT" --config "$T/opsbot.json" </dev/null 2>&1); rc=$?
equals "refused token exits 3" "$rc" 3
contains "refused token explained" "$out" "mattermost: the token was refused (users/me: HTTP 401)"

assert_done
