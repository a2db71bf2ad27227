#!/usr/bin/env bash
# Integration: the bot keeps its HTTP connections. 40 slash commands, one
# at a time, are answered on their response URLs over a few kept
# connections (one or two per worker thread), not one connection each as
# when every request had its own libcurl handle: a connection per message
# was the largest CPU cost of a command's answer (and a TLS handshake each
# against the real Slack).
# usage: http-keepalive.sh OPSBOT FAKE_SLACK
set -u
BOT=$(realpath "$1")
FAKE=$(realpath "$2")
N=40
T=$(mktemp -d /tmp/ob-hk.XXXXXX)
fake_pid=
bot_pid=
cleanup() {
  [ -n "$bot_pid" ] && kill "$bot_pid" 2>/dev/null && wait "$bot_pid" 2>/dev/null
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
  if [ -n "${KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
. "$(dirname "${BASH_SOURCE[0]}")/lib-assert.sh"

"$FAKE" "$T/port" 2>"$T/fake.log" &
fake_pid=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
PORT=$(cat "$T/port")
C="http://127.0.0.1:$PORT/_control"
counts() { curl -sf "$C/counts"; }
wait_count() { # jq-expr value [tries of 0.1 s]
  for _ in $(seq "${3:-300}"); do
    [ "$(counts | jq -r "$1" 2>/dev/null)" -ge "$2" ] 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
cat >"$T/bot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "info", "worker_threads": 4 },
  "users": [ { "name": "b", "platform": "slack", "id": "*", "roles": ["admin"] } ] }
JSON
SLACK_APP_TOKEN=xapp-test SLACK_BOT_TOKEN=xoxb-test \
  SLACK_API_URL="http://127.0.0.1:$PORT/api/" \
  "$BOT" --config "$T/bot.json" </dev/null >/dev/null 2>"$T/bot.err" &
bot_pid=$!
wait_count .connections_open 1 || bad "bot connected" "$(tail -5 "$T/bot.err")"
before=$(counts | jq .api_connections)
# The fake pushes each command when the previous one is answered.
curl -sf -X POST "$C/slash" -H 'Content-Type: application/json' \
  -d "{\"text\":\"whoami\",\"count\":$N,\"chain\":true}" >/dev/null
wait_count .responses "$N" 600 || bad "all $N commands answered" "$(counts)"
used=$(( $(counts | jq .api_connections) - before ))
ok_if() { if eval "$2"; then ok "$1"; else bad "$1" "$3"; fi; }
ok_if "$N answers over kept connections ($used new)" "[ $used -le 10 ]" \
  "$used connections for $N answers"
assert_done
