#!/usr/bin/env bash
# Integration: the real opsbot against the fake Slack (tests/fakes/
# fake-slack.c): slash command -> ack (and its latency) -> answer on the
# response URL; mention and DM answered in the channel; a redelivered event
# run once; refresh_requested and a dropped socket -> reconnect with
# nothing lost; 429 -> delivered after Retry-After; a restart with unsent
# outbox rows -> delivered once; refused tokens -> clear error and exit
# code; malformed, binary and oversized frames -> ignored, connection kept;
# a Confirm button on an unconfirmed /restart, clicked (block_actions) by a
# user without the role (refused) and by one with it (runs, audited), a
# redelivered click run once, other interactive payloads ignored.
# usage: slack.sh OPSBOT FAKE_SLACK
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-sl "$@"
# The version the answers name (packaging/version ties it to CMakeLists.txt).
VERSION=$("$BOT" --version | sed -nE '1s/^opsbot ([^ ]+).*/\1/p')
WAIT_FOR_S=10 # wait_for's bound

start_fake "$FAKE"

cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "debug", "shutdown_grace": "5s" },
  "chat": { "outbox": { "rate": 20, "burst": 20 } },
  "users": [ { "name": "jdoe", "platform": "slack", "id": "U0456", "roles": ["admin"] },
             { "name": "vic", "platform": "slack", "id": "U0VIEW", "roles": ["viewer"] } ],
  "hosts": [ { "name": "localhost", "transport": "local", "mounts": [ { "path": "/" } ],
               "services": [ { "name": "ghost", "process": "obghost",
                               "restart": "true" } ],
               "commands": { "slow": "sleep 2" } } ],
  "checklists": { "slow": { "title": "SLOWCHECK", "checks": [
    { "title": "A slow check", "kind": "command_ok", "hosts": "localhost",
      "command": "slow" } ] } } }
JSON
slack_env
start_bot() {
  "$BOT" --config "$T/opsbot.json" </dev/null >>"$T/bot.out" 2>>"$T/bot.err" &
  bot_pid=$!
}
stop_bot() {
  kill -TERM "$bot_pid" 2>/dev/null
  wait "$bot_pid"
  local rc=$?
  bot_pid=
  return $rc
}

start_bot
if wait_for '.connections_open >= 1'; then ok "bot connects over Socket Mode"; else bad "bot connects over Socket Mode" "$(tail -5 "$T/bot.err")"; fi
equals "no console when Slack is on" "$(cat "$T/bot.out")" ""

# --- slash command: a quick answer rides its ack ------------------------------
eid=$(ctl slash '{"text":"status"}' | jq -r .envelope_id)
wait_for '(.responses | length) >= 1' || true
s=$(state)
equals "slash command acked" "$(jq -r --arg e "$eid" '[.acks[] | select(.envelope_id == $e)] | length' <<<"$s")" 1
lat=$(jq -r --arg e "$eid" '.acks[] | select(.envelope_id == $e) | .latency_us' <<<"$s")
if [ -n "$lat" ] && [ "$lat" -lt 3000000 ]; then ok "ack within Slack's 3 s ($lat us)"; else bad "ack within 3 s" "latency $lat"; fi
body=$(jq -r '.responses[0].body.text' <<<"$s")
contains "the answer is in the ack" "$body" "opsbot $VERSION"
equals "carried by the ack, not the response URL" "$(jq -r '[.responses[].via] | join(",")' <<<"$s")" "ack"
contains "the ack's payload is the answer" "$(jq -c --arg e "$eid" '.acks[] | select(.envelope_id == $e) | .payload.text' <<<"$s")" "opsbot $VERSION"
equals "no outbox row for it" "$(sqlite3 "$T/data/opsbot.db" "SELECT count(*) FROM outbox WHERE kind = 'response'")" 0
ctl reset >/dev/null
ctl slash '{"text":"status"}' >/dev/null
wait_for '(.responses | length) >= 1' || true
contains "/status counts the answers in acks" "$(state | jq -r '.responses[0].body.text')" "1 answered in the ack"
equals "answer visible in the channel" "$(jq -r '.responses[0].body.response_type' <<<"$s")" "in_channel"
contains "answer is a Block Kit code block" "$(jq -r '.responses[0].body.blocks[0].text.text' <<<"$s")" '```'

