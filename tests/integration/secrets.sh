#!/usr/bin/env bash
# Integration: secrets a user types in Slack never leave in clear. Commands
# with password=, a URL password, a Bearer header and a Slack token go
# through the fake Slack (tests/fakes/fake-slack.c); the audit and outbox
# tables, what the fake received and the log must hold them redacted.
# usage: secrets.sh OPSBOT FAKE_SLACK
set -u
BOT=$(realpath "$1")
FAKE=$(realpath "$2")
T=$(mktemp -d /tmp/ob-se.XXXXXX)
fake_pid=
bot_pid=
cleanup() {
  [ -n "$bot_pid" ] && kill "$bot_pid" 2>/dev/null && wait "$bot_pid" 2>/dev/null
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
. "$(dirname "${BASH_SOURCE[0]}")/lib-assert.sh"

"$FAKE" "$T/port" 2>"$T/fake.log" &
fake_pid=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
PORT=$(cat "$T/port")
C="http://127.0.0.1:$PORT/_control"
ctl() { curl -sf -X POST "$C/$1" -H 'Content-Type: application/json' -d "${2:-{\}}"; }
state() { curl -sf "$C/state"; }
wait_for() { # jq-expr: true within 10 s
  for _ in $(seq 200); do
    [ "$(state | jq -r "$1")" = true ] && return 0
    sleep 0.05
  done
  return 1
}
cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "debug" },
  "users": [ { "name": "jdoe", "platform": "slack", "id": "U0456", "roles": ["admin"] } ] }
JSON
export SLACK_APP_TOKEN=xapp-test SLACK_BOT_TOKEN=xoxb-test
export SLACK_API_URL="http://127.0.0.1:$PORT/api/"
"$BOT" --config "$T/opsbot.json" </dev/null >"$T/bot.out" 2>"$T/bot.err" &
bot_pid=$!
wait_for '.connections_open >= 1' || bad "bot connects" "$(tail -5 "$T/bot.err")"

ctl slash '{"text":"status password=hunter2 postgres://app:S3cretPw@db-01/prod"}' >/dev/null
ctl slash '{"text":"status postgres://app:S3cretPw@db-01/prod"}' >/dev/null
ctl event '{"type":"app_mention","text":"<@U0BOT> whoami -H Authorization: Bearer eyJsecretJWT.x.y","channel":"C0OPS"}' >/dev/null
ctl slash '{"text":"help xoxb-1111-2222-SlackSecret"}' >/dev/null
# The mention's refusal goes as an ephemeral message; the others on
# their response URLs.
if wait_for '(.responses | length) >= 3'; then ok "answers on the response URLs"; else
  bad "answers on the response URLs" "$(state | jq -c '.responses')"; fi
DB="$T/data/opsbot.db"
for _ in $(seq 50); do
  [ "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE state = 'pending'")" = 0 ] && break
  sleep 0.1
done
audit=$(sqlite3 "$DB" "SELECT command || ' | ' || coalesce(detail, '') FROM audit")
outbox=$(sqlite3 "$DB" "SELECT body FROM outbox")
sent=$(state)
contains "audit: URL password redacted" "$audit" "postgres://app:[REDACTED]@db-01/prod"
contains "audit: password= redacted" "$audit" "password=[REDACTED]"
contains "audit: Bearer redacted" "$audit" "Authorization: [REDACTED]"
contains "outbox: an error reply echoing password=, redacted" "$outbox" "password=[REDACTED]"
contains "outbox: an error reply echoing a URL, redacted" "$outbox" "postgres://app:[REDACTED]@db-01/prod"
for s in hunter2 S3cretPw eyJsecretJWT SlackSecret; do
  lacks "audit lacks $s" "$audit" "$s"
  lacks "outbox lacks $s" "$outbox" "$s"
  lacks "Slack never got $s" "$sent" "$s"
  lacks "log lacks $s" "$(cat "$T/bot.err")" "$s"
done

assert_done
