#!/usr/bin/env bash
# Self-test of tests/fakes/fake-mattermost.c: starts the fake on loopback and
# checks its REST side with curl and jq (auth schemes and the 401 AppError,
# users/me, channel lookup, 201 posts, threads, patches, command
# registration, direct channels, injected 429/503, response URLs) and its
# websocket side with the fake's own --client mode (header auth and hello,
# challenge auth, bad token and auth timeout closes, requests before auth,
# posted with the post as a JSON string, mentions, the bot's own posts,
# application ping, WS PING/PONG, raw frames, bad frames, replay after a drop
# with sequence_number, lost sequence -> new hello, --resume), plus slash
# command delivery by the fake (to its own /_control/echo) and the state.
# Needs curl and jq.
# usage: fake-mattermost-selftest.sh FAKE_MATTERMOST_BIN
set -u
if [ $# -ne 1 ]; then
  echo "usage: fake-mattermost-selftest.sh FAKE_MATTERMOST_BIN" >&2
  exit 2
fi
FAKE=$(realpath "$1")
for tool in curl jq; do
  if ! command -v $tool >/dev/null; then
    echo "FAIL $tool is not installed (apt-get install $tool)"
    echo "0 passed, 1 failed"
    exit 1
  fi
done

T=$(mktemp -d /tmp/fake-mm-st.XXXXXX)
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
TOK=tok-bot
BOT=botuserid00000000000000000
JDOE=user0jdoe00000000000000000
PROD=chanopsprod000000000000000
ALERTS=chanopsalerts0000000000000
TEAM=teamacme000000000000000000

. "$(dirname "${BASH_SOURCE[0]}")/lib-assert.sh"
finish() {
  echo "($(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s)"
  assert_done
  exit
}

# req CURL-ARGS...: prints the HTTP status; body in $T/body, headers in $T/hdr
req() { curl -s -m 8 -o "$T/body" -D "$T/hdr" -w '%{http_code}' "$@"; }
body() { cat "$T/body"; }
jb() { jq -c "$1" "$T/body" 2>/dev/null; } # FILTER: applied to the body
rest() { # METHOD PATH [JSON]: with the bot token
  if [ $# -ge 3 ]; then
    req -X "$1" -H "Authorization: Bearer $TOK" \
      -H 'Content-Type: application/json' --data-binary "$3" "$B/api/v4$2"
  else
    req -X "$1" -H "Authorization: Bearer $TOK" "$B/api/v4$2"
  fi
}
ctl() { req --data-binary "$2" "$B/_control/$1"; } # NAME JSON
state() { curl -s -m 5 "$B/_control/state"; }
sq() { state | jq -c "$1"; } # FILTER: applied to the state
alive() { # stop early when the fake died or the run takes too long
  if [ -n "$FPID" ] && ! kill -0 "$FPID" 2>/dev/null; then
    bad "fake-mattermost died" "$(tail -5 "$T/fake.log")"
    finish
  fi
  if [ "$SECONDS" -ge 28 ]; then
    bad "self-test still running after 28 s"
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
wait_state() { # JQ-FILTER [SECONDS]: until the filter on the state is true
  local i n=$(((${2:-5}) * 20))
  for ((i = 0; i < n; i++)); do
    [ "$(sq "$1")" = true ] && return 0
    alive
    sleep 0.05
  done
  return 1
}
client() { # NAME URL-SUFFIX ARGS...: a --client in the background, output in $T/NAME
  local name=$1 suffix=$2
  shift 2
  "$FAKE" --client "$WS$suffix" --seconds 20 "$@" >"$T/$name" 2>&1 &
  CPIDS+=($!)
}
events() { grep -F '"event":' "$T/$1"; }        # NAME: the event lines
event_of() { grep -F "\"event\":\"$2\"" "$T/$1"; } # NAME EVENT

# --- start ---------------------------------------------------------------------
"$FAKE" "$T/port" --token $TOK --auth-timeout-ms 1500 --lifetime-s 60 \
  2>"$T/fake.log" &
FPID=$!
for ((i = 0; i < 100; i++)); do
  [ -s "$T/port" ] && break
  sleep 0.05
done
PORT=$(cat "$T/port" 2>/dev/null)
if ! [[ "$PORT" =~ ^[0-9]+$ ]]; then
  bad "fake-mattermost wrote its port" "$(cat "$T/fake.log")"
  finish
fi
ok "fake-mattermost listening on port $PORT (pid $FPID)"
B=http://127.0.0.1:$PORT
WS=ws://127.0.0.1:$PORT/api/v4/websocket
if command -v ss >/dev/null; then
  contains "bound to 127.0.0.1 only" "$(ss -Hltn "sport = :$PORT")" \
    "127.0.0.1:$PORT"
fi
if [ -e "$T/port.tmp" ]; then bad "no temporary port file left"; else ok "no temporary port file left"; fi

# --- REST auth ---------------------------------------------------------------------
code=$(rest GET /users/me)
equals "users/me: 200 and the bot user" "$code $(body)" \
  "200 {\"id\":\"$BOT\",\"username\":\"opsbot\",\"is_bot\":true}"
contains "users/me: JSON content type" "$(cat "$T/hdr")" "application/json"
equals "auth: Token scheme" "$(req -H "Authorization: Token $TOK" "$B/api/v4/users/me")" 200
equals "auth: scheme is case-insensitive" \
  "$(req -H "authorization: BEARER $TOK" "$B/api/v4/users/me") $(req -H "Authorization: token $TOK" "$B/api/v4/users/me")" \
  "200 200"
equals "auth: ?access_token=" "$(req "$B/api/v4/users/me?access_token=$TOK")" 200
AUTH401='{"id":"api.context.session_expired.app_error","message":"Invalid or expired session, please login again.","detailed_error":"","request_id":"r1","status_code":401}'
code=$(req -H 'Authorization: Bearer nope' "$B/api/v4/users/me")
equals "auth: wrong token -> 401 AppError" "$code $(body)" "401 $AUTH401"
code=$(req "$B/api/v4/users/me")
equals "auth: no token -> 401 AppError" "$code $(body)" "401 $AUTH401"
code=$(req -H "Authorization: Basic $TOK" "$B/api/v4/users/me")
equals "auth: other scheme -> 401" "$code" 401
code=$(req -X POST -H 'Authorization: Bearer nope' -d '{"channel_id":"x"}' "$B/api/v4/posts")
equals "auth: checked on POST /posts too" "$code" 401
code=$(rest GET /no/such/thing)
equals "unknown route: 404 AppError" "$code $(jb .id)" '404 "api.context.404.app_error"'

# --- channel lookup --------------------------------------------------------------------
code=$(rest GET /teams/name/acme/channels/name/ops-prod)
equals "channel ops-prod" "$code $(jb '[.id,.name,.type,.team_id,.display_name]')" \
  "200 [\"$PROD\",\"ops-prod\",\"O\",\"$TEAM\",\"Ops Prod\"]"
code=$(rest GET /teams/name/acme/channels/name/ops-alerts)
equals "channel ops-alerts" "$code $(jb .id)" "200 \"$ALERTS\""
code=$(rest GET "/teams/$TEAM/channels/name/ops-prod")
equals "channel by team id" "$code $(jb .id)" "200 \"$PROD\""
code=$(rest GET /teams/name/acme/channels/name/random)
equals "unknown channel: 404 AppError" "$code $(jb '[.id,.status_code]')" \
  '404 ["app.channel.get_by_name.missing.app_error",404]'
code=$(rest GET /teams/name/other/channels/name/ops-prod)
equals "unknown team: 404" "$code $(jb .status_code)" "404 404"

# --- websocket: header auth, hello ------------------------------------------------
client a.out "" --token $TOK
if wait_for "$T/a.out" '"event":"hello"'; then ok "client A (header auth): hello"; else bad "client A: hello" "$(cat "$T/a.out")"; fi
HELLO=$(event_of a.out hello)
equals "hello: seq 0, user_id, version" \
  "$(jq -c '[.seq,.broadcast.user_id,(.data.server_version|length>0)]' <<<"$HELLO")" \
  "[0,\"$BOT\",true]"
CID_A=$(jq -r .data.connection_id <<<"$HELLO")
if [[ "$CID_A" =~ ^[a-z0-9]{26}$ ]]; then ok "hello: 26-char connection_id ($CID_A)"; else bad "hello: 26-char connection_id" "$CID_A"; fi
lacks "hello: no reply frame before it" "$(cat "$T/a.out")" seq_reply

# --- posts: 201, ids, own post on the websocket -------------------------------------
code=$(rest POST /posts "{\"channel_id\":\"$PROD\",\"message\":\"first\",\"root_id\":\"\",\"props\":{\"attachments\":[{\"text\":\"x\"}]}}")
P1=$(jb .id | tr -d '"')
equals "POST /posts: 201" "$code" 201
equals "post: fields" \
  "$(jb '[.channel_id,.root_id,.message,.user_id,.props.attachments[0].text,(.create_at>1600000000000),(.id|length)]')" \
  "[\"$PROD\",\"\",\"first\",\"$BOT\",\"x\",true,26]"
code=$(rest POST /posts "{\"channel_id\":\"$PROD\",\"message\":\"reply\",\"root_id\":\"$P1\"}")
P2=$(jb .id | tr -d '"')
equals "reply in thread: 201 with root_id" "$code $(jb .root_id)" "201 \"$P1\""
if [[ "$P2" > "$P1" ]]; then ok "post ids increase ($P1 < $P2)"; else bad "post ids increase" "$P1 then $P2"; fi
code=$(rest POST /posts "{\"channel_id\":\"$ALERTS\",\"message\":\"x\",\"root_id\":\"$P1\"}")
equals "root_id of another channel: 400" "$code $(jb .id)" '400 "api.post.create_post.root_id.app_error"'
code=$(rest POST /posts '{"channel_id":"chanunknown000000000000000","message":"x"}')
equals "unknown channel_id: 403 AppError" "$code $(jb .id)" '403 "api.context.permissions.app_error"'
code=$(rest POST /posts '{"channel_id":"dmsomeone","message":"direct"}')
equals "dm... channel: 201" "$code" 201
code=$(rest POST /posts '{"channel_id":')
equals "bad JSON: 400" "$code" 400
code=$(req -X POST -H "Authorization: Bearer $TOK" "$B/api/v4/posts")
equals "POST without a body (no Content-Length): answered 400" "$code" 400
code=$(rest POST /posts "{\"channel_id\":\"$PROD\",\"message\":\"$(head -c 16384 /dev/zero | tr '\0' x)\"}")
equals "message over 16383 runes: 400" "$code" 400
wait_for "$T/a.out" '"seq":3' 3
OWN=$(event_of a.out posted | head -1)
equals "own post broadcast as posted (seq 1)" \
  "$(jq -c '[.seq,.data.channel_type,.data.channel_name,.data.sender_name,(.data.post|fromjson|.id,.user_id,.message)]' <<<"$OWN")" \
  "[1,\"O\",\"ops-prod\",\"@opsbot\",\"$P1\",\"$BOT\",\"first\"]"
equals "own post: no mentions" "$(jq -c '.data.mentions' <<<"$OWN")" null
DMEV=$(event_of a.out posted | sed -n 3p)
equals "DM post: channel_type D, no team" \
  "$(jq -c '[.seq,.data.channel_type,.data.team_id]' <<<"$DMEV")" '[3,"D",""]'

# --- patch ------------------------------------------------------------------------------
code=$(rest PUT "/posts/$P1/patch" '{"message":"edited","props":{"k":"v"}}')
equals "PUT patch: 200 Post" "$code $(jb '[.id,.message,.props.k,(.edit_at>0)]')" \
  "200 [\"$P1\",\"edited\",\"v\",true]"
code=$(rest PUT /posts/post9999999999999999999999/patch '{"message":"x"}')
equals "patch unknown id: 404" "$code $(jb .id)" '404 "app.post.get.app_error"'
wait_for "$T/a.out" '"event":"post_edited"' 3
contains "post_edited event broadcast" "$(event_of a.out post_edited)" '"seq":4'

# --- user posts pushed by the test ------------------------------------------------
ctl post "{\"message\":\"@opsbot health db\",\"user_id\":\"$JDOE\",\"channel_id\":\"$PROD\",\"channel_type\":\"O\",\"channel_name\":\"ops-prod\",\"root_id\":\"\"}" >/dev/null
UP=$(body)
U1=$(jq -r .post_id <<<"$UP")
equals "control post: answer" "$(jq -c '[.seq,.connection_id,.delivered,.queued]' <<<"$UP")" \
  "[5,\"$CID_A\",1,0]"
wait_for "$T/a.out" "$U1" 3
EV=$(grep -F "$U1" "$T/a.out")
equals "posted: data.post is a JSON string" "$(jq -r '.data.post|type' <<<"$EV")" string
equals "posted: the post inside" \
  "$(jq -c '.data.post|fromjson|[.id,.user_id,.channel_id,.message,.type,.root_id]' <<<"$EV")" \
  "[\"$U1\",\"$JDOE\",\"$PROD\",\"@opsbot health db\",\"\",\"\"]"
equals "posted: channel fields, sender, team" \
  "$(jq -c '[.event,.seq,.data.channel_type,.data.channel_name,.data.sender_name,.data.team_id,.broadcast.channel_id]' <<<"$EV")" \
  "[\"posted\",5,\"O\",\"ops-prod\",\"@jdoe\",\"$TEAM\",\"$PROD\"]"
equals "posted: mentions is a JSON-encoded array with the bot" \
  "$(jq -c '.data.mentions|fromjson' <<<"$EV")" "[\"$BOT\"]"
ctl post '{"message":"no mention here, mail opsbot@example.com"}' >/dev/null
U2=$(jq -r .post_id <<<"$(body)")
wait_for "$T/a.out" "$U2" 3
equals "posted without @opsbot: no mentions" \
  "$(grep -F "$U2" "$T/a.out" | jq -c .data.mentions)" null
ctl post "{\"message\":\"hi\",\"channel_id\":\"dmuser0jdoe\",\"root_id\":\"$U1\"}" >/dev/null
U3=$(jq -r .post_id <<<"$(body)")
wait_for "$T/a.out" "$U3" 3
equals "DM from a user: type D, mentions the bot, root_id kept" \
  "$(grep -F "$U3" "$T/a.out" | jq -c '[.data.channel_type,(.data.mentions|fromjson),(.data.post|fromjson|.root_id)]')" \
  "[\"D\",[\"$BOT\"],\"$U1\"]"
code=$(rest POST /posts "{\"channel_id\":\"$PROD\",\"message\":\"on it\",\"root_id\":\"$U1\"}")
equals "bot replies in the thread of a user post: 201" "$code" 201
code=$(rest PUT "/posts/$U1/patch" '{"message":"x"}')
equals "patching someone else's post: 403" "$code" 403
if grep -q '^# seq-gap' "$T/a.out"; then bad "client A: no seq gap" "$(grep '^# seq-gap' "$T/a.out")"; else ok "client A: no seq gap"; fi

# --- application ping, unknown action, PING/PONG ---------------------------------------
client b.out "" --challenge $TOK --send '{"seq":2,"action":"ping"}' \
  --send '{"seq":3,"action":"get_statuses"}' --send '{"seq":0,"action":"ping"}' \
  --send '{"seq":4}'
wait_for "$T/b.out" '"seq_reply":4' 3
B_OUT=$(cat "$T/b.out")
contains "challenge auth: OK reply" "$B_OUT" '{"status":"OK","seq_reply":1}'
HELLO_B=$(event_of b.out hello)
CID_B=$(jq -r .data.connection_id <<<"$HELLO_B")
equals "challenge auth: hello seq 0, new connection id" \
  "$(jq -c .seq <<<"$HELLO_B") $([ "$CID_B" != "$CID_A" ] && echo new)" "0 new"
equals "app ping: pong reply" \
  "$(grep -F '"seq_reply":2' "$T/b.out" | jq -c '[.status,.data.text,.data.version!=null,.data.server_time>0]')" \
  '["OK","pong",true,true]'
contains "unknown action: OK reply" "$B_OUT" '{"status":"OK","seq_reply":3}'
contains "seq 0: FAIL bad_seq" "$B_OUT" '"status":"FAIL","seq_reply":0,"error":{"id":"api.web_socket_router.bad_seq.app_error"'
contains "no action: FAIL no_action" "$B_OUT" '"status":"FAIL","seq_reply":4,"error":{"id":"api.web_socket_router.no_action.app_error"'
ctl ping '{}' >/dev/null
equals "PING sent on both sockets" "$(jb .sent)" 2
if wait_state '.pongs == 2' 3; then ok "2 PONGs counted"; else bad "2 PONGs counted" "$(sq .pongs)"; fi
equals "app pings counted" "$(sq '[.app_pings,.ws_actions.ping,.ws_actions.get_statuses]')" '[1,1,1]'

# --- bad tokens, no auth, requests before auth -------------------------------------------
client c.out "" --challenge wrong --send '{"seq":2,"action":"ping"}'
client d.out "" --send '{"seq":1,"action":"ping"}' # no auth at all: closed at 1.5 s
client e.out "" --token wrong                       # bad header token: no hello, may challenge
wait_for "$T/c.out" '# closed' 3
C_OUT=$(cat "$T/c.out")
equals "bad challenge token: closed, no frame, no close frame" \
  "$(grep -vc '^# ' "$T/c.out") $(grep -c '^# close-frame' "$T/c.out")" "0 0"
contains "bad challenge token: connection closed" "$C_OUT" '# closed'
wait_for "$T/d.out" '"seq_reply":1' 3
contains "request before auth: FAIL not_authenticated" "$(cat "$T/d.out")" \
  '{"status":"FAIL","seq_reply":1,"error":{"id":"api.web_socket_router.not_authenticated.app_error"'
lacks "bad header token: no hello" "$(cat "$T/e.out")" '"event":"hello"'
if wait_for "$T/d.out" '# closed' 4; then ok "no auth: closed after the auth timeout"; else bad "no auth: closed after the auth timeout" "$(cat "$T/d.out")"; fi
lacks "no auth: no close frame" "$(cat "$T/d.out")" '# close-frame'
wait_for "$T/e.out" '# closed' 3
contains "bad header token: closed after the auth timeout too" "$(cat "$T/e.out")" '# closed'
equals "auth counters" "$(sq '[.auth_header,.auth_challenge,.auth_failed,.auth_timeouts]')" '[1,1,1,2]'

# --- raw frames, bad frame ------------------------------------------------------------------
ctl raw 'raw {not json' >/dev/null
equals "raw goes to the newest socket" "$(jb .conn)" 2
wait_for "$T/b.out" 'raw {not json' 2
equals "raw text frame" "$(grep -cxF 'raw {not json' "$T/b.out")" 1
req --data-binary 'abcd' "$B/_control/raw?binary=1" >/dev/null
wait_for "$T/b.out" 'BINARY 4' 2
contains "raw binary frame" "$(cat "$T/b.out")" 'BINARY 4'
client f.out "" --token $TOK --send 'this is not json'
if wait_for "$T/f.out" '# closed' 3; then ok "bad frame from the client: socket closed"; else bad "bad frame: socket closed" "$(cat "$T/f.out")"; fi
equals "bad frame counted" "$(sq '[.bad_frames,.bad_frame_samples[0]]')" '[1,"this is not json"]'

# --- drop, post while disconnected, replay with sequence_number ----------------------------
ctl drop '{}' >/dev/null
equals "drop" "$(body)" '{"ok":true,"dropped":2}'
wait_for "$T/a.out" '# closed' 3
wait_for "$T/b.out" '# closed' 3
lacks "client A: dropped without a close frame" "$(cat "$T/a.out")" '# close-frame'
if wait_state '.connections_open == 0' 3; then ok "no socket left"; else bad "no socket left" "$(sq .connections_open)"; fi
NEXT_A=$(($(events a.out | tail -1 | jq .seq) + 1))
equals "client A saw every event before the drop" \
  "$(sq ".sessions[] | select(.connection_id == \"$CID_A\") | .next_seq")" "$NEXT_A"
ctl post '{"message":"@opsbot while you were away"}' >/dev/null
R1=$(body)
equals "post with no socket: kept for replay in all 3 sessions" \
  "$(jq -c "[.seqs[\"$CID_A\"],.delivered,.queued]" <<<"$R1")" "[$NEXT_A,0,3]"
R1_ID=$(jq -r .post_id <<<"$R1")
client g.out "?connection_id=$CID_A&sequence_number=$NEXT_A" --token $TOK
wait_for "$T/g.out" "$R1_ID" 3
G_EV=$(events g.out)
equals "resume: the missed event replayed with its seq, no hello" \
  "$(jq -sc 'map([.event,.seq])' <<<"$G_EV")" "[[\"posted\",$NEXT_A]]"
ctl post '{"message":"@opsbot after resume"}' >/dev/null
equals "resume: numbering goes on" "$(jq -c '[.seq,.connection_id]' "$T/body")" \
  "[$((NEXT_A + 1)),\"$CID_A\"]"
wait_for "$T/g.out" '@opsbot after resume' 3
contains "resumed socket gets new events" "$(events g.out | tail -1)" "\"seq\":$((NEXT_A + 1))"
equals "replayed and resumes counted" "$(sq '[.replayed,.resumes]')" '[1,1]'

# a sequence_number from before the last 2 events: both replayed
ctl drop '{}' >/dev/null
wait_for "$T/g.out" '# closed' 3
wait_state '.connections_open == 0' 3
client h.out "?connection_id=$CID_A&sequence_number=1" --token $TOK
wait_for "$T/h.out" "\"seq\":$((NEXT_A + 1))" 3
equals "resume from seq 1: everything since replayed in order" \
  "$(events h.out | jq -sc 'map(.seq)')" "$(seq 1 $((NEXT_A + 1)) | jq -sc .)"
lacks "resume from seq 1: no hello" "$(cat "$T/h.out")" '"event":"hello"'

# lost: a sequence_number beyond what was sent -> new connection id and hello
ctl drop '{}' >/dev/null
wait_for "$T/h.out" '# closed' 3
wait_state '.connections_open == 0' 3
client i.out "?connection_id=$CID_A&sequence_number=999" --token $TOK
wait_for "$T/i.out" '"event":"hello"' 3
CID_I=$(event_of i.out hello | jq -r .data.connection_id)
equals "seq not kept: new hello with seq 0 and a new id" \
  "$(event_of i.out hello | jq -c .seq) $([ "$CID_I" != "$CID_A" ] && echo new)" "0 new"
client j.out "?connection_id=zzzzzzzzzzzzzzzzzzzzzzzzzz&sequence_number=3" --token $TOK
wait_for "$T/j.out" '"event":"hello"' 3
contains "unknown connection id: new hello" "$(event_of j.out hello)" '"seq":0'
client k.out "?connection_id=$CID_B&sequence_number=1" --challenge $TOK
wait_for "$T/k.out" '"event":"hello"' 3
lacks "challenge auth never resumes: new id" "$(event_of k.out hello)" "$CID_B"
client l.out "?connection_id=$CID_B" --token $TOK
wait_for "$T/l.out" '# closed' 3
equals "known id without sequence_number: closed at once" \
  "$(grep -vc '^# ' "$T/l.out")" 0

# the client's --resume: drop, post, resume
ctl drop '{}' >/dev/null
for f in i j k; do wait_for "$T/$f.out" '# closed' 3; done
client m.out "" --token $TOK --resume --resume-delay-ms 1000
wait_for "$T/m.out" '"event":"hello"' 3
ctl drop '{}' >/dev/null
ctl post '{"message":"@opsbot missed by m"}' >/dev/null
wait_for "$T/m.out" 'missed by m' 4
contains "--resume: reconnected with connection_id and sequence_number" \
  "$(cat "$T/m.out")" '# resume /api/v4/websocket?connection_id='
equals "--resume: missed event replayed at seq 1, one hello" \
  "$(events m.out | jq -sc 'map([.event,.seq])')" '[["hello",0],["posted",1]]'
lacks "--resume: no seq gap" "$(cat "$T/m.out")" '# seq-gap'

# --- commands, slash delivery, response URLs ---------------------------------------------
code=$(rest POST /commands "{\"team_id\":\"$TEAM\",\"trigger\":\"opsbot\",\"url\":\"$B/_control/echo\",\"method\":\"P\",\"auto_complete\":true,\"display_name\":\"Ops\"}")
CMD_TOK=$(jb .token | tr -d '"')
CMD_ID=$(jb .id | tr -d '"')
equals "POST /commands: 201, trigger, creator" "$code $(jb '[.trigger,.method,.creator_id,(.id|length)]')" \
  "201 [\"opsbot\",\"P\",\"$BOT\",26]"
if [[ "$CMD_TOK" =~ ^[a-z0-9]{26}$ ]]; then ok "command token: 26 chars"; else bad "command token: 26 chars" "$CMD_TOK"; fi
code=$(rest POST /commands "{\"team_id\":\"$TEAM\",\"trigger\":\"opsbot\",\"url\":\"$B/x\",\"method\":\"P\"}")
equals "duplicate trigger: 400" "$code $(jb .id)" '400 "api.command.duplicate_trigger.app_error"'
code=$(rest POST /commands "{\"team_id\":\"$TEAM\",\"trigger\":\"x\",\"url\":\"$B/x\",\"method\":\"POST\"}")
equals "method POST (not P): 400" "$code" 400
code=$(rest GET "/commands?team_id=$TEAM&custom_only=true")
equals "GET /commands: the team's commands, with tokens" "$code $(jb '[.[] | .trigger, .token]')" "200 [\"opsbot\",\"$CMD_TOK\"]"
code=$(rest GET "/commands?team_id=teamother00000000000000000&custom_only=true")
equals "GET /commands of another team: 403" "$code" 403
code=$(rest GET "/commands")
equals "GET /commands without team_id: 400" "$code" 400
CMD_JSON=$(state | jq -c '.commands_registered[0]')
code=$(rest PUT "/commands/$CMD_ID" "$(jq -c --arg u "$B/elsewhere" '.url = $u' <<<"$CMD_JSON")")
equals "PUT /commands/{id}: 200, url changed, token kept" "$code $(jb '[.url,.token]')" "200 [\"$B/elsewhere\",\"$CMD_TOK\"]"
code=$(rest PUT "/commands/$CMD_ID" "$CMD_JSON")
equals "PUT /commands/{id} back: 200" "$code $(jb .url)" "200 \"$B/_control/echo\""
code=$(rest PUT "/commands/cmdnosuch00000000000000000" "$CMD_JSON")
equals "PUT /commands/{unknown}: 404" "$code" 404
code=$(rest POST /channels/direct "[\"$BOT\",\"$JDOE\"]")
equals "direct channel: 201, type D, dm id" "$code $(jb '[.type,(.id|startswith("dm")),(.id|length)]')" \
  '201 ["D",true,26]'

# A button click: the action JSON to the button's integration URL.
code=$(rest POST /posts "{\"channel_id\":\"$PROD\",\"message\":\"b\",\"props\":{\"attachments\":[{\"text\":\"t\",\"actions\":[{\"id\":\"confirm\",\"name\":\"Confirm\",\"type\":\"button\",\"integration\":{\"url\":\"$B/_control/echo\",\"context\":{\"command\":\"whoami\",\"token\":\"t0\"}}}]}]}}")
BPOST=$(jb .id | tr -d '"')
ctl click "{\"post_id\":\"$BPOST\",\"action_id\":\"confirm\"}" >/dev/null
equals "click: POSTs JSON to the integration URL, no auth, answer recorded" \
  "$(jb '[.status,.post_id,.action_id,.body.request.content_type,.body.request.authorization]')" \
  "[200,\"$BPOST\",\"confirm\",\"application/json\",\"\"]"
equals "click: the 5.4 fields, context as stored" \
  "$(jb '.request | [.user_id,.channel_id,.team_id,.post_id,.type,.context]')" \
  "[\"$JDOE\",\"$PROD\",\"$TEAM\",\"$BPOST\",\"button\",{\"command\":\"whoami\",\"token\":\"t0\"}]"
ctl click '{"context":{"forged":true}}' >/dev/null
equals "click: newest post with buttons by default; context can be forged" "$(jb '[.post_id,.request.context]')" "[\"$BPOST\",{\"forged\":true}]"
equals "click: no such post: 404" "$(ctl click '{"post_id":"post0000000000000000009999"}')" 404
# The click route takes [A-Za-z0-9]+ ids only: alert_ack never gets there.
code=$(rest POST /posts "{\"channel_id\":\"$PROD\",\"message\":\"u\",\"props\":{\"attachments\":[{\"text\":\"t\",\"actions\":[{\"id\":\"alert_ack\",\"name\":\"Ack\",\"type\":\"button\",\"integration\":{\"url\":\"$B/_control/echo\",\"context\":{}}}]}]}}")
UPOST=$(jb .id | tr -d '"')
ctl click "{\"post_id\":\"$UPOST\"}" >/dev/null
equals "click: an id outside [A-Za-z0-9]+ gets the router's 404, no request" \
  "$(jb '[.status,.action_id,(.error|startswith("api.context.404.app_error")),.request]')" '[404,"alert_ack",true,null]'
equals "such a button is listed in dead_buttons" "$(sq '.dead_buttons')" "[{\"post_id\":\"$UPOST\",\"id\":\"alert_ack\"}]"
equals "click_results in the state" "$(sq '.click_results | length')" 3

ctl slash '{"command":"/opsbot","text":"status prod-db"}' >/dev/null
SL=$(body)
equals "slash to the registered URL: bot answered 200" \
  "$(jq -c '[.status,.error,.method,.body.text]' <<<"$SL")" \
  '[200,null,"POST","echo: /opsbot status prod-db"]'
equals "slash: Authorization Token, form, Accept JSON" \
  "$(jq -c '.body.request|[.authorization,.content_type,.accept]' <<<"$SL")" \
  "[\"Token $CMD_TOK\",\"application/x-www-form-urlencoded\",\"application/json\"]"
equals "slash: form fields" \
  "$(jq -c '.body.request.form|[.token,.team_id,.team_domain,.channel_id,.channel_name,.user_id,.user_name,.command,.text]' <<<"$SL")" \
  "[\"$CMD_TOK\",\"$TEAM\",\"acme\",\"$PROD\",\"ops-prod\",\"$JDOE\",\"jdoe\",\"/opsbot\",\"status prod-db\"]"
RURL=$(jq -r '.body.request.form.response_url' <<<"$SL")
contains "slash: response_url on this fake" "$RURL" "$B/hooks/commands/"
equals "slash: trigger_id sent" "$(jq -r '.body.request.form.trigger_id|length>0' <<<"$SL")" true
ctl slash "{\"url\":\"$B/_control/echo?status=500\",\"token\":\"t2\",\"text\":\"fail me\",\"method\":\"G\"}" >/dev/null
equals "slash by GET, answer 500 recorded" \
  "$(jb '[.status,.method,.body.request.method,.body.request.form.text,.body.request.form.token]')" \
  '[500,"GET","GET","fail me","t2"]'
DEAD=$( (ctl slash '{"url":"http://127.0.0.1:1/cmd"}' >/dev/null; jb '[.status,(.error|startswith("connect"))]') )
equals "slash to a closed port: status 0 and an error" "$DEAD" '[0,true]'
code=$(ctl slash '{"url":"http://192.0.2.1/cmd"}')
equals "slash only to 127.0.0.1" "$code" 400
ctl slash "{\"text\":\"async\",\"wait\":false}" >/dev/null
equals "slash with wait:false answers at once" "$(jb .pending)" true
if wait_state '.slash_results | length == 4' 3; then ok "4 slash results recorded"; else bad "4 slash results recorded" "$(sq .slash_results)"; fi

codes=
for i in 1 2 3 4 5 6; do
  codes="$codes $(req -H 'Content-Type: application/json' \
    -d "{\"text\":\"reply $i\",\"response_type\":\"in_channel\"}" "$RURL")"
done
equals "response_url: 5 uses, then 400" "$codes" " 200 200 200 200 200 400"
equals "response_url: 6th is an AppError" "$(jb .id)" '"web.command_webhook.invalid.app_error"'
equals "response_url: unknown one 400" \
  "$(req -d '{}' "$B/hooks/commands/hook9999999999999999999999")" 400

# --- injected 429 and 503 -------------------------------------------------------------------
ctl ratelimit '{"method":"POST /api/v4/posts","count":1,"retry_after":2}' >/dev/null
code=$(rest POST /posts "{\"channel_id\":\"$PROD\",\"message\":\"r\"}")
equals "ratelimit: HTTP 429" "$code" 429
equals "ratelimit: Retry-After header" \
  "$(tr -d '\r' <"$T/hdr" | grep -ix 'retry-after: 2')" "retry-after: 2"
contains "ratelimit: X-Ratelimit headers" "$(tr -d '\r' <"$T/hdr" | tr '[:upper:]' '[:lower:]')" "x-ratelimit-remaining: 0"
equals "ratelimit: next call goes through" \
  "$(rest POST /posts "{\"channel_id\":\"$PROD\",\"message\":\"r2\"}")" 201
ctl ratelimit '{"method":"PUT /api/v4/posts/{id}/patch","count":1,"status":503}' >/dev/null
equals "injected 503 on patch (route name)" "$(rest PUT "/posts/$P1/patch" '{"message":"y"}')" 503
equals "then 200" "$(rest PUT "/posts/$P1/patch" '{"message":"y"}')" 200
ctl ratelimit '{"method":"GET /api/v4/users/me","count":1,"status":500}' >/dev/null
equals "injected 500 on a literal path" "$(rest GET /users/me)" 500

# --- state, counts, reset ----------------------------------------------------------------------
st=$(state)
for k in connections_open connections_total auth_header auth_challenge replayed \
  posts patches responses slash_results pongs app_pings commands_registered; do
  if jq -e "has(\"$k\")" <<<"$st" >/dev/null; then ok "state has $k"; else bad "state has $k" "${st:0:300}"; fi
done
equals "state: posts recorded" "$(jq -c '.posts[0]|[.id,.channel_id,.message,.root_id,.props.attachments[0].text]' <<<"$st")" \
  "[\"$P1\",\"$PROD\",\"first\",\"\",\"x\"]"
equals "state: patches" "$(jq -c '.patches[0]|[.id,.message,.props]' <<<"$st")" \
  "[\"$P1\",\"edited\",{\"k\":\"v\"}]"
equals "state: responses" "$(jq -c '[.responses[] | select(.via == "response_url")] | [length,.[0].body.text,.[0].url]' <<<"$st")" \
  "[5,\"reply 1\",\"$RURL\"]"
equals "state: a slash command's HTTP answer is one of its responses" \
  "$(jq -c '[.responses[] | select(.via == "slash")][0] | [.body.text, .url]' <<<"$st")" \
  "[\"echo: /opsbot status prod-db\",\"$RURL\"]"
equals "state: commands registered" "$(jq -c '[.commands_registered[0].trigger,.commands_registered[0].token]' <<<"$st")" \
  "[\"opsbot\",\"$CMD_TOK\"]"
equals "state: api_calls by route" "$(jq -c '.api_calls["POST /api/v4/posts"] > 5' <<<"$st")" true
equals "counts" "$(curl -s "$B/_control/counts" | jq -c '[.posts,.patches,.responses,.slash_results,.commands_registered]')" \
  "$(jq -c '[(.posts|length),(.patches|length),(.responses|length),(.slash_results|length),(.commands_registered|length)]' <<<"$st")"
ctl reset '{}' >/dev/null
equals "reset clears the records" \
  "$(sq '[(.posts|length),(.patches|length),(.responses|length),(.slash_results|length),.pongs,.app_pings,.replayed]')" \
  '[0,0,0,0,0,0,0]'
equals "reset keeps registered commands" "$(sq '.commands_registered|length')" 1
equals "unknown control: 404" "$(ctl nope '{}')" 404

# --- exit ------------------------------------------------------------------------------------------
ctl drop '{}' >/dev/null
for p in "${CPIDS[@]}"; do
  for ((i = 0; i < 40; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
done
left=0
for p in "${CPIDS[@]}"; do kill -0 "$p" 2>/dev/null && left=$((left + 1)); done
equals "clients exited when their socket closed" "$left" 0
kill -TERM "$FPID"
for ((i = 0; i < 40; i++)); do kill -0 "$FPID" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$FPID" 2>/dev/null; then
  bad "fake-mattermost exits on SIGTERM"
else
  wait "$FPID"
  equals "fake-mattermost exits 0 on SIGTERM" "$?" 0
  FPID=
fi
if grep -qE 'ERROR|AddressSanitizer|runtime error|LeakSanitizer' "$T/fake.log" "$T"/*.out; then
  bad "no sanitizer reports" "$(grep -hE 'ERROR|AddressSanitizer|runtime error|LeakSanitizer' "$T/fake.log" "$T"/*.out | head -5)"
else
  ok "no sanitizer reports"
fi
finish
