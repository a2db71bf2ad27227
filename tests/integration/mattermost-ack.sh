#!/usr/bin/env bash
# Integration: a Mattermost slash command's cost on the bot's side.
# 1. Its HTTP 200 goes out before the command waits on the store
#    (docs/protocols.md §5.2: Mattermost waits for that answer). The store
#    is held by another writer (sqlite3 holding BEGIN IMMEDIATE): the 200
#    must come while it is held, not after the bot's 5 s busy timeout,
#    both for a command that only reads (whoami: its answer is the 200's
#    body, its audit row written once the store is let go) and for one
#    that answers on its response URL (health), whose answer arrives once
#    the store is free.
# 2. An answer on the response URL goes out from the loop thread
#    (mattermost_start.c), not through the worker pool: with the only
#    worker held by a post the fake answers 20 s late, it still arrives.
# usage: mattermost-ack.sh OPSBOT FAKE_MATTERMOST
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-mack "$@"
command -v sqlite3 >/dev/null || { echo "SKIP no sqlite3 command here"; exit 0; }

start_fake "$FAKE" --token tok-bot
export MATTERMOST_URL="http://127.0.0.1:$PORT" MATTERMOST_TOKEN=tok-bot
JDOE=user0jdoe00000000000000000
OPS=chanopsprod000000000000000
cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "info", "shutdown_grace": "1s",
           "worker_threads": 1 },
  "chat": { "mattermost": { "command_token": "cmdtok" } },
  "users": [ { "name": "jdoe", "platform": "mattermost", "id": "$JDOE", "roles": ["admin"] } ],
  "alerts": { "listen": "127.0.0.1:0", "checks": { "enabled": false } } }
JSON
run_bot "$T/opsbot.json" "$T/bot.err" || { bad "bot starts" "$(tail -5 "$T/bot.err")"; assert_done; exit 1; }
wait_for '.connections_open >= 1' || bad "bot connects" "$(tail -5 "$T/bot.err")"
slash() { # TEXT; prints the fake's record of the slash command's answer
  curl -s --max-time "${2:-20}" -X POST "$C/slash" -H 'Content-Type: application/json' \
    -d "{\"url\":\"http://127.0.0.1:$BP/mattermost/command\",\"token\":\"cmdtok\",\"command\":\"/opsbot\",\"text\":\"$1\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}"
}
equals "a slash command is taken" "$(slash whoami | jq -r .status)" 200
wait_for '(.responses | length) >= 1' || bad "its answer arrives" "$(tail -3 "$T/bot.err")"

# Another writer holds the store until told to let go.
hold_store "$T/data/opsbot.db" || bad "the store is held by another writer" "sqlite3 never took the lock"
# 3 s: well inside the 5 s the bot's store waits for the lock.
r=$(slash 'whoami' 3)
equals "the 200 comes while the store is held" "$(jq -r .status <<<"$r" 2>/dev/null)" 200
contains "carrying whoami's answer" "$(jq -r '.body | tostring' <<<"$r")" "jdoe"
equals "a command that answers later: its 200 comes too" "$(slash 'health nowhere' 3 | jq -r .status 2>/dev/null)" 200
equals "the held audit row waits" "$(sqlite3 "$T/data/opsbot.db" "SELECT count(*) FROM audit")" 1
release_store
RESPONSES_VIA=response_url wait_for '(.responses | length) >= 1' || bad "the held command is answered once the store is free" "$(tail -3 "$T/bot.err")"
contains "with its answer" "$(RESPONSES_VIA=response_url state | jq -r '.responses[0].body | tostring')" "unknown host or group nowhere"
for _ in $(seq 50); do [ "$(sqlite3 "$T/data/opsbot.db" "SELECT count(*) FROM audit")" = 3 ] && break; sleep 0.1; done
equals "then both audit rows, in order" "$(sqlite3 "$T/data/opsbot.db" "SELECT group_concat(command, ',') FROM (SELECT command FROM audit ORDER BY id)")" "whoami,whoami,health nowhere"

# --- 2. the answer does not wait for a worker ----------------------------------
ctl slow '{"delay_ms":20000,"count":1}' >/dev/null
ctl post "{\"message\":\"!status\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" >/dev/null
wait_for '(.posts | length) >= 1' 10 || bad "the held post reaches the fake" "$(tail -3 "$T/bot.err")"
slash 'health nowhere' >/dev/null
if RESPONSES_VIA=response_url wait_for '(.responses | length) >= 2' 5; then
  ok "the slash answer arrives while the only worker is held"
else
  bad "the slash answer arrives while the only worker is held" "$(tail -3 "$T/bot.err")"
fi
assert_done
