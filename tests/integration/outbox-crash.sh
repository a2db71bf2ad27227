#!/usr/bin/env bash
# Integration: a crash while a post is in flight does not post it twice.
# The fake Slack answers chat.postMessage 5 s late (the post itself is
# made at once), so a SIGKILL lands while the bot waits for the answer:
# twice, each time as soon as a new group message reaches the fake. After
# the last restart every group message is in the channel exactly once: the
# bot found the ones already posted (by their outbox row in the message
# metadata, through conversations.history) instead of posting them again.
# usage: outbox-crash.sh OPSBOT FAKE_SLACK
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-oc "$@"
WAIT_FOR_S=30 # wait_for's bound

# Real-time ts, as Slack gives: the lookup goes back from the row's time.
start_fake "$FAKE" --ts-seconds "$(date +%s)"

TOKEN=crash-token-321
cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "debug", "shutdown_grace": "1s" },
  "chat": { "outbox": { "rate": 20, "burst": 20, "max_backoff": "1s" } },
  "alerts": { "listen": "127.0.0.1:0", "token": "$TOKEN",
              "checks": { "enabled": false },
              "route": { "channels": ["slack:#ops-alerts"], "group_by": ["alertname"],
                         "group_wait": "1s", "group_interval": "2s", "repeat_interval": "1h" } } }
JSON
slack_env
DB="$T/data/opsbot.db"
n=0
start_bot() { # each start its own log: the hooks port is read from it
  n=$((n + 1))
  run_bot "$T/opsbot.json" "$T/bot$n.err"
}
top_posts() { echo "[.posts[] | select(.thread_ts == null)] | length"; }
crash_mid_post() { # posts-before: SIGKILL once the next post reached the fake
  if wait_for "$(top_posts) >= $1" 30; then
    kill -KILL "$bot_pid"; wait "$bot_pid" 2>/dev/null; bot_pid=
    ok "SIGKILL with post $1 in flight"
  else
    bad "post $1 reaches the fake" "$(tail -3 "$T/bot$n.err")"
  fi
}

ctl slow '{"method":"chat.postMessage","delay_ms":5000}' >/dev/null
start_bot || { bad "bot starts" "$(tail -5 "$T/bot$n.err")"; assert_done; exit 1; }
wait_for '.connections_open >= 1' || bad "bot connects"
equals "three alert groups accepted" \
  "$(hook '{"alerts":[{"name":"CrashA","host":"a"},{"name":"CrashB","host":"b"},{"name":"CrashC","host":"c"}]}')" 200
crash_mid_post 1
start_bot || bad "bot restarts" "$(tail -5 "$T/bot$n.err")"
crash_mid_post 2
ctl slow '{"method":"chat.postMessage","delay_ms":0,"count":0}' >/dev/null
start_bot || bad "bot restarts again" "$(tail -5 "$T/bot$n.err")"
for _ in $(seq 300); do
  [ "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE state = 'pending'" 2>/dev/null)" = 0 ] && break
  sleep 0.1
done
s=$(state)
for a in CrashA CrashB CrashC; do
  equals "$a posted exactly once" \
    "$(jq -r --arg a "$a" '[.posts[] | select(.thread_ts == null and (.text | contains($a)))] | length' <<<"$s")" 1
done
equals "every post carries its outbox row" \
  "$(jq -r '[.posts[] | .metadata.event_type == "opsbot_outbox" and (.metadata.event_payload.row | type) == "number"] | all' <<<"$s")" true
contains "the bot said it found them" "$(cat "$T"/bot*.err)" "was posted before"
equals "the outbox knows their ts" \
  "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE state = 'sent' AND platform_id IS NOT NULL")" \
  "$(sqlite3 "$DB" "SELECT count(*) FROM outbox")"
assert_done
