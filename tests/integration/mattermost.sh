#!/usr/bin/env bash
# Integration: the real opsbot against the fake Mattermost (tests/fakes/
# fake-mattermost.c): mention, prefix and DM answered through POST
# /api/v4/posts in the right channel and thread; the bot's own posts and
# plain chatter ignored; a dropped socket resumed with connection_id and
# sequence_number and the missed post replayed and answered; 429 honoured;
# a refused token stops the start; malformed frames ignored; a Confirm
# button on an unconfirmed /restart clicked by a viewer (refused) and an
# admin (runs), a forged button token refused (401), bad clicks 400, the
# button secret kept across a restart; slash command registration (create,
# reuse, fix the url; its token replaces command_token; 403 explained).
# Parity with Slack: button ids the click route takes (no dead buttons);
# a token per slash command, help naming /opsbot status, /opsbot alone is
# help; refusals heard without create_post_ephemeral (thread, DM); a
# refused registration (another user's trigger) not fatal, in /status;
# route and schedule channels by name, membership checked, a later 403
# named; pending_post_id against double posts; Mattermost's own pacing;
# mentions in any case with punctuation; backoff reset after a resume.
# usage: mattermost.sh OPSBOT FAKE_MATTERMOST
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-mm "$@"
# The version the answers name (packaging/version ties it to CMakeLists.txt).
VERSION=$("$BOT" --version | sed -nE '1s/^opsbot ([^ ]+).*/\1/p')
WAIT_FOR_S=10 # wait_for's bound

start_fake "$FAKE" --token tok-bot
# The fake records what was posted through the REST API: the bot's answers.
answers='.posts'

JDOE=user0jdoe00000000000000000
VIC=user0vic000000000000000000
TEAM=teamacme000000000000000000
OPS=chanopsprod000000000000000
cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "debug" },
  "chat": { "outbox": { "rate": 20, "burst": 20 },
            "mattermost": { "command_token": "cmdtok",
                            "commands": [ { "trigger": "health", "token": "healthtok" } ] } },
  "alerts": { "listen": "127.0.0.1:0", "checks": { "enabled": false },
              "route": { "channels": ["mattermost:~ops-prod"], "group_wait": "1s",
                         "group_interval": "1s" } },
  "users": [ { "name": "jdoe", "platform": "mattermost", "id": "$JDOE", "roles": ["admin"] },
             { "name": "vic", "platform": "mattermost", "id": "$VIC", "roles": ["viewer"] } ],
  "hosts": [ { "name": "localhost", "transport": "local", "mounts": [ { "path": "/" } ],
               "services": [ { "name": "ghost", "process": "obghost", "restart": "true" } ] } ] }
JSON
export MATTERMOST_URL="http://127.0.0.1:$PORT" MATTERMOST_TOKEN=tok-bot
"$BOT" --config "$T/opsbot.json" </dev/null >"$T/bot.out" 2>"$T/bot.err" &
bot_pid=$!
if wait_for '.connections_open >= 1'; then ok "bot connects to the websocket"; else bad "bot connects" "$(tail -5 "$T/bot.err")"; fi
equals "authenticated on the upgrade header" "$(state | jq .auth_header)" 1

# --- mention, prefix, DM -------------------------------------------------------
pid=$(ctl post "{\"message\":\"@opsbot status\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" | jq -r .post_id)
wait_for "($answers | length) >= 1" || true
s=$(state)
equals "mention answered in its channel" "$(jq -r "$answers[0].channel_id" <<<"$s")" "$OPS"
equals "mention answered in its thread" "$(jq -r "$answers[0].root_id" <<<"$s")" "$pid"
contains "mention ran the command" "$(jq -r "$answers[0].props.attachments[0].text" <<<"$s")" "opsbot $VERSION"
ctl post "{\"message\":\"!status\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" >/dev/null
wait_for "($answers | length) >= 2" || true
contains "prefix command answered" "$(state | jq -r "$answers[1].props.attachments[0].text")" "opsbot $VERSION"
ctl post "{\"message\":\"status\",\"user_id\":\"$JDOE\",\"channel_id\":\"dmjdoe000000000000000000000\",\"channel_type\":\"D\"}" >/dev/null
wait_for "($answers | length) >= 3" || true
s=$(state)
equals "DM answered in the DM" "$(jq -r "$answers[2].channel_id" <<<"$s")" "dmjdoe000000000000000000000"
equals "DM answered without a thread" "$(jq -r "$answers[2].root_id // \"\"" <<<"$s")" ""
ctl post "{\"message\":\"!stauts\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" >/dev/null
wait_for '(.ephemerals | length) >= 1' || true
s=$(state)
equals "a refused command is ephemeral, to its user" "$(jq -r '.ephemerals[0].user_id' <<<"$s")" "$JDOE"
# /status is Mattermost's own: the bot names the trigger that reaches it.
contains "with the suggestion, as typed on Mattermost" "$(jq -r '.ephemerals[0].post.props.attachments[0].text' <<<"$s")" "did you mean /opsbot status?"
ctl post "{\"message\":\"just chatting\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" >/dev/null
ctl raw 'not json at all' >/dev/null
sleep 0.7
equals "chatter, the bot's own posts and bad frames ignored" "$(state | jq "$answers | length")" 3

