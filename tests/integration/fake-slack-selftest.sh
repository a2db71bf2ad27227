#!/usr/bin/env bash
# Self-test of tests/fakes/fake-slack.c: starts the fake on loopback and
# checks its Web API with curl (tokens, channels, posts and updates,
# response URL use limit, injected 429/503, rejected connections) and its
# Socket Mode side with the fake's own --client mode (hello, envelopes,
# ack latency, events_api retries, unacked slash commands, fragmented acks,
# bad frames, raw frames, ping/pong, disconnect, drop). Needs curl.
# usage: fake-slack-selftest.sh FAKE_SLACK_BIN
set -u
if [ $# -ne 1 ]; then
  echo "usage: fake-slack-selftest.sh FAKE_SLACK_BIN" >&2
  exit 2
fi
FAKE=$(realpath "$1")
if ! command -v curl >/dev/null; then
  echo "FAIL curl is not installed (apt-get install curl)"
  echo "0 passed, 1 failed"
  exit 1
fi

T=$(mktemp -d /tmp/fake-slack-st.XXXXXX)
FPID=
CPIDS=()
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  local p
  for p in "${CPIDS[@]}" $FPID; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
pass=0
fail=0
T0=$EPOCHREALTIME
ACK_TIMEOUT_MS=600

. "$(dirname "${BASH_SOURCE[0]}")/lib-assert.sh"
between() { # name got min max (integers, min <= got < max)
  if [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] && [ "$2" -lt "$4" ]; then
    ok "$1 ($2)"
  else
    bad "$1" "expected in [$3, $4), got: $2"
  fi
}
finish() {
  echo "($(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s)"
  assert_done
  exit
}

# req CURL-ARGS...: prints the HTTP status; body in $T/body, headers in $T/hdr
req() { curl -s -m 5 -o "$T/body" -D "$T/hdr" -w '%{http_code}' "$@"; }
body() { cat "$T/body"; }
api() { # METHOD TOKEN JSON
  req -H "Authorization: Bearer $2" \
    -H 'Content-Type: application/json; charset=utf-8' \
    --data-binary "$3" "$B/api/$1"
}
ctl() { req --data-binary "$2" "$B/_control/$1"; } # NAME JSON
state() { curl -s -m 5 "$B/_control/state"; }
alive() { # stop early when the fake died or the run takes too long
  if [ -n "$FPID" ] && ! kill -0 "$FPID" 2>/dev/null; then
    bad "fake-slack died" "$(tail -5 "$T/fake.log")"
    finish
  fi
  if [ "$SECONDS" -ge 25 ]; then
    bad "self-test still running after 25 s"
    finish
  fi
}
wait_for() { # FILE TEXT [SECONDS]: until FILE contains TEXT
  local i n=$(((${3:-5}) * 20))
  for ((i = 0; i < n; i++)); do
    grep -qF -- "$2" "$1" 2>/dev/null && return 0
    alive
    sleep 0.05
  done
  return 1
}
wait_state() { # TEXT [SECONDS]: until the state contains TEXT
  local i n=$(((${2:-5}) * 20))
  for ((i = 0; i < n; i++)); do
    [[ "$(state)" == *"$1"* ]] && return 0
    alive
    sleep 0.05
  done
  return 1
}
client() { # NAME ARGS...: a --client in the background, output in $T/NAME
  local name=$1
  shift
  "$FAKE" --client "$WS_URL" --seconds 20 "$@" >"$T/$name" 2>&1 &
  CPIDS+=($!)
}
jfield() { # JSON KEY: the string value of the first "KEY":"..."
  grep -o "\"$2\":\"[^\"]*\"" <<<"$1" | head -1 | cut -d'"' -f4
}
latency_of() { # STATE ENVELOPE_ID
  grep -o "\"envelope_id\":\"$2\",\"latency_us\":[0-9-]*" <<<"$1" |
    head -1 | cut -d: -f3
}
lines_with() { grep -cF -- "$2" "$1" 2>/dev/null; } # FILE TEXT

# --- start ---------------------------------------------------------------------
"$FAKE" "$T/port" --ack-timeout-ms $ACK_TIMEOUT_MS --lifetime-s 60 \
  2>"$T/fake.log" &
FPID=$!
for ((i = 0; i < 100; i++)); do
  [ -s "$T/port" ] && break
  sleep 0.05
done
PORT=$(cat "$T/port" 2>/dev/null)
if ! [[ "$PORT" =~ ^[0-9]+$ ]]; then
  bad "fake-slack wrote its port" "$(cat "$T/fake.log")"
  finish
fi
ok "fake-slack listening on port $PORT (pid $FPID)"
B=http://127.0.0.1:$PORT
if command -v ss >/dev/null; then
  contains "bound to 127.0.0.1 only" "$(ss -Hltn "sport = :$PORT")" \
    "127.0.0.1:$PORT"
fi
if [ -e "$T/port.tmp" ]; then bad "no temporary port file left"; else ok "no temporary port file left"; fi

# --- apps.connections.open ---------------------------------------------------
code=$(api apps.connections.open xapp-test '')
equals "connections.open: HTTP 200" "$code" 200
contains "connections.open: content type" "$(cat "$T/hdr")" \
  "application/json; charset=utf-8"
equals "connections.open: url" "$(body)" \
  "{\"ok\":true,\"url\":\"ws://127.0.0.1:$PORT/link/?ticket=t1&app_id=A0TEST\"}"
WS_URL=$(jfield "$(body)" url)
req -X POST -H 'Authorization: Bearer xapp-test' \
  "$B/api/apps.connections.open" >/dev/null # no body, no Content-Length
contains "connections.open: new ticket each call" "$(body)" "ticket=t2&"
api apps.connections.open xapp-wrong '' >/dev/null
equals "connections.open: wrong token" "$(body)" \
  '{"ok":false,"error":"invalid_auth"}'
req -d '' "$B/api/apps.connections.open" >/dev/null
equals "connections.open: no token" "$(body)" \
  '{"ok":false,"error":"not_authed"}'
api apps.connections.open xoxb-test '' >/dev/null
equals "connections.open: bot token" "$(body)" \
  '{"ok":false,"error":"not_allowed_token_type"}'
ctl reject_connections '{"count":1}' >/dev/null
api apps.connections.open xapp-test '' >/dev/null
equals "reject_connections: internal_error" "$(body)" \
  '{"ok":false,"error":"internal_error"}'
api apps.connections.open xapp-test '' >/dev/null
contains "reject_connections: then ok" "$(body)" '"ok":true'

# --- auth.test, conversations.list ------------------------------------------
code=$(api auth.test xoxb-test '{}')
equals "auth.test" "$code $(body)" \
  '200 {"ok":true,"url":"https://acme.slack.com/","team":"Acme","user":"opsbot","team_id":"T0001","user_id":"U0BOT","bot_id":"B0BOT"}'
req -H 'Authorization: Bearer xoxb-test' -d 'pretty=1' "$B/api/auth.test" \
  >/dev/null
contains "auth.test: form body" "$(body)" '"user_id":"U0BOT"'
api auth.test xoxb-nope '{}' >/dev/null
equals "auth.test: bad token" "$(body)" '{"ok":false,"error":"invalid_auth"}'
api conversations.list xoxb-test '{}' >/dev/null
equals "conversations.list" "$(body)" \
  '{"ok":true,"channels":[{"id":"C0OPS","name":"ops","is_member":true},{"id":"C0ALERTS","name":"ops-alerts","is_member":true},{"id":"C0RANDOM","name":"random","is_member":false}],"response_metadata":{"next_cursor":""}}'

# --- chat.postMessage, chat.update -------------------------------------------
api chat.postMessage xoxb-test '{"channel":"#ops","text":"first"}' >/dev/null
r1=$(body)
contains "postMessage #ops -> C0OPS" "$r1" '"ok":true,"channel":"C0OPS","ts":"1700000000.'
contains "postMessage: message echoed" "$r1" '"message":{"type":"message","bot_id":"B0BOT"'
ts1=$(jfield "$r1" ts)
api chat.postMessage xoxb-test \
  '{"channel":"ops-alerts","text":"second","thread_ts":"1700000000.000001","blocks":[{"type":"divider"}]}' >/dev/null
r2=$(body)
contains "postMessage by name -> C0ALERTS" "$r2" '"channel":"C0ALERTS"'
ts2=$(jfield "$r2" ts)
if [[ "$ts2" > "$ts1" ]]; then ok "ts increases ($ts1 < $ts2)"; else bad "ts increases" "$ts1 then $ts2"; fi
api chat.postMessage xoxb-test '{"channel":"C0NOPE","text":"x"}' >/dev/null
equals "postMessage: unknown channel" "$(body)" \
  '{"ok":false,"error":"channel_not_found"}'
api chat.postMessage xoxb-test '{"channel":"random","text":"x"}' >/dev/null
equals "postMessage: not a member" "$(body)" \
  '{"ok":false,"error":"not_in_channel"}'
api chat.postMessage xoxb-test '{"channel":"C0OPS"}' >/dev/null
equals "postMessage: no text" "$(body)" '{"ok":false,"error":"no_text"}'
api chat.postMessage xoxb-test '{"channel":' >/dev/null
equals "postMessage: bad JSON" "$(body)" '{"ok":false,"error":"invalid_json"}'
api chat.postMessage xapp-test '{"channel":"C0OPS","text":"x"}' >/dev/null
equals "postMessage: app token" "$(body)" \
  '{"ok":false,"error":"not_allowed_token_type"}'
req -H 'Authorization: Bearer xoxb-test' \
  --data-urlencode 'channel=C0OPS' --data-urlencode 'text=form & more' \
  --data-urlencode 'blocks=[{"type":"divider"}]' \
  "$B/api/chat.postMessage" >/dev/null
contains "postMessage: form body, blocks as JSON text" "$(body)" \
  '"text":"form & more","ts":"'
api chat.update xoxb-test "{\"channel\":\"C0OPS\",\"ts\":\"$ts1\",\"text\":\"edited\"}" >/dev/null
contains "chat.update" "$(body)" "{\"ok\":true,\"channel\":\"C0OPS\",\"ts\":\"$ts1\",\"text\":\"edited\""
api chat.update xoxb-test '{"channel":"C0OPS","ts":"1.2","text":"x"}' >/dev/null
equals "chat.update: unknown ts" "$(body)" \
  '{"ok":false,"error":"message_not_found"}'
api chat.update xoxb-test "{\"channel\":\"C0ALERTS\",\"ts\":\"$ts1\",\"text\":\"x\"}" >/dev/null
equals "chat.update: ts of another channel" "$(body)" \
  '{"ok":false,"error":"message_not_found"}'
api no.such.method xoxb-test '{}' >/dev/null
equals "unknown method" "$(body)" '{"ok":false,"error":"unknown_method"}'
equals "unknown path: 404" "$(req "$B/nope")" 404

# --- injected 429 and 503 -----------------------------------------------------
ctl ratelimit '{"method":"chat.postMessage","count":1,"retry_after":2}' >/dev/null
code=$(api chat.postMessage xoxb-test '{"channel":"C0OPS","text":"r"}')
equals "ratelimit: HTTP 429" "$code" 429
equals "ratelimit: Retry-After header" \
  "$(tr -d '\r' <"$T/hdr" | grep -ix 'retry-after: 2')" "retry-after: 2"
equals "ratelimit: body" "$(body)" '{"ok":false,"error":"ratelimited"}'
code=$(api chat.postMessage xoxb-test '{"channel":"C0OPS","text":"r2"}')
equals "ratelimit: next call goes through" "$code $(jfield "$(body)" channel)" \
  "200 C0OPS"
ctl ratelimit '{"method":"auth.test","count":1,"status":503}' >/dev/null
equals "injected 503" "$(api auth.test xoxb-test '{}')" 503
equals "then 200" "$(api auth.test xoxb-test '{}')" 200

# --- slash command held for the first connection, response URL ---------------
ctl slash '{"text":"health prod-db"}' >/dev/null
s1=$(body)
contains "slash with no connection is queued" "$s1" '"queued":true'
env_s1=$(jfield "$s1" envelope_id)
rurl=$(jfield "$s1" response_url)
contains "slash: response_url on this fake" "$rurl" "$B/response/"
codes=
for i in 1 2 3 4 5 6; do
  codes="$codes $(req -H 'Content-Type: application/json; charset=utf-8' \
    -d "{\"text\":\"reply $i\",\"response_type\":\"in_channel\"}" "$rurl")"
done
equals "response_url: 5 uses, then 404" "$codes" " 200 200 200 200 200 404"
equals "response_url: 6th says used_url" "$(body)" '{"ok":false,"error":"used_url"}'
equals "response_url: unknown one 404" "$(req -d '{}' "$B/response/999")" 404

# --- websocket: hello, queued slash, ack latency ------------------------------
client a.out --ack-delay-ms 150
if wait_for "$T/a.out" '"type":"hello"'; then ok "client A: hello"; else bad "client A: hello" "$(cat "$T/a.out")"; fi
equals "hello frame" "$(grep -F '"type":"hello"' "$T/a.out")" \
  '{"type":"hello","num_connections":1,"debug_info":{"host":"fake-1","approximate_connection_time":18060},"connection_info":{"app_id":"A0TEST"}}'
wait_for "$T/a.out" "$env_s1" 3
slash_line=$(grep -F "$env_s1" "$T/a.out")
contains "queued slash delivered after hello" "$slash_line" \
  '"type":"slash_commands","accepts_response_payload":true,"payload":{"token":"fake-verification-token","team_id":"T0001","team_domain":"acme","channel_id":"C0OPS","channel_name":"ops","user_id":"U0456","user_name":"jdoe","command":"/opsbot","text":"health prod-db","api_app_id":"A0TEST","is_enterprise_install":"false",'
contains "slash payload has response_url and trigger_id" "$slash_line" \
  "\"response_url\":\"$rurl\",\"trigger_id\":\""
ctl event '{"type":"app_mention","text":"<@U0BOT> disk"}' >/dev/null
e1=$(body)
env_e1=$(jfield "$e1" envelope_id)
equals "event: event_id" "$(jfield "$e1" event_id)" Ev1
wait_for "$T/a.out" "$env_e1" 3
ev_line=$(grep -F "$env_e1" "$T/a.out")
contains "events_api envelope" "$ev_line" \
  '"type":"events_api","accepts_response_payload":false,"retry_attempt":0,"retry_reason":"","payload":{'
contains "event payload" "$ev_line" '"type":"event_callback","event_id":"Ev1"'
contains "event body" "$ev_line" '"event":{"type":"app_mention","user":"U0456","text":"<@U0BOT> disk","ts":"1700000000.'
wait_state "\"envelope_id\":\"$env_e1\",\"latency_us\"" 3
st=$(state)
between "slash ack latency (us)" "$(latency_of "$st" "$env_s1")" 150000 $((ACK_TIMEOUT_MS * 1000))
between "event ack latency (us)" "$(latency_of "$st" "$env_e1")" 150000 $((ACK_TIMEOUT_MS * 1000))

# --- second connection: newest gets envelopes; retries; unacked slash ---------
client b.out --no-ack
wait_for "$T/b.out" '"type":"hello"'
contains "client B: hello counts 2 connections" "$(cat "$T/b.out")" '"num_connections":2'
ctl event '{"type":"message","channel_type":"im","channel":"D0DM","text":"health"}' >/dev/null
env_e2=$(jfield "$(body)" envelope_id)
ctl slash '{"command":"/opsbot","text":"disk"}' >/dev/null
env_s2=$(jfield "$(body)" envelope_id)
if wait_state "\"envelope_id\":\"$env_e2\",\"type\":\"events_api\",\"event_id\":\"Ev2\",\"retry_attempt\":3" 6; then
  ok "unacked event recorded after 3 retries"
else
  bad "unacked event recorded after 3 retries" "$(state)"
fi
lacks "events go to the newest connection" "$(cat "$T/a.out")" "$env_e2"
equals "event pushed 4 times (first + 3 retries)" "$(lines_with "$T/b.out" "$env_e2")" 4
equals "same event_id on every retry" "$(grep -F "$env_e2" "$T/b.out" | grep -cF '"event_id":"Ev2"')" 4
for n in 1 2 3; do
  contains "retry $n" "$(grep -F "$env_e2" "$T/b.out" | sed -n "$((n + 1))p")" \
    "\"retry_attempt\":$n,\"retry_reason\":\"timeout\""
done
contains "unacked slash recorded" "$(state)" \
  "{\"envelope_id\":\"$env_s2\",\"type\":\"slash_commands\",\"event_id\":null,\"retry_attempt\":0}"
equals "slash command not retried" "$(lines_with "$T/b.out" "$env_s2")" 1

# --- ping / pong ----------------------------------------------------------------
ctl ping '{}' >/dev/null
contains "ping sent on both" "$(body)" '"sent":2'
if wait_state '"pongs":2' 3; then ok "2 pongs counted"; else bad "2 pongs counted" "$(state)"; fi

# --- fragmented ack with payload, bad frames ------------------------------------
client c.out --fragment 5 --ack-payload '{"text":"on it"}' \
  --close-on-disconnect --send 'not json' --send '{"no":"envelope"}'
wait_for "$T/c.out" '"type":"hello"'
ctl slash '{}' >/dev/null
env_s3=$(jfield "$(body)" envelope_id)
if wait_state "\"envelope_id\":\"$env_s3\",\"latency_us\"" 3; then
  ok "ack sent in 5-byte fragments recorded"
else
  bad "ack sent in 5-byte fragments recorded" "$(state)"
fi
st=$(state)
contains "ack payload recorded" "$st" \
  "\"envelope_id\":\"$env_s3\",\"latency_us\":$(latency_of "$st" "$env_s3"),\"payload\":{\"text\":\"on it\"},\"type\":\"slash_commands\""
contains "an ack's payload is the slash command's answer" \
  "$(jq -c --arg e "$env_s3" '.responses[] | select(.via == "ack") | [.body.text, (.rtt_us > 0)]' <<<"$st")" '["on it",true]'
contains "bad frames counted" "$st" '"bad_frames":2,"bad_frame_samples":["not json","{\"no\":\"envelope\"}"]'

# --- ack only the first retry ---------------------------------------------------
client d.out --ack-min-retry 1
wait_for "$T/d.out" '"type":"hello"'
ctl event '{"text":"<@U0BOT> retry me"}' >/dev/null
env_e3=$(jfield "$(body)" envelope_id)
if wait_state "\"envelope_id\":\"$env_e3\",\"type\":\"events_api\",\"event_id\":\"Ev3\",\"retry_attempt\":1,\"state\":\"acked\"" 4; then
  ok "retry 1 acked"
else
  bad "retry 1 acked" "$(state)"
fi
contains "ack records retry_attempt 1" "$(state)" \
  "\"payload\":null,\"type\":\"events_api\",\"retry_attempt\":1,\"sent_conn\":4,\"conn\":4"
sleep 0.8 # longer than one ack timeout
equals "no retry after the ack" "$(lines_with "$T/d.out" "$env_e3")" 2

# --- raw frames -----------------------------------------------------------------------
ctl raw 'this is {not json' >/dev/null
wait_for "$T/d.out" 'this is {not json' 2
equals "raw text frame" "$(grep -cxF 'this is {not json' "$T/d.out")" 1
req --data-binary 'abcd' "$B/_control/raw?binary=1" >/dev/null
wait_for "$T/d.out" 'BINARY 4' 2
contains "raw binary frame" "$(cat "$T/d.out")" 'BINARY 4'
req -X POST "$B/_control/raw?size=200000" >/dev/null
wait_for "$T/d.out" 'TEXT 200000' 3
contains "raw 200000-byte frame" "$(cat "$T/d.out")" 'TEXT 200000'

# --- disconnect: the fake closes the socket itself ----------------------------------
ctl disconnect '{"reason":"refresh_requested","close_after_ms":300}' >/dev/null
contains "disconnect goes to the newest" "$(body)" '"conn":4'
wait_for "$T/d.out" '# closed' 3
equals "client D: disconnect frame" "$(grep -F '"disconnect"' "$T/d.out")" \
  '{"type":"disconnect","reason":"refresh_requested","debug_info":{"host":"fake-1"}}'
contains "client D: then a close frame from the fake" "$(cat "$T/d.out")" \
  $'# close-frame 1000\n# closed'

# --- disconnect: the client closes first ----------------------------------------------
ctl disconnect '{"reason":"warning"}' >/dev/null
contains "disconnect now goes to C" "$(body)" '"conn":3'
wait_for "$T/c.out" '# closed' 3
contains "client C closed on disconnect" "$(cat "$T/c.out")" $'# closing\n'
lacks "client C: before the fake's 10 s close" "$(cat "$T/c.out")" '# close-frame'
if wait_state '"connections_open":2,' 3; then ok "2 connections left"; else bad "2 connections left" "$(state)"; fi

# --- drop: no close frame ---------------------------------------------------------------
ctl drop '{}' >/dev/null
equals "drop" "$(body)" '{"ok":true,"dropped":2}'
wait_for "$T/a.out" '# closed' 3
wait_for "$T/b.out" '# closed' 3
contains "client A: connection dropped" "$(cat "$T/a.out")" '# closed'
lacks "client A: no close frame" "$(cat "$T/a.out")" '# close-frame'
lacks "client B: no close frame" "$(cat "$T/b.out")" '# close-frame'
if wait_state '"connections_open":0,' 3; then ok "no connection left"; else bad "no connection left" "$(state)"; fi
contains "no connection: raw refused" "$(ctl raw x) $(body)" \
  '409 {"ok":false,"error":"no_connection"}'

# --- state --------------------------------------------------------------------------------
st=$(state)
contains "state: counters" "$st" \
  '{"connections_open":0,"connections_total":4,"connections_open_calls":7,"acks":['
for k in acks unacked bad_frames posts updates responses pongs tickets \
  api_calls envelopes; do
  contains "state has $k" "$st" "\"$k\":"
done
contains "state: posts" "$st" \
  "\"posts\":[{\"channel\":\"C0OPS\",\"text\":\"first\",\"thread_ts\":null,\"ts\":\"$ts1\",\"blocks\":null},{\"channel\":\"C0ALERTS\",\"text\":\"second\",\"thread_ts\":\"1700000000.000001\",\"ts\":\"$ts2\",\"blocks\":[{\"type\":\"divider\"}]}"
contains "state: updates" "$st" \
  "\"updates\":[{\"channel\":\"C0OPS\",\"ts\":\"$ts1\",\"text\":\"edited\",\"blocks\":null}]"
contains "state: responses" "$(jq -c '[.responses[] | select(.via == "response_url")]' <<<"$st")" \
  "[{\"url\":\"$rurl\",\"via\":\"response_url\",\"body\":{\"text\":\"reply 1\",\"response_type\":\"in_channel\"},\"rtt_us\":"
contains "state: tickets" "$st" '"tickets":["t1","t1","t1","t1"]'
# --- click: a block_actions envelope for a button the bot posted ------------------------
api chat.postMessage xoxb-test '{"channel":"C0OPS","text":"b","blocks":[{"type":"actions","elements":[{"type":"button","action_id":"confirm","value":"rerun x --confirm","text":{"type":"plain_text","text":"Confirm"},"style":"danger"}]}]}' >/dev/null
ctl click '{"user":"U0789","user_name":"ann"}' >/dev/null
ck=$(body)
equals "click: the button's value" "$(jq -r .value <<<"$ck")" "rerun x --confirm"
contains "click: a fresh response_url" "$(jq -r .response_url <<<"$ck")" "$B/response/"
ckenv=$(jq -r .envelope_id <<<"$ck")
equals "click: an interactive envelope" \
  "$(state | jq -c --arg e "$ckenv" '.envelopes[] | select(.envelope_id == $e) | [.type,.event_id]')" '["interactive",null]'
ctl click '{"value":"whoami","channel":"C0ALERTS"}' >/dev/null
equals "click: a given value" "$(jq -r .value <<<"$(body)")" "whoami"
ctl click '{"action_id":"nope"}' >/dev/null
equals "click: no such button" "$(body)" '{"ok":false,"error":"no_button"}'

ctl reset '{}' >/dev/null
contains "reset clears the records" "$(state)" '"acks":[],"unacked":[],"bad_frames":0'
ctl click '{}' >/dev/null
equals "click after reset: no buttons known" "$(body)" '{"ok":false,"error":"no_button"}'

# --- exit ----------------------------------------------------------------------------------
for p in "${CPIDS[@]}"; do
  for ((i = 0; i < 40; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
done
left=0
for p in "${CPIDS[@]}"; do kill -0 "$p" 2>/dev/null && left=$((left + 1)); done
equals "clients exited when their socket closed" "$left" 0
kill -TERM "$FPID"
for ((i = 0; i < 40; i++)); do kill -0 "$FPID" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$FPID" 2>/dev/null; then
  bad "fake-slack exits on SIGTERM"
else
  wait "$FPID"
  equals "fake-slack exits 0 on SIGTERM" "$?" 0
  FPID=
fi
if grep -qE 'ERROR|AddressSanitizer|runtime error' "$T/fake.log" "$T"/*.out; then
  bad "no sanitizer reports" "$(grep -hE 'ERROR|AddressSanitizer|runtime error' "$T/fake.log" "$T"/*.out | head -5)"
else
  ok "no sanitizer reports"
fi
finish