# A refusal is shown only to the person who asked.
ctl reset >/dev/null
ctl slash '{"text":"stauts"}' >/dev/null
wait_for '(.responses | length) >= 1' || true
s=$(state)
equals "a refusal is ephemeral" "$(jq -r '.responses[0].body.response_type' <<<"$s")" "ephemeral"
contains "with the suggestion" "$(jq -r '.responses[0].body.text' <<<"$s")" "did you mean /status?"

refusal=()
# Private by default: /help, /whoami and refusals of names (an unknown
# host, log, service or job) go only to the asker.
# Host commands answer on the response URL (their acks say "working on
# it…"); the others in their acks.
for cmd in "help" "whoami" "health nowhere" "logs localhost nolog" \
  "restart localhost nosvc" "restart localhost nosvc --confirm" "rerun NOSUCHJOB"; do
  ctl reset >/dev/null
  ctl slash "$(jq -nc --arg t "$cmd" '{text: $t}')" >/dev/null
  case $cmd in help|whoami) RESPONSES_VIA=ack ;; *) RESPONSES_VIA=response_url ;; esac
  wait_for '(.responses | length) >= 1' || true
  equals "/$cmd answered only to the asker" "$(state | jq -r '.responses[0].body.response_type')" "ephemeral"
  refusal[${#refusal[@]}]=$(state | jq -r '.responses[0].body.text')
done
RESPONSES_VIA=
contains "the log refusal names what is known" "${refusal[3]}" "unknown log nolog on localhost"
contains "the service refusal names what is known" "${refusal[4]}" "unknown service nosvc on localhost; known: ghost"
contains "confirmed or not" "${refusal[5]}" "unknown service nosvc on localhost"
contains "the job refusal says where jobs are listed" "${refusal[6]}" "job NOSUCHJOB is not in the inventory"
ctl reset >/dev/null
ctl event '{"type":"app_mention","text":"<@U0BOT> whoami","channel":"C0OPS"}' >/dev/null
wait_for '(.ephemerals | length) >= 1' || true
s=$(state)
equals "a mentioned /whoami is ephemeral, to its user" "$(jq -r '.ephemerals[0].user' <<<"$s")" "U0456"
equals "and not posted in the channel" "$(jq '.posts | length' <<<"$s")" 0

# A host command says it is working in its ack.
ctl reset >/dev/null
eid=$(ctl slash '{"command":"/health","text":"localhost"}' | jq -r .envelope_id)
RESPONSES_VIA=response_url wait_for '(.responses | length) >= 1' || true
s=$(state)
contains "ack of a host command says working on it" "$(jq -c --arg e "$eid" '.acks[] | select(.envelope_id == $e) | .payload' <<<"$s")" "working on it"
contains "/health via its own slash command" "$(RESPONSES_VIA=response_url state | jq -r '.responses[0].body.text')" "localhost: "

# --- mention (thread) and DM -------------------------------------------------
ctl reset >/dev/null
ts=$(ctl event '{"type":"app_mention","text":"<@U0BOT> status","channel":"C0OPS"}' | jq -r .ts)
wait_for '(.posts | length) >= 1' || true
s=$(state)
equals "mention answered in its channel" "$(jq -r '.posts[0].channel' <<<"$s")" "C0OPS"
equals "mention answered in its thread" "$(jq -r '.posts[0].thread_ts' <<<"$s")" "$ts"
contains "mention ran the command" "$(jq -r '.posts[0].text' <<<"$s")" "opsbot $VERSION"
ctl event '{"type":"message","channel_type":"im","text":"status","channel":"D0DM"}' >/dev/null
wait_for '(.posts | length) >= 2' || true
equals "DM answered in the DM" "$(state | jq -r '.posts[1].channel')" "D0DM"
ctl event '{"type":"app_mention","text":"<@U0BOT> stauts","channel":"C0OPS"}' >/dev/null
wait_for '(.ephemerals | length) >= 1' || true
s=$(state)
equals "a refused mention is ephemeral, to its user" "$(jq -r '.ephemerals[0].user' <<<"$s")" "U0456"
contains "with the suggestion" "$(jq -r '.ephemerals[0].text' <<<"$s")" "did you mean /status?"
ctl event '{"type":"message","channel_type":"channel","text":"just chatting","channel":"C0OPS"}' >/dev/null
ctl event '{"type":"message","channel_type":"im","text":"status","channel":"D0DM","bot_id":"B0BOT"}' >/dev/null
sleep 0.5
equals "plain channel chatter and bot messages ignored" "$(state | jq '.posts | length')" 2

# --- a redelivered event runs once --------------------------------------------
ctl reset >/dev/null
env='{"envelope_id":"dup-1","type":"events_api","accepts_response_payload":false,"retry_attempt":0,"retry_reason":"","payload":{"type":"event_callback","event_id":"EvDUP","event":{"type":"app_mention","user":"U0456","text":"<@U0BOT> status","channel":"C0OPS","ts":"1700000999.000001"}}}'
ctl raw "$env" >/dev/null
sleep 0.3
ctl raw "$(jq -c '.retry_attempt = 1 | .retry_reason = "timeout"' <<<"$env")" >/dev/null
sleep 0.7
s=$(state)
equals "both deliveries acked" "$(jq '[.acks[] | select(.envelope_id == "dup-1")] | length' <<<"$s")" 2
equals "but run once" "$(jq '.posts | length' <<<"$s")" 1

# --- buttons: Confirm on an unconfirmed /restart, clicked --------------------
# A host command: its prompt and the clicks' answers are on response URLs.
RESPONSES_VIA=response_url
ctl reset >/dev/null
ctl slash '{"command":"/restart","text":"localhost ghost"}' >/dev/null
wait_for '(.responses | length) >= 1' || true
s=$(state)
prompt=$(jq -r '.responses[0].body.blocks | tostring' <<<"$s")
contains "unconfirmed /restart says what it would do" "$prompt" "Restart ghost on localhost?"
contains "with the exact action" "$prompt" "Confirm runs: true on localhost, then checks it again"
contains "and the service's state now" "$prompt" "ghost on localhost is "
equals "the prompt is seen in the channel" "$(jq -r '.responses[0].body.response_type' <<<"$s")" "in_channel"
btn=$(jq -c '.responses[0].body.blocks[] | select(.type == "actions") | .elements[0]' <<<"$s")
equals "it carries a Confirm button" "$(jq -r '.text.text' <<<"$btn")" "Confirm"
equals "a danger button" "$(jq -r '.style' <<<"$btn")" "danger"
value=$(jq -r '.value' <<<"$btn")
contains "whose value is a single-use token, not the command line" "$value" "confirm:"
# A viewer clicks: acked, refused by RBAC on the click's response URL.
r=$(ctl click '{"user":"U0VIEW","user_name":"vic"}')
eid=$(jq -r .envelope_id <<<"$r")
url=$(jq -r .response_url <<<"$r")
wait_for "[.responses[] | select(.url == \"$url\")] | length >= 1" || true
s=$(state)
equals "the click is acked" "$(jq -r --arg e "$eid" '[.acks[] | select(.envelope_id == $e)] | length' <<<"$s")" 1
equals "with a bare ack (no payload)" "$(jq -c --arg e "$eid" '.acks[] | select(.envelope_id == $e) | .payload' <<<"$s")" "null"
contains "a click by a viewer is refused" "$(jq -r --arg u "$url" '.responses[] | select(.url == $u) | .body.text' <<<"$s")" "/restart needs role"
equals "the refusal is only for the clicker" "$(jq -r --arg u "$url" '.responses[] | select(.url == $u) | .body.response_type' <<<"$s")" "ephemeral"
equals "and leaves the prompt in place" "$(jq -r --arg u "$url" '.responses[] | select(.url == $u) | .body.replace_original' <<<"$s")" "false"
# An admin clicks the same button: the confirmed command runs, and its
# answer replaces the prompt, so the button is gone.
url=$(ctl click '{}' | jq -r .response_url)
wait_for "[.responses[] | select(.url == \"$url\")] | length >= 1" || true
s=$(state)
contains "a click by an operator runs the command" "$(jq -r --arg u "$url" '.responses[] | select(.url == $u) | .body.blocks | tostring' <<<"$s")" "localhost: restart"
contains "the answer names who confirmed it" "$(jq -r --arg u "$url" '.responses[] | select(.url == $u) | .body.blocks | tostring' <<<"$s")" "Confirmed by @jdoe at "
equals "and replaces the prompt" "$(jq -r --arg u "$url" '.responses[] | select(.url == $u) | .body.replace_original' <<<"$s")" "true"
equals "the prompt was replaced in place" "$(jq '.replaced | length' <<<"$s")" 1
equals "its button cannot be pressed again" "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{}' "$C/click")" 404
# The same button pressed again (a second person had it on screen).
url=$(ctl click "{\"value\":\"$value\",\"user\":\"U0ADA\",\"user_name\":\"ada\"}" | jq -r .response_url)
wait_for "[.responses[] | select(.url == \"$url\")] | length >= 1" || true
s=$(state)
contains "a second click is told who did it" "$(jq -r --arg u "$url" '.responses[] | select(.url == $u) | .body.text' <<<"$s")" "already done by @jdoe at "
equals "privately" "$(jq -r --arg u "$url" '.responses[] | select(.url == $u) | .body.response_type' <<<"$s")" "ephemeral"
db="$T/data/opsbot.db"
equals "the command ran once; clicks are audited as clicks" \
  "$(sqlite3 "$db" "SELECT user || ' ' || outcome || ' ' || via FROM audit WHERE command = 'restart localhost ghost --confirm' ORDER BY id")" \
  "U0VIEW denied click
U0456 error click"
equals "the second click ran nothing" "$(sqlite3 "$db" "SELECT outcome || ' ' || via FROM audit ORDER BY id DESC LIMIT 1")" "refused click"
# A button that carries --confirm itself (an old prompt) runs nothing.
url=$(ctl click '{"value":"restart localhost ghost --confirm"}' | jq -r .response_url)
wait_for "[.responses[] | select(.url == \"$url\")] | length >= 1" || true
contains "an old-style Confirm value is refused" "$(state | jq -r --arg u "$url" '.responses[] | select(.url == $u) | .body.text')" "without a single-use confirmation"
# A redelivered click runs once.
ctl reset >/dev/null
last=$(sqlite3 "$db" "SELECT max(id) FROM audit")
click='{"envelope_id":"click-dup-1","type":"interactive","accepts_response_payload":false,"payload":{"type":"block_actions","user":{"id":"U0456","username":"jdoe"},"channel":{"id":"C0OPS","name":"ops"},"container":{"type":"message","channel_id":"C0OPS"},"response_url":"http://127.0.0.1:'"$PORT"'/response/1","actions":[{"type":"button","action_id":"confirm","value":"whoami","action_ts":"1.2"}]}}'
ctl raw "$click" >/dev/null
sleep 0.3
ctl raw "$click" >/dev/null
sleep 0.7
s=$(state)
equals "a redelivered click is acked twice" "$(jq '[.acks[] | select(.envelope_id == "click-dup-1")] | length' <<<"$s")" 2
equals "but run once" "$(sqlite3 "$db" "SELECT count(*) FROM audit WHERE command = 'whoami' AND user = 'U0456' AND id > $last")" 1
# Other interactive payloads: acked, nothing runs, connection kept.
total=$(state | jq .connections_total)
n=$(sqlite3 "$db" "SELECT count(*) FROM audit")
eid=$(ctl interactive '{"type":"view_submission","user":{"id":"U0456"},"view":{"id":"V1","callback_id":"x"}}' | jq -r .envelope_id)
ctl interactive '{"type":"block_actions","user":{"id":"U0456"},"actions":[{"type":"button","action_id":"x","value":"whoami"}]}' >/dev/null
sleep 0.5
s=$(state)
equals "a view_submission is acked" "$(jq -r --arg e "$eid" '[.acks[] | select(.envelope_id == $e)] | length' <<<"$s")" 1
equals "a click without a channel runs nothing, nor does a view_submission" "$(sqlite3 "$db" "SELECT count(*) FROM audit")" "$n"
equals "connection kept after other interactive payloads" "$(jq .connections_total <<<"$s")" "$total"
contains "the bot logs what it ignored" "$(cat "$T/bot.err")" "ignored an interactive payload of type view_submission"

RESPONSES_VIA=
# --- malformed, binary, oversized frames: ignored, connection kept -----------
total=$(state | jq .connections_total)
ctl raw 'this is not json' >/dev/null
ctl raw '{"type":"weird_new_type"}' >/dev/null
curl -sf -X POST "$C/raw?binary=1" -d 'binary junk' >/dev/null
curl -sf -X POST "$C/raw?size=2000000" >/dev/null
sleep 0.5
ctl reset >/dev/null
ctl slash '{"text":"whoami"}' >/dev/null
wait_for '(.responses | length) >= 1' || true
s=$(state)
equals "connection kept after bad frames" "$(jq .connections_total <<<"$s")" "$total"
contains "still answering after bad frames" "$(jq -r '.responses[0].body.text' <<<"$s")" "platform: slack"

# --- refresh_requested: a new socket first, nothing lost --------------------
ctl reset >/dev/null
ctl disconnect '{"reason":"refresh_requested","close_after_ms":-1}' >/dev/null
if wait_for ".connections_total > $total and .connections_open == 1"; then ok "refresh: new socket, old one closed"; else bad "refresh: new socket, old one closed" "$(state | jq -c '{connections_open,connections_total}')"; fi
ctl slash '{"text":"whoami"}' >/dev/null
if wait_for '(.responses | length) >= 1'; then ok "commands work after a refresh"; else bad "commands work after a refresh" "none"; fi

# --- a dropped socket: reconnect with backoff --------------------------------
ctl reset >/dev/null
total=$(state | jq .connections_total)
ctl drop >/dev/null
if wait_for ".connections_total > $total and .connections_open == 1"; then ok "reconnects after a drop"; else bad "reconnects after a drop" "$(tail -3 "$T/bot.err")"; fi
ctl slash '{"text":"whoami"}' >/dev/null
if wait_for '(.responses | length) >= 1'; then ok "commands work after a drop"; else bad "commands work after a drop" "none"; fi

# --- 429 on chat.postMessage: delivered after Retry-After --------------------
ctl reset >/dev/null
ctl ratelimit '{"method":"chat.postMessage","count":1,"retry_after":1}' >/dev/null
t0=$(date +%s%N)
ctl event '{"type":"app_mention","text":"<@U0BOT> status","channel":"C0OPS"}' >/dev/null
if wait_for '(.posts | length) >= 1'; then
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  if [ "$ms" -ge 900 ]; then ok "429 honoured: delivered after Retry-After ($ms ms)"; else bad "429 honoured" "delivered after only $ms ms"; fi
else
  bad "delivered after a 429" "no post"
fi

# --- restart with unsent rows: delivered once --------------------------------
# A host command's answer: on its response URL, through the outbox.
RESPONSES_VIA=response_url
ctl reset >/dev/null
ctl ratelimit '{"method":"response_url","count":1000,"status":503}' >/dev/null
ctl slash '{"text":"health localhost"}' >/dev/null
for _ in $(seq 50); do
  [ "$(sqlite3 "$T/data/opsbot.db" "SELECT count(*) FROM outbox WHERE kind = 'response' AND state = 'pending'")" = 1 ] && break
  sleep 0.1
done
sleep 1
equals "nothing delivered while Slack fails" "$(state | jq '.responses | length')" 0
stop_bot
pending=$(sqlite3 "$T/data/opsbot.db" "SELECT count(*) FROM outbox WHERE state = 'pending'")
equals "the answer waits in the outbox" "$pending" 1
ctl ratelimit '{"method":"response_url","count":0}' >/dev/null
start_bot
if wait_for '(.responses | length) >= 1'; then ok "delivered after the restart"; else bad "delivered after the restart" "none"; fi
sleep 1
equals "delivered exactly once" "$(state | jq '.responses | length')" 1
equals "outbox row marked sent" "$(sqlite3 "$T/data/opsbot.db" "SELECT state FROM outbox ORDER BY id DESC LIMIT 1")" "sent"
stop_bot
rc=$?
equals "SIGTERM stops the Slack bot cleanly" "$rc" 0
RESPONSES_VIA=

# --- audit ------------------------------------------------------------------
equals "commands audited with platform and user" "$(sqlite3 "$T/data/opsbot.db" "SELECT DISTINCT platform || '/' || user FROM audit ORDER BY 1")" "slack/U0456
slack/U0ADA
slack/U0VIEW"

# --- no config file, the environment alone, stdin /dev/null (systemd) -------
# The embedded default must not start the console here: its end of input
# would stop the bot at once.
mkdir -p "$T/envonly"
ctl reset >/dev/null
# Any free port for the listener: the default 9097 may be taken here.
(cd "$T/envonly" && unset OPSBOT_CONFIG && OPSBOT_ALERTS_LISTEN=127.0.0.1:0 exec "$BOT") </dev/null >"$T/envonly.out" 2>"$T/envonly.err" &
bot_pid=$!
if wait_for '.connections_open >= 1'; then ok "env alone: Slack connects with no config file"; else bad "env alone: Slack connects" "$(tail -3 "$T/envonly.err")"; fi
ctl slash '{"text":"status"}' >/dev/null
if wait_for '(.responses | length) >= 1'; then ok "env alone: a slash command is answered"; else bad "env alone: a slash command is answered" "$(tail -3 "$T/envonly.err")"; fi
if kill -0 "$bot_pid" 2>/dev/null; then ok "env alone: still running with stdin at end of input"; else bad "env alone: still running" "$(tail -3 "$T/envonly.err")"; fi
equals "env alone: no console output" "$(cat "$T/envonly.out")" ""
stop_bot
equals "env alone: SIGTERM stops it cleanly" "$?" 0

# --- an answer given during shutdown is delivered before exit ---------------
# SIGTERM while /checklist slow runs: its answer is sent within the grace
# period, not left in the outbox for a next start (a response URL expires).
ctl reset >/dev/null
start_bot
wait_for '.connections_open >= 1' || true
eid=$(ctl slash '{"text":"checklist slow"}' | jq -r .envelope_id)
wait_for "[.acks[] | select(.envelope_id == \"$eid\")] | length >= 1" || true
sleep 0.5
kill -TERM "$bot_pid"
wait "$bot_pid"
rc=$?
bot_pid=
equals "stopped cleanly after delivering" "$rc" 0
contains "the slow answer reached Slack before exit" "$(state | jq -r '[.responses[].body.text, .posts[].text] | join("\n")')" "SLOWCHECK"
equals "nothing left pending in the outbox" "$(sqlite3 "$T/data/opsbot.db" "SELECT count(*) FROM outbox WHERE state = 'pending'")" 0

# --- refused tokens -------------------------------------------------------------
out=$(SLACK_BOT_TOKEN=xoxb-wrong "$BOT" --config "$T/opsbot.json" </dev/null 2>&1); rc=$?
equals "refused bot token exits 3" "$rc" 3
contains "refused bot token explained" "$out" "the bot token was refused (auth.test: invalid_auth)"
out=$(SLACK_APP_TOKEN=xapp-wrong timeout 20 "$BOT" --config "$T/opsbot.json" </dev/null 2>&1); rc=$?
equals "refused app token exits 4" "$rc" 4
contains "refused app token explained" "$out" "the app token was refused (apps.connections.open: invalid_auth)"

# --- channels named in the config are resolved at start ----------------------
chan_cfg() { jq --arg c "$1" '.alerts = { default_channel: $c }' "$T/opsbot.json" >"$T/chan.json"; }
chan_cfg "#nope"
out=$("$BOT" --config "$T/chan.json" </dev/null 2>&1); rc=$?
equals "unknown channel stops the start" "$rc" 3
contains "unknown channel named" "$out" "slack: alerts.default_channel #nope: unknown channel #nope"
chan_cfg "#random"
out=$("$BOT" --config "$T/chan.json" </dev/null 2>&1); rc=$?
equals "channel without the bot stops the start" "$rc" 3
contains "not a member explained" "$out" "the bot is not a member of #random; invite it there"
chan_cfg "#ops-alerts"
"$BOT" --config "$T/chan.json" </dev/null >/dev/null 2>&1 &
bot_pid=$!
if wait_for '.connections_open >= 1'; then ok "a known channel resolves and the bot connects"; else bad "a known channel resolves" "not connected"; fi
stop_bot

assert_done