# --- slash commands over the bot's HTTP listener --------------------------------
BOTPORT=$(bot_port "$T/bot.err")
equals "healthz answers" "$(curl -s "http://127.0.0.1:$BOTPORT/healthz")" "ok"
contains "metrics: the Mattermost link is up" "$(curl -s "http://127.0.0.1:$BOTPORT/metrics")" 'opsbot_chat_link_up{platform="mattermost"} 1'
equals "readyz: ready with Mattermost connected" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$BOTPORT/readyz")" 200
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

r=$(ctl slash "{\"url\":\"http://127.0.0.1:$BOTPORT/mattermost/command\",\"token\":\"cmdtok\",\"command\":\"/opsbot\",\"text\":\"status\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}")
wait_for '(.responses | length) >= 1' || true
s=$(state)
equals "slash command taken (HTTP 200)" "$(jq -r '.slash_results[0].status' <<<"$s")" 200
contains "a reading command's answer is the HTTP answer" "$(jq -r '.slash_results[0].body.attachments[0].text' <<<"$s")" "opsbot $VERSION"
equals "shown as its answer" "$(jq -r '.responses[0].via' <<<"$s")" "slash"
equals "slash answer in the channel" "$(jq -r '.responses[0].body.response_type' <<<"$s")" "in_channel"
lacks "the fallback address never reaches the response URL" "$(jq -c '.responses[0].body' <<<"$s")" "opsbot_fallback"
ctl slash "{\"url\":\"http://127.0.0.1:$BOTPORT/mattermost/command\",\"token\":\"wrong\",\"command\":\"/opsbot\",\"text\":\"whoami\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" >/dev/null
sleep 0.3
equals "a wrong command token is refused (401)" "$(state | jq -r '.slash_results[1].status')" 401
equals "and runs nothing" "$(state | jq '.responses | length')" 1
# The slash token then a percent-encoded NUL is not the token either.
equals "the command token then %00 is refused (401)" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$BOTPORT/mattermost/command" --data-raw "token=cmdtok%00junk&command=%2Fopsbot&text=whoami&user_id=$JDOE&channel_id=$OPS&response_url=http%3A%2F%2F127.0.0.1%3A$PORT%2Fhooks%2Fnul")" 401
equals "the command token then a bare %00 is refused (401)" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$BOTPORT/mattermost/command" --data-raw "token=cmdtok%00&command=%2Fopsbot&text=whoami&user_id=$JDOE&channel_id=$OPS&response_url=http%3A%2F%2F127.0.0.1%3A$PORT%2Fhooks%2Fnul")" 401
ctl slash "{\"url\":\"http://127.0.0.1:$BOTPORT/mattermost/command\",\"token\":\"healthtok\",\"command\":\"/health\",\"text\":\"nowhere\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" >/dev/null
RESPONSES_VIA=response_url wait_for '(.responses | length) >= 1' || true
s=$(state)
contains "a command's own slash works with its own token" "$(jq -r '[.responses[] | select(.via == "response_url")][0].body.attachments[0].text' <<<"$s")" "unknown host or group nowhere"
contains "its first answer says it is working" "$(jq -r '.slash_results[2].body.text' <<<"$s")" "working on it"
r=$(ctl slash "{\"url\":\"http://127.0.0.1:$BOTPORT/mattermost/command\",\"token\":\"cmdtok\",\"command\":\"/health\",\"text\":\"nowhere\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}")
equals "/health refuses /opsbot's token (each command has its own)" "$(jq -r .status <<<"$r")" 401
ctl slash "{\"url\":\"http://127.0.0.1:$BOTPORT/mattermost/command\",\"token\":\"cmdtok\",\"command\":\"/opsbot\",\"text\":\"\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" >/dev/null
RESPONSES_VIA=slash wait_for '(.responses | length) >= 3' || true
help=$(RESPONSES_VIA=slash state | jq -r '.responses[2].body.attachments[0].text')
contains "/opsbot alone answers with help" "$help" "commands (/opsbot help COMMAND for details)"
contains "naming /opsbot status (/status is Mattermost's own)" "$help" "/opsbot status"
contains "and /health, which has its own slash command" "$help" "  /health "
lacks "never a bare /status" "$help" " /status"

