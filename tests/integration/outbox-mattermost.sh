#!/usr/bin/env bash
# Integration: Mattermost's side of "nothing lost, nothing doubled", as
# outbox-crash and outbox-diskfull are Slack's. A real bot, the fake
# Mattermost.
# 1. SIGKILL while posts are in flight: the fake makes each create at once
#    and answers it 5 s late (_control/slow); the bot is killed twice, each
#    time as soon as a new alert group's post reached the fake, and started
#    again at once. After the last start every group is in the channel
#    exactly once: the retried create carried the same pending_post_id, and
#    the fake (as the server's deduplicateCreatePost, for 30 s) answered
#    with the post it had made. A malformed response URL fails at once,
#    logged once, shortened.
# 2. A full data dir (a 2 MB tmpfs; needs root, skipped otherwise): slash
#    commands are answered directly on their response URL with the store's
#    reason; once space returns, through the outbox again, no restart.
# answer_in_response is off: this is the response URL's path, through the
# outbox (a quick answer otherwise rides the HTTP answer).
# usage: outbox-mattermost.sh OPSBOT FAKE_MATTERMOST
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-om "$@"
WAIT_FOR_S=30 # wait_for's bound

start_fake "$FAKE" --token tok-bot
export MATTERMOST_URL="http://127.0.0.1:$PORT" MATTERMOST_TOKEN=tok-bot
JDOE=user0jdoe00000000000000000
OPS=chanopsprod000000000000000
TOKEN=crash-token-654
write_config() { # FILE DATA_DIR
  cat >"$1" <<JSON
{ "bot": { "data_dir": "$2", "log_level": "debug", "shutdown_grace": "1s" },
  "chat": { "outbox": { "rate": 20, "burst": 20, "max_backoff": "1s" },
            "mattermost": { "command_token": "cmdtok", "answer_in_response": false } },
  "users": [ { "name": "jdoe", "platform": "mattermost", "id": "$JDOE", "roles": ["admin"] } ],
  "alerts": { "listen": "127.0.0.1:0", "token": "$TOKEN",
              "checks": { "enabled": false },
              "route": { "channels": ["mattermost:~ops-prod"], "group_by": ["alertname"],
                         "group_wait": "1s", "group_interval": "2s", "repeat_interval": "1h" } } }
JSON
}
n=0
start_bot() { # CONFIG: each start its own log, the port is read from it
  n=$((n + 1))
  run_bot "$1" "$T/bot$n.err"
}
top_posts() { echo "[.posts[] | select(.root_id == \"\")] | length"; }

# --- 1. SIGKILL with a create in flight ------------------------------------------
write_config "$T/opsbot.json" "$T/data"
DB="$T/data/opsbot.db"
crash_mid_post() { # posts-before: SIGKILL once the next post reached the fake
  if wait_for "$(top_posts) >= $1" 30; then
    kill -KILL "$bot_pid"; wait "$bot_pid" 2>/dev/null; bot_pid=
    ok "SIGKILL with post $1 in flight"
  else
    bad "post $1 reaches the fake" "$(tail -3 "$T/bot$n.err")"
  fi
}
ctl slow '{"delay_ms":5000}' >/dev/null
start_bot "$T/opsbot.json" || { bad "bot starts" "$(tail -5 "$T/bot$n.err")"; assert_done; exit 1; }
wait_for '.connections_open >= 1' || bad "bot connects" "$(tail -5 "$T/bot$n.err")"
equals "three alert groups accepted" \
  "$(hook '{"alerts":[{"name":"CrashA","host":"a"},{"name":"CrashB","host":"b"},{"name":"CrashC","host":"c"}]}')" 200
crash_mid_post 1
equals "the killed create was not marked sent" \
  "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE kind = 'post' AND state = 'pending'")" 3
start_bot "$T/opsbot.json" || bad "bot restarts" "$(tail -5 "$T/bot$n.err")"
crash_mid_post 2
ctl slow '{"count":0}' >/dev/null
start_bot "$T/opsbot.json" || bad "bot restarts again" "$(tail -5 "$T/bot$n.err")"
deadline=$((SECONDS + 60))
while [ "$SECONDS" -lt "$deadline" ]; do
  [ "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE state = 'pending'" 2>/dev/null)" = 0 ] && break
  sleep 0.2
done
equals "everything delivered after the restarts" \
  "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE state != 'sent'")" 0
s=$(state)
for a in CrashA CrashB CrashC; do
  equals "$a posted exactly once" \
    "$(jq -r --arg a "$a" '[.posts[] | select(.root_id == "" and (tostring | contains($a)))] | length' <<<"$s")" 1
