#!/usr/bin/env bash
# Integration: a slash command's answer on its response URL goes out from
# the loop thread (bot/outbox_start.c, http_loop.c), not through the
# worker pool. With the one worker held by a chat.postEphemeral the fake
# Slack answers 20 s late (the bot waits 10 s, its HTTP timeout, then
# tries again), /opsbot whoami is still answered at once on its response
# URL and its row marked sent; the held ephemeral goes out after. A send
# still in flight at shutdown leaves its row pending.
# Slack's answer_in_ack is off: this is the response URL's path, through
# the outbox (a quick answer otherwise rides the command's ack).
# usage: outbox-loop-send.sh OPSBOT FAKE_SLACK
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-ols "$@"
start_fake "$FAKE"
cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "debug", "shutdown_grace": "1s",
           "worker_threads": 1 },
  "alerts": { "listen": "127.0.0.1:0", "checks": { "enabled": false } },
  "chat": { "slack": { "answer_in_ack": false } },
  "users": [ { "name": "ann", "platform": "slack", "id": "U0456", "roles": ["admin"] } ] }
JSON
slack_env
run_bot "$T/opsbot.json" "$T/bot.err" || { bad "bot starts" "$(tail -5 "$T/bot.err")"; assert_done; exit 1; }
wait_for '.connections_open >= 1' || bad "bot connects" "$(tail -5 "$T/bot.err")"
q() { sqlite3 "$T/data/opsbot.db" "$1"; }

# The only worker waits for chat.postEphemeral's answer (a mention's
# whoami is answered to its asker alone).
ctl slow '{"method":"chat.postEphemeral","delay_ms":20000,"count":1}' >/dev/null
ctl event '{"type":"app_mention","text":"<@U0BOT> whoami","user":"U0456","channel":"C0OPS"}' >/dev/null
wait_for '(.ephemerals | length) >= 1' 10 || bad "the mention's answer reaches the fake" "$(tail -3 "$T/bot.err")"
ctl slash '{"text":"whoami","user_id":"U0456","channel_id":"C0OPS"}' >/dev/null
if wait_for '(.responses | length) >= 1' 5; then
  ok "the slash answer arrives while the worker is held"
  contains "with whoami's answer" "$(state | jq -r '.responses[0].body | tostring')" "U0456"
else
  bad "the slash answer arrives while the worker is held" "$(tail -3 "$T/bot.err")"
fi
sent=
for _ in $(seq 100); do
  [ "$(q "SELECT state FROM outbox WHERE kind = 'response'")" = sent ] && { sent=1; break; }
  sleep 0.05
done
if [ -n "$sent" ]; then ok "its row is marked sent"; else bad "its row is marked sent" "$(q "SELECT state, last_error FROM outbox WHERE kind = 'response'")"; fi
equals "the held ephemeral is still in flight" "$(q "SELECT state FROM outbox WHERE kind != 'response'")" pending
# Once its answer comes, the ephemeral is marked sent too.
deadline=$((SECONDS + 40))
while [ "$SECONDS" -lt "$deadline" ]; do
  [ "$(q "SELECT count(*) FROM outbox WHERE state != 'sent'")" = 0 ] && break
  sleep 0.2
done
equals "everything sent once the ephemeral's answer came" "$(q "SELECT count(*) FROM outbox WHERE state != 'sent'")" 0
equals "the response URL got the answer once" "$(state | jq '.responses | length')" 1

# --- a loop-thread send in flight at shutdown -----------------------------------
# A response URL that holds its answer 20 s (the fake's slowed method):
# the bot stops after its 1 s grace, cleanly, and the row stays pending
# for the next start.
ctl slow '{"method":"chat.postEphemeral","delay_ms":20000,"count":1}' >/dev/null
ctl slash "{\"text\":\"whoami\",\"user_id\":\"U0456\",\"channel_id\":\"C0OPS\",\"response_url\":\"http://127.0.0.1:$PORT/api/chat.postEphemeral\"}" >/dev/null
for _ in $(seq 100); do
  [ "$(q "SELECT count(*) FROM outbox WHERE state = 'pending'")" = 1 ] && break
  sleep 0.05
done
sleep 0.3
kill -TERM "$bot_pid"
wait "$bot_pid"
equals "the bot stops cleanly with the send in flight" "$?" 0
bot_pid=
equals "its row stays pending" "$(q "SELECT state FROM outbox WHERE target LIKE '%chat.postEphemeral'")" pending
assert_done
