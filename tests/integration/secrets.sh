#!/usr/bin/env bash
# Integration: secrets a user types in Slack never leave in clear. Commands
# with password=, a URL password, a Bearer header and a Slack token go
# through the fake Slack (tests/fakes/fake-slack.c); the audit and outbox
# tables, what the fake received and the log must hold them redacted.
# usage: secrets.sh OPSBOT FAKE_SLACK
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-se "$@"
WAIT_FOR_S=10 # wait_for's bound

start_fake "$FAKE"
cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "debug" },
  "users": [ { "name": "jdoe", "platform": "slack", "id": "U0456", "roles": ["admin"] } ] }
JSON
slack_env
"$BOT" --config "$T/opsbot.json" </dev/null >"$T/bot.out" 2>"$T/bot.err" &
bot_pid=$!
wait_for '.connections_open >= 1' || bad "bot connects" "$(tail -5 "$T/bot.err")"

ctl slash '{"text":"status password=hunter2 postgres://app:S3cretPw@db-01/prod"}' >/dev/null
ctl slash '{"text":"status postgres://app:S3cretPw@db-01/prod"}' >/dev/null
ctl event '{"type":"app_mention","text":"<@U0BOT> whoami -H Authorization: Bearer eyJsecretJWT.x.y","channel":"C0OPS"}' >/dev/null
ctl slash '{"text":"help xoxb-1111-2222-SlackSecret"}' >/dev/null
# The mention's refusal goes as an ephemeral message; the others in
# their acks.
if wait_for '(.responses | length) >= 3'; then ok "the slash commands answered"; else
  bad "the slash commands answered" "$(state | jq -c '.responses')"; fi
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
# The slash answers ride their acks (chat.slack.answer_in_ack): what
# Slack was given is what must be redacted.
answers=$(jq -c '[.responses[].body]' <<<"$sent")
contains "an error reply echoing password=, redacted" "$answers" "password=[REDACTED]"
contains "an error reply echoing a URL, redacted" "$answers" "postgres://app:[REDACTED]@db-01/prod"
for s in hunter2 S3cretPw eyJsecretJWT SlackSecret; do
  lacks "audit lacks $s" "$audit" "$s"
  lacks "outbox lacks $s" "$outbox" "$s"
  lacks "Slack never got $s" "$sent" "$s"
  lacks "log lacks $s" "$(cat "$T/bot.err")" "$s"
done

assert_done