done
if [ "$(jq .deduped <<<"$s")" -ge 2 ]; then ok "the retried creates were answered with the posts made ($(jq .deduped <<<"$s"))"
else bad "the retried creates were deduplicated" "$(jq -c '{deduped, posts: [.posts[] | .pending_post_id]}' <<<"$s")"; fi
equals "every create carries its outbox row as pending_post_id" \
  "$(jq -r '[.posts[] | .pending_post_id | test("^botuserid00000000000000000:opsbot[0-9]+$")] | all' <<<"$s")" true
equals "the outbox knows their post ids" \
  "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE platform_id IS NULL")" 0

# A malformed response URL fails for good at once (it used to be retried
# max_attempts times), named once in the log, shortened to its host.
ctl slash "{\"url\":\"http://127.0.0.1:$BP/mattermost/command\",\"token\":\"cmdtok\",\"command\":\"/opsbot\",\"text\":\"whoami\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\",\"response_url\":\"htps://mm.example.invalid/hooks/commands/s3cretpath\",\"wait\":false}" >/dev/null
bad_row() { sqlite3 "$DB" "SELECT state || ' ' || attempts FROM outbox WHERE kind = 'response' AND channel LIKE 'htps:%'"; }
deadline=$((SECONDS + 15))
while [ "$(bad_row)" != "failed 1" ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
equals "a malformed response URL fails for good at once" "$(bad_row)" "failed 1"
contains "with its cause" "$(sqlite3 "$DB" "SELECT last_error FROM outbox WHERE channel LIKE 'htps:%'")" "unusable URL"
equals "the URL is logged once, shortened to its host" "$(cat "$T"/bot*.err | grep -c 'htps://mm.example.invalid/…')" 1
equals "its path never" "$(cat "$T"/bot*.err | grep -c 's3cretpath')" 0
kill "$bot_pid"; wait "$bot_pid" 2>/dev/null; bot_pid=

# --- 2. a full data dir: slash commands answered directly -------------------------
mkdir -p "$T/df"
if ! mount -t tmpfs -o size=2m,mode=0700 opsbot-test "$T/df" 2>"$T/mount.err"; then
  echo "SKIP cannot mount a tmpfs here ($(cat "$T/mount.err")): the full-disk part needs root"
  assert_done
  exit 0
fi
on_cleanup 'umount "$T/df"'
ctl reset >/dev/null
write_config "$T/opsbot-df.json" "$T/df/data"
DB="$T/df/data/opsbot.db"
start_bot "$T/opsbot-df.json" || { bad "bot starts on the tmpfs" "$(tail -5 "$T/bot$n.err")"; assert_done; exit 1; }
wait_for '.connections_open >= 1' || bad "bot connects" "$(tail -5 "$T/bot$n.err")"
slash() { # sends /opsbot whoami through the fake, not waiting for the answer
  ctl slash "{\"url\":\"http://127.0.0.1:$BP/mattermost/command\",\"token\":\"cmdtok\",\"command\":\"/opsbot\",\"text\":\"whoami\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\",\"wait\":false}" >/dev/null
}
slash
wait_for '(.responses | length) >= 1' || bad "answered before the disk fills" "$(tail -5 "$T/bot$n.err")"
audit0=$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE command LIKE '%whoami%'")
ctl reset >/dev/null
dd if=/dev/zero of="$T/df/filler" bs=4k 2>/dev/null
equals "the data dir is full" "$(df --output=avail "$T/df" | tail -1 | tr -d ' ')" 0
for _ in $(seq 10); do slash; done
if wait_for '(.responses | length) >= 10' 30; then ok "10 of 10 commands answered on a full disk"
else bad "10 commands answered on a full disk" "answered: $(state | jq '.responses | length')" "$(grep -E 'store|outbox' "$T/bot$n.err" | tail -3)"; fi
s=$(state)
equals "each says why" "$(jq -r '[.responses[] | tostring | select(contains("the bot cannot write its store"))] | length' <<<"$s")" 10
contains "and still carries the answer" "$(jq -r '.responses[0] | tostring' <<<"$s")" "$JDOE"
kill -0 "$bot_pid" 2>/dev/null && ok "the bot is still running" || bad "the bot is still running" "$(tail -5 "$T/bot$n.err")"
rm -f "$T/df/filler"
ctl reset >/dev/null
slash; slash
wait_for '(.responses | length) >= 2' || bad "answered once space returns" "$(tail -5 "$T/bot$n.err")"
lacks "answered normally once space returns" "$(state | jq -c '.responses')" "cannot write its store"
deadline=$((SECONDS + 10))
while [ "$SECONDS" -lt "$deadline" ]; do
  [ "$(sqlite3 "$DB" "SELECT count(*) - $audit0 FROM audit WHERE command LIKE '%whoami%'")" = 2 ] && break
  sleep 0.1
done
equals "audited again" "$(sqlite3 "$DB" "SELECT count(*) - $audit0 FROM audit WHERE command LIKE '%whoami%'")" 2
equals "delivered through the outbox" "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE kind = 'response' AND state = 'sent'")" 3
assert_done