# --- a dropped socket: resumed, the missed post replayed -----------------------
ctl drop >/dev/null
sleep 0.2
ctl post "{\"message\":\"@opsbot status\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" >/dev/null
if wait_for "($answers | length) >= 4"; then ok "post made while disconnected is answered"; else bad "post made while disconnected is answered" "$(tail -3 "$T/bot.err")"; fi
s=$(state)
if [ "$(jq .resumes <<<"$s")" -ge 1 ]; then ok "reconnect resumed the connection"; else bad "reconnect resumed" "resumes=$(jq .resumes <<<"$s")"; fi
if [ "$(jq .replayed <<<"$s")" -ge 1 ]; then ok "missed events were replayed"; else bad "missed events replayed" "replayed=$(jq .replayed <<<"$s")"; fi

# --- 429 on posts -----------------------------------------------------------------
ctl ratelimit '{"method":"POST /api/v4/posts","count":1,"retry_after":1}' >/dev/null
t0=$(date +%s%N)
ctl post "{\"message\":\"!status\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" >/dev/null
if wait_for "($answers | length) >= 5"; then
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  if [ "$ms" -ge 900 ]; then ok "429 honoured ($ms ms)"; else bad "429 honoured" "after $ms ms"; fi
else
  bad "delivered after a 429" "no post"
fi

# A response URL that is gone (expired, used up: 400 from the server): the
# answer is posted in the channel instead, privately if it was private.
# Host commands: they answer on the response URL (a reading one in the
# HTTP answer).
gone="http://127.0.0.1:$PORT/hooks/commands/hook0000000000000000009999"
ctl slash "{\"url\":\"http://127.0.0.1:$BOTPORT/mattermost/command\",\"token\":\"cmdtok\",\"command\":\"/opsbot\",\"text\":\"health localhost\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\",\"response_url\":\"$gone\"}" >/dev/null
if wait_for "[.posts[] | select(.channel_id == \"$OPS\") | select(.props.attachments[0].text | tostring | test(\"localhost: \"))] | length >= 1"; then ok "a gone response URL: the answer is posted in the channel"; else bad "gone response URL answered in the channel" "$(tail -3 "$T/bot.err")"; fi
ctl slash "{\"url\":\"http://127.0.0.1:$BOTPORT/mattermost/command\",\"token\":\"cmdtok\",\"command\":\"/opsbot\",\"text\":\"health nowhere\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\",\"response_url\":\"$gone\"}" >/dev/null
if wait_for "[.ephemerals[] | select(.user_id == \"$JDOE\") | select(.post.props.attachments[0].text | tostring | test(\"unknown host or group nowhere\"))] | length >= 1"; then ok "and a private answer stays private (posts/ephemeral)"; else bad "gone response URL, private answer" "$(state | jq -c '.ephemerals')"; fi

# --- a create whose answer is lost: the retry does not post twice ---------------
ctl reset >/dev/null
ctl lose '{"count":1}' >/dev/null
pid=$(ctl post "{\"message\":\"!status\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" | jq -r .post_id)
if wait_for '.deduped >= 1'; then ok "a create whose answer was lost is retried"; else bad "retried after a lost answer" "$(state | jq -c '{deduped, posts: [.posts[] | .pending_post_id]}')"; fi
s=$(state)
equals "and posted once (pending_post_id)" "$(jq "[.posts[] | select(.root_id == \"$pid\")] | length" <<<"$s")" 1
if [[ "$(jq -r "[.posts[] | select(.root_id == \"$pid\")][0].pending_post_id" <<<"$s")" =~ ^botuserid00000000000000000:opsbot[0-9]+$ ]]; then ok "the pending id comes from the outbox row"; else bad "pending id from the row" "$(jq -c '.posts' <<<"$s")"; fi

# --- buttons: Confirm on an unconfirmed /restart, clicked ------------------------
# A host command: its answers under test are on response URLs.
RESPONSES_VIA=response_url
db="$T/data/opsbot.db"
ctl reset >/dev/null
ctl slash "{\"url\":\"http://127.0.0.1:$BOTPORT/mattermost/command\",\"token\":\"cmdtok\",\"command\":\"/opsbot\",\"text\":\"restart localhost ghost\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" >/dev/null
wait_for '(.responses | length) >= 1' || true
s=$(state)
contains "unconfirmed /restart asks for --confirm" "$(jq -r '.responses[0].body.attachments[0].text' <<<"$s")" "repeat it with --confirm"
contains "and says exactly what it would do" "$(jq -r '.responses[0].body.attachments[0].text' <<<"$s")" "Confirm runs: true on localhost"
btn=$(jq -c '.responses[0].body.attachments[0].actions[0]' <<<"$s")
equals "it carries a Confirm button" "$(jq -r '.name + " " + .type + " " + .style' <<<"$btn")" "Confirm button danger"
equals "pointing at the bot's listener" "$(jq -r '.integration.url' <<<"$btn")" "http://127.0.0.1:$BOTPORT/mattermost/action"
confirm=$(jq -r '.integration.context.command' <<<"$btn")
contains "its context holds a single-use token" "$confirm" "confirm:"
secret=$(jq -r '.integration.context.token' <<<"$btn")
if [[ "$secret" =~ ^[0-9a-f]{64}$ ]]; then ok "and a 32-byte hex secret"; else bad "and a 32-byte hex secret" "got $secret"; fi
equals "the secret is kept in the data dir, mode 0600" "$(stat -c '%a %s' "$T/data/mattermost-actions.key")" "600 65"
equals "and is that file's content" "$(cat "$T/data/mattermost-actions.key")" "$secret"
lacks "the secret never reaches the log" "$(cat "$T/bot.err")" "$secret"
# A viewer clicks: taken (200), refused by RBAC, ephemerally to the clicker.
r=$(ctl click "{\"user_id\":\"$VIC\",\"user_name\":\"vic\"}")
equals "a click is answered 200" "$(jq -r .status <<<"$r")" 200
equals "with an ephemeral_text" "$(jq -r .body.ephemeral_text <<<"$r")" "confirming: the command runs now"
equals "sent as Mattermost does (JSON, context as stored)" "$(jq -r '.request.context.token == "'"$secret"'" and .request.type == "button"' <<<"$r")" true
wait_for '(.ephemerals | length) >= 1' || true
s=$(state)
equals "a viewer's click is refused to the viewer" "$(jq -r '.ephemerals[0].user_id' <<<"$s")" "$VIC"
contains "by RBAC" "$(jq -r '.ephemerals[0].post.props.attachments[0].text' <<<"$s")" "/opsbot restart needs role"
# An admin clicks: the confirmed command runs. The prompt was a slash
# command's response (no post id in the click), so the answer is a post.
r=$(ctl click '{}')
equals "an admin's click is answered 200" "$(jq -r .status <<<"$r")" 200
wait_for '([.posts[] | select(.props.attachments[0].text | test("restart"))] | length) >= 1' || true
s=$(state)
p=$(jq -c '[.posts[] | select(.props.attachments[0].text | test("restart"))][0]' <<<"$s")
equals "the command's answer is a channel post" "$(jq -r '.channel_id' <<<"$p")" "$OPS"
contains "naming who confirmed it" "$(jq -r '.props.attachments[0] | tostring' <<<"$p")" "Confirmed by @jdoe at "
equals "both clicks audited as the clickers' confirmed command" \
  "$(sqlite3 "$db" "SELECT user || ' ' || outcome || ' ' || via FROM audit WHERE command = 'restart localhost ghost --confirm' ORDER BY id")" \
  "$VIC denied click
$JDOE error click"
# The same button again: nothing runs, the clicker is told who did it.
r=$(ctl click "{\"context\":{\"command\":\"$confirm\",\"token\":\"$secret\"},\"user_id\":\"$VIC\",\"user_name\":\"vic\"}")
wait_for '([.ephemerals[] | select(.post.props.attachments[0].text | test("already done"))] | length) >= 1' || true
contains "a second click is told who did it" "$(state | jq -r '[.ephemerals[] | select(.post.props.attachments[0].text | test("already done"))][0].post.props.attachments[0].text')" "already done by @jdoe at "
equals "and runs nothing" "$(sqlite3 "$db" "SELECT count(*) FROM audit WHERE command = 'restart localhost ghost --confirm'")" 2
# Forged and malformed clicks.
n=$(sqlite3 "$db" "SELECT count(*) FROM audit")
r=$(ctl click '{"context":{"command":"restart localhost ghost --confirm","token":"forged"}}')
equals "a forged button token is refused (401)" "$(jq -r .status <<<"$r")" 401
equals "with a way out" "$(jq -r .body.ephemeral_text <<<"$r")" "this button expired; run the command instead: restart localhost ghost --confirm"
r=$(ctl click '{"context":{"command":"restart localhost ghost --confirm"}}')
equals "a click without a token is refused (400)" "$(jq -r .status <<<"$r")" 400
act="http://127.0.0.1:$BOTPORT/mattermost/action"
equals "a body that is not JSON gets 400" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$act" -H 'Content-Type: application/json' -d 'not json')" 400
contains "with a reason" "$(curl -s -X POST "$act" -H 'Content-Type: application/json' -d '{"user_id":"x"}')" "no context.command and context.token"
# A token then a NUL is not the token (cJSON would end the string there).
equals "the button token then an escaped NUL is refused (400)" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$act" -d "{\"context\":{\"command\":\"whoami\",\"token\":\"$secret\\u0000junk\"},\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}")" 400
equals "a good token without user_id/channel_id gets 400" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$act" -d "{\"context\":{\"command\":\"whoami\",\"token\":\"$secret\"}}")" 400
sleep 0.3
equals "no refused click ran anything" "$(sqlite3 "$db" "SELECT count(*) FROM audit")" "$n"
# A mention's refusal is an ephemeral post with the button too.
ctl reset >/dev/null
ctl post "{\"message\":\"!restart localhost ghost\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" >/dev/null
wait_for '([.posts[] | select(.props.attachments[0].actions[0] != null)] | length) >= 1' || true
prompt=$(state | jq -c '[.posts[] | select(.props.attachments[0].actions[0] != null)][0]')
contains "a mention's prompt has the button" "$(jq -r '.props.attachments[0].actions[0].integration.context.command' <<<"$prompt")" "confirm:"
# A click on that post: the answer takes the prompt's place (a patch).
r=$(ctl click "{\"post_id\":\"$(jq -r .id <<<"$prompt")\"}")
wait_for '([.patches[] | select(.props.attachments[0].text | test("restart"))] | length) >= 1' || true
p=$(state | jq -c '[.patches[] | select(.props.attachments[0].text | test("restart"))][0]')
equals "the answer patches the clicked prompt" "$(jq -r .id <<<"$p")" "$(jq -r .id <<<"$prompt")"
contains "naming who confirmed it" "$(jq -r '.props.attachments[0] | tostring' <<<"$p")" "Confirmed by @jdoe at "
equals "without the button" "$(jq -r '.props.attachments[0].actions // [] | length' <<<"$p")" 0
ctl reset >/dev/null
# --- no create_post_ephemeral (bot accounts often lack it): still heard ----------
ctl permissions '{"create_post_ephemeral":false}' >/dev/null
pid=$(ctl post "{\"message\":\"!stauts\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" | jq -r .post_id)
if wait_for "[.posts[] | select(.root_id == \"$pid\")] | length >= 1"; then ok "a refused ephemeral refusal goes to the thread instead"; else bad "refusal in the thread" "$(state | jq -c '.posts')"; fi
contains "with its text" "$(state | jq -r "[.posts[] | select(.root_id == \"$pid\")][0].props.attachments[0].text")" "did you mean /opsbot status?"
pid=$(ctl post "{\"message\":\"!restart localhost ghost\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" | jq -r .post_id)
wait_for "[.posts[] | select(.root_id == \"$pid\")] | length >= 1" || true
contains "a confirmation prompt too, with its button" "$(state | jq -r "[.posts[] | select(.root_id == \"$pid\")][0].props.attachments[0].actions[0].integration.context.command")" "confirm:"
r=$(ctl click "{\"user_id\":\"$VIC\",\"user_name\":\"vic\"}")
if wait_for '[.posts[] | select(.channel_id | startswith("dm"))] | length >= 1'; then ok "a click's refusal (no thread) goes to a direct message"; else bad "click refusal by DM" "$(state | jq -c '.posts')"; fi
s=$(state)
equals "to the clicker" "$(jq -r '[.posts[] | select(.channel_id | startswith("dm"))][0].channel_id' <<<"$s")" "dmuser0vic0000000000000000"
contains "saying why" "$(jq -r '[.posts[] | select(.channel_id | startswith("dm"))][0].props.attachments[0].text' <<<"$s")" "/opsbot restart needs role"
equals "nothing reached posts/ephemeral" "$(jq '.ephemerals | length' <<<"$s")" 0
equals "the log says so once" "$(grep -c 'posts/ephemeral was refused.*create_post_ephemeral' "$T/bot.err")" 1
ctl reset >/dev/null
# --- alerts: a post with buttons, a click, a patch in place, a thread note -------
curl -s -X POST "http://127.0.0.1:$BOTPORT/hooks/generic" -d '{"name":"QueueStuck","host":"mq-01","severity":"critical","summary":"12000 messages waiting"}' >/dev/null
if wait_for '[.posts[] | select(.message // "" | test("FIRING:1"))] | length >= 1'; then ok "alert posted to the channel"; else bad "alert posted" "$(state | jq -c '.posts | map(.message)')"; fi
apost=$(state | jq -c '[.posts[] | select(.message // "" | test("FIRING:1"))][0]')
equals "in the routed channel (~ops-prod, resolved to its id)" "$(jq -r .channel_id <<<"$apost")" "$OPS"
contains "coloured critical" "$(jq -c .props.attachments[0] <<<"$apost")" '"color":"#'
contains "with an Acknowledge button" "$(jq -c .props.attachments[0].actions <<<"$apost")" '"command":"ack 1"'
apid=$(jq -r .id <<<"$apost")
equals "alert buttons have ids the click route takes" "$(jq -r '[.props.attachments[0].actions[].id] | join(" ")' <<<"$apost")" "alertack alertsilence"
r=$(ctl click "{\"post_id\":\"$apid\",\"action_id\":\"alertack\",\"user_id\":\"$JDOE\",\"user_name\":\"jdoe\"}")
equals "the click is taken" "$(jq -r .status <<<"$r")" 200
if wait_for "[.patches[] | select(.id == \"$apid\") | select(.props | tostring | test(\"acknowledged by @jdoe\"))] | length >= 1"; then ok "the post is patched in place to show the ack"; else bad "patched with the ack" "$(state | jq -c .patches)"; fi
curl -s -X POST "http://127.0.0.1:$BOTPORT/hooks/generic" -d '{"name":"QueueStuck","host":"mq-01","status":"resolved"}' >/dev/null
if wait_for "[.patches[] | select(.id == \"$apid\") | select(.props | tostring | test(\"RESOLVED\"))] | length >= 1"; then ok "resolution patches it again"; else bad "patched resolved" "$(state | jq -c .patches)"; fi
if wait_for "[.posts[] | select(.root_id == \"$apid\") | select(.props | tostring | test(\"Resolved\"))] | length >= 1"; then ok "and notes it in the thread"; else bad "thread note" "$(state | jq -c '.posts | map({root_id, message})')"; fi

# Every button the bot posted in this run (Confirm on responses, ephemerals
# and posts; the alert's), as the click route sees it.
equals "no button the bot posted is unreachable by a click" "$(state | jq -c .dead_buttons)" "[]"

kill -TERM "$bot_pid"; wait "$bot_pid"; rc=$?; bot_pid=
equals "SIGTERM stops the Mattermost bot cleanly" "$rc" 0
equals "audited as mattermost" "$(sqlite3 "$T/data/opsbot.db" "SELECT DISTINCT platform || '/' || user FROM audit ORDER BY 1")" "mattermost/$JDOE
mattermost/$VIC"

out=$(MATTERMOST_TOKEN=wrong "$BOT" --config "$T/opsbot.json" </dev/null 2>&1); rc=$?
equals "refused token exits 3" "$rc" 3
contains "refused token explained" "$out" "mattermost: the token was refused (users/me: HTTP 401)"

# --- the button secret survives a restart ---------------------------------------
start_bot() { # config, log file
  "$BOT" --config "$1" </dev/null >/dev/null 2>"$2" &
  bot_pid=$!
  for _ in $(seq 200); do grep -qs 'listening on' "$2" && break; sleep 0.05; done
  BOTPORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$2" | head -1)
  wait_for '.connections_open >= 1' || true
}
stop_bot() { kill -TERM "$bot_pid"; wait "$bot_pid"; bot_pid=; }
start_bot "$T/opsbot.json" "$T/bot2.err"
r=$(ctl click "{\"url\":\"http://127.0.0.1:$BOTPORT/mattermost/action\"}")
equals "a button posted before a restart still works" "$(jq -r .status <<<"$r")" 200
stop_bot

# --- slash command registration ------------------------------------------------
reg_cfg() { # register_url [team] -> $T/reg.json
  jq --arg u "$1" --arg t "${2:-$TEAM}" '.chat.mattermost.register_team_id = $t | .chat.mattermost.register_url = $u' "$T/opsbot.json" >"$T/reg.json"
}
calls() { state | jq -r --arg k "$1" '.api_calls[$k] // 0'; }
ctl reset >/dev/null
reg_cfg "http://127.0.0.1:9/mattermost/command"
start_bot "$T/reg.json" "$T/reg.err"
s=$(state)
equals "the bot registers its slash command" "$(jq -r '.commands_registered[] | select(.trigger == "opsbot") | .url + " " + .method + " " + (.auto_complete | tostring)' <<<"$s")" "http://127.0.0.1:9/mattermost/command P true"
equals "and /health, after looking for them first" "$(calls 'GET /api/v4/commands')/$(calls 'POST /api/v4/commands')" "1/2"
equals "/health calls the same url" "$(jq -r '.commands_registered[] | select(.trigger == "health") | .url' <<<"$s")" "http://127.0.0.1:9/mattermost/command"
htok=$(jq -r '.commands_registered[] | select(.trigger == "health") | .token' <<<"$s")
regtok=$(jq -r '.commands_registered[] | select(.trigger == "opsbot") | .token' <<<"$s")
r=$(ctl slash "{\"url\":\"http://127.0.0.1:$BOTPORT/mattermost/command\",\"command\":\"/opsbot\",\"text\":\"whoami\"}")
equals "a slash command with the registered token works" "$(jq -r .token <<<"$r")/$(jq -r .status <<<"$r")" "$regtok/200"
r=$(ctl slash "{\"url\":\"http://127.0.0.1:$BOTPORT/mattermost/command\",\"token\":\"cmdtok\",\"command\":\"/opsbot\",\"text\":\"whoami\"}")
equals "the configured command_token no longer does" "$(jq -r .status <<<"$r")" 401
r=$(ctl slash "{\"url\":\"http://127.0.0.1:$BOTPORT/mattermost/command\",\"command\":\"/health\",\"text\":\"nowhere\"}")
equals "/health with its own registered token works" "$(jq -r .token <<<"$r")/$(jq -r .status <<<"$r")" "$htok/200"
lacks "the registered token never reaches the log" "$(cat "$T/reg.err")" "$regtok"
stop_bot
ctl reset >/dev/null
start_bot "$T/reg.json" "$T/reg2.err"
equals "a restart reuses the registered command" "$(calls 'GET /api/v4/commands')/$(calls 'POST /api/v4/commands')/$(calls 'PUT /api/v4/commands/{id}')" "1/0/0"
stop_bot
ctl reset >/dev/null
reg_cfg "http://127.0.0.1:10/mattermost/command"
start_bot "$T/reg.json" "$T/reg3.err"
s=$(state)
equals "another register_url: the commands' urls are fixed in place" "$(calls 'POST /api/v4/commands')/$(calls 'PUT /api/v4/commands/{id}')" "0/2"
equals "now calling the new url, same token" "$(jq -r '[.commands_registered[] | select(.trigger == "opsbot")] | length as $n | .[0] | "\($n) \(.url) \(.token)"' <<<"$s")" "1 http://127.0.0.1:10/mattermost/command $regtok"
stop_bot
# A refused registration is not fatal: the rest of the bot runs, /status says why.
status_text() { # mention "!status", print the answer's text
  local p n
  n=$(state | jq '.posts | length')
  p=$(ctl post "{\"message\":\"!status\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" | jq -r .post_id)
  wait_for "[.posts[] | select(.root_id == \"$p\")] | length >= 1" || true
  state | jq -r "[.posts[] | select(.root_id == \"$p\")][0].props.attachments[0].text"
}
ctl reset >/dev/null
reg_cfg "http://127.0.0.1:10/mattermost/command" "teamother00000000000000000"
start_bot "$T/reg.json" "$T/reg4.err"
if kill -0 "$bot_pid" 2>/dev/null; then ok "a registration refused by Mattermost does not stop the bot"; else bad "refused registration is not fatal" "$(tail -3 "$T/reg4.err")"; fi
contains "the log names the permission" "$(cat "$T/reg4.err")" "the bot account needs the permission manage_own_slash_commands"
st=$(status_text)
contains "mentions still answered; /status shows the cause" "$st" "slash commands: mattermost: cannot list the team's slash commands"
stop_bot
# Another user's command already has a trigger: 400 duplicate_trigger at create.
ctl reset >/dev/null
ctl command '{"trigger":"jobs","creator_id":"user0jdoe00000000000000000"}' >/dev/null
reg_cfg "http://127.0.0.1:10/mattermost/command"
jq '.chat.mattermost.commands += [{"trigger": "jobs"}]' "$T/reg.json" >"$T/reg5.json"
start_bot "$T/reg5.json" "$T/reg5.err"
if kill -0 "$bot_pid" 2>/dev/null; then ok "another owner's /jobs does not stop the bot"; else bad "conflict is not fatal" "$(tail -3 "$T/reg5.err")"; fi
contains "the log says the trigger is someone else's" "$(cat "$T/reg5.err")" "cannot create the slash command /jobs in team $TEAM (HTTP 400"
lacks "and does not blame a permission" "$(grep '/jobs' "$T/reg5.err")" "needs the permission"
st=$(status_text)
contains "/status shows it" "$st" "slash commands: mattermost: cannot create the slash command /jobs"
r=$(ctl slash "{\"url\":\"http://127.0.0.1:$BOTPORT/mattermost/command\",\"command\":\"/health\",\"text\":\"nowhere\"}")
equals "the other slash commands still work" "$(jq -r .status <<<"$r")" 200
stop_bot

# --- channels named in routes: resolved at start, membership checked ----------
chan_cfg() { jq --arg c "$1" '.alerts.route.channels = [$c]' "$T/opsbot.json" >"$T/chan.json"; }
chan_cfg "mattermost:~nope"
out=$(timeout 20 "$BOT" --config "$T/chan.json" </dev/null 2>&1); rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; then ok "an unknown channel stops the start (exit $rc)"; else bad "unknown channel stops the start" "exit $rc"; fi
contains "naming the route and the channel" "$out" "mattermost: alerts.route.channels: ~nope: unknown channel ~nope"
chan_cfg "mattermost:acme/~ops-quiet"
out=$(timeout 20 "$BOT" --config "$T/chan.json" </dev/null 2>&1); rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; then ok "a channel without the bot stops the start (exit $rc)"; else bad "non-member channel stops the start" "exit $rc"; fi
contains "saying the bot is not in it" "$out" "acme/~ops-quiet: the bot is not a member of ~ops-quiet"
jq '.schedules = [{"name": "sod", "cron": "0 8 * * *", "run": "status", "channel": "mattermost:~gone"}]' "$T/opsbot.json" >"$T/sched.json"
out=$(timeout 20 "$BOT" --config "$T/sched.json" </dev/null 2>&1); rc=$?
contains "a schedule's channel is resolved too" "$out" "mattermost: schedules[0].channel: ~gone: unknown channel ~gone"
chan_cfg "mattermost:~ops-alerts"
ctl reset >/dev/null
start_bot "$T/chan.json" "$T/chan.err"
ctl membership '{"channel":"ops-alerts","member":false}' >/dev/null
curl -s -X POST "http://127.0.0.1:$BOTPORT/hooks/generic" -d '{"name":"DiskFull","host":"db-01","severity":"critical"}' >/dev/null
for _ in $(seq 200); do grep -q 'not a member of ~ops-alerts' "$T/chan.err" && break; sleep 0.05; done
contains "a 403 later names the channel" "$(grep 'refused for good' "$T/chan.err")" "the bot is not a member of ~ops-alerts (HTTP 403"
ctl membership '{"channel":"ops-alerts","member":true}' >/dev/null
stop_bot

# --- pacing fits Mattermost: replies in a row do not wait a second each ---------
jq 'del(.chat.outbox)' "$T/opsbot.json" >"$T/pace.json"
ctl reset >/dev/null
start_bot "$T/pace.json" "$T/pace.err"
t0=$(date +%s%N)
for i in 1 2 3 4 5 6; do
  ctl post "{\"message\":\"@opsbot status\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" >/dev/null
done
if wait_for '(.posts | length) >= 6'; then
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  # Slack's pacing (burst 3, then 1/s) needs 3 s for these.
  if [ "$ms" -lt 2500 ]; then ok "6 replies in one channel in $ms ms (default pacing)"; else bad "replies not paced like Slack" "$ms ms"; fi
else
  bad "6 replies arrive" "$(state | jq '.posts | length')"
fi
# Mentions as Mattermost matches them: any case, trailing punctuation.
for m in "@OpsBot, status" "@opsbot: status" "@OPSBOT! status"; do
  pid=$(ctl post "$(jq -nc --arg m "$m" --arg u "$JDOE" --arg c "$OPS" '{message:$m,user_id:$u,channel_id:$c}')" | jq -r .post_id)
  if wait_for "[.posts[] | select(.root_id == \"$pid\") | select(.props.attachments[0].text | test(\"chat: mattermost\"))] | length >= 1"; then ok "\"$m\" is a mention"; else bad "\"$m\" is a mention" "$(state | jq -c "[.posts[] | select(.root_id == \"$pid\")]")"; fi
done
stop_bot

# --- a resumed connection that stays up: the reconnect backoff starts over -----
ctl reset >/dev/null
start_bot "$T/opsbot.json" "$T/bo.err"
ctl drop >/dev/null
wait_for '.resumes >= 1' || true
sleep 6   # healthy for longer than the bot's 5 s
ctl drop >/dev/null
wait_for '.resumes >= 2' || true
delays=$(sed -n 's/.*reconnecting in \([0-9]*\) ms.*/\1/p' "$T/bo.err" | tr '\n' ' ')
last=$(awk '{print $NF}' <<<"$delays")
if [ -n "$last" ] && [ "$last" -le 1300 ]; then ok "after a healthy resumed connection the backoff is 1 s again ($delays)"; else bad "backoff reset after a healthy resume" "delays: $delays"; fi
contains "and the log says so" "$(cat "$T/bo.err")" "reconnect backoff starts over"
stop_bot

# --- no config file, the environment alone, stdin /dev/null (systemd) -------
# As on Slack: the embedded default must not start the console, whose end
# of input would stop the bot at once.
mkdir -p "$T/envonly"
ctl reset >/dev/null
conns=$(state | jq .connections_total)
# Any free port for the listener (the default 9097 may be taken here).
(cd "$T/envonly" && unset OPSBOT_CONFIG && OPSBOT_ALERTS_LISTEN=127.0.0.1:0 exec "$BOT") </dev/null >"$T/envonly.out" 2>"$T/envonly.err" &
bot_pid=$!
if wait_for ".connections_total > $conns and .connections_open >= 1"; then ok "env alone: Mattermost connects with no config file"; else bad "env alone: Mattermost connects" "$(tail -3 "$T/envonly.err")"; fi
pid=$(ctl post "{\"message\":\"@opsbot status\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" | jq -r .post_id)
# Nobody has a role without a config: the answer is a private refusal.
if wait_for "[.ephemerals[] | select(.post.root_id == \"$pid\")] | length >= 1"; then ok "env alone: a mention is answered"; else bad "env alone: a mention is answered" "$(tail -3 "$T/envonly.err")"; fi
sleep 0.5
if kill -0 "$bot_pid" 2>/dev/null; then ok "env alone: still running with stdin at end of input"; else bad "env alone: still running" "$(tail -3 "$T/envonly.err")"; fi
equals "env alone: no console output" "$(cat "$T/envonly.out")" ""
stop_bot
equals "env alone: SIGTERM stops it cleanly" "$?" 0

assert_done
