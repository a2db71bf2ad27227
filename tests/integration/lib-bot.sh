# shellcheck shell=bash
# lib-bot.sh: the preamble the integration scripts that run the bot share.
# Source it first thing (it sources lib-assert.sh):
#   . "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
#   bot_setup ob-xx "$@"       # BOT, FAKE; $T, a temp dir; the EXIT trap
#   start_fake "$FAKE" [ARGS]  # $fake_pid, $PORT, $C (its control API)
#   slack_env                  # the bot's Slack tokens and API URL
# and then ctl, state, wait_for, wait_log, bot_port, run_bot and hook below. The cleanup
# stops $bot_pid and $fake_pid (whatever they hold then), runs the
# commands given to on_cleanup, and removes $T unless KEEP is set.

. "$(dirname "${BASH_SOURCE[0]}")/lib-assert.sh"

fake_pid=
bot_pid=
lib_bot_cleanups=()

# More cleanup (a mount, a second fake), run before $T goes.
on_cleanup() { lib_bot_cleanups+=("$1"); }

lib_bot_cleanup() {
  local c
  [ -n "$bot_pid" ] && kill "$bot_pid" 2>/dev/null && wait "$bot_pid" 2>/dev/null
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
  for c in "${lib_bot_cleanups[@]}"; do eval "$c"; done
  if [ -n "${KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}

# The script's arguments OPSBOT FAKE (as absolute paths: BOT, FAKE) and
# its temp dir T=/tmp/PREFIX.XXXXXX, removed at exit.
bot_setup() { # PREFIX OPSBOT [FAKE ...]
  BOT=$(realpath "$2")
  # shellcheck disable=SC2034 # the sourcing script starts it
  [ $# -lt 3 ] || FAKE=$(realpath "$3")
  T=$(mktemp -d "/tmp/$1.XXXXXX")
  trap lib_bot_cleanup EXIT
}

# Starts a fake chat server on $T/port (logging to $T/fake.log) and waits
# for the port it writes: fake_pid, PORT and C (its control API) are set.
start_fake() { # FAKE [ARGS...]
  local fake=$1
  shift
  rm -f "$T/port"
  "$fake" "$T/port" "$@" 2>>"$T/fake.log" &
  fake_pid=$!
  for _ in $(seq 200); do [ -s "$T/port" ] && break; sleep 0.05; done
  PORT=$(cat "$T/port")
  C="http://127.0.0.1:$PORT/_control"
}

ctl() { curl -sf -X POST "$C/$1" -H 'Content-Type: application/json' -d "${2:-{\}}"; }
# With RESPONSES_VIA=response_url, .responses holds only the answers
# posted to response URLs: a host command's ack carries "working on it…",
# which the fake Slack records as an answer too (Slack shows it).
state() {
  if [ -n "${RESPONSES_VIA:-}" ]; then
    curl -sf "$C/state" | jq -c --arg v "$RESPONSES_VIA" \
      '.responses |= (if type == "array" then map(select(.via == $v)) else . end)'
  else
    curl -sf "$C/state"
  fi
}

# Waits until the jq expression over the fake's state is true, polling
# every 0.05 s for at most SECONDS (default $WAIT_FOR_S, else 30); 1 when
# it never is.
wait_for() { # JQ-EXPR [SECONDS]
  local deadline=$((SECONDS + ${2:-${WAIT_FOR_S:-30}}))
  while [ "$SECONDS" -lt "$deadline" ]; do
    [ "$(state 2>/dev/null | jq -r "$1" 2>/dev/null)" = true ] && return 0
    sleep 0.05
  done
  return 1
}

# The Slack the bot talks to: the fake's tokens and its Web API.
# Another writer holds the store DB (sqlite3 in BEGIN IMMEDIATE) until
# release_store; 1 if it never got the lock.
hold_store() { # DB
  mkfifo "$T/lock.in"
  sqlite3 "$1" <"$T/lock.in" >/dev/null 2>&1 &
  lock_pid=$!
  exec 3>"$T/lock.in"
  on_cleanup 'exec 3>&-; kill $lock_pid 2>/dev/null; wait $lock_pid 2>/dev/null'
  echo "BEGIN IMMEDIATE;" >&3
  for _ in $(seq 100); do
    sqlite3 -cmd ".timeout 0" "$1" "BEGIN IMMEDIATE; ROLLBACK;" >/dev/null 2>&1 || return 0
    sleep 0.05
  done
  return 1
}
release_store() {
  echo "COMMIT;" >&3
  exec 3>&-
  wait "$lock_pid" 2>/dev/null
}

slack_env() {
  export SLACK_APP_TOKEN=xapp-test SLACK_BOT_TOKEN=xoxb-test
  export SLACK_API_URL="http://127.0.0.1:$PORT/api/"
}

# Waits until FILE has a line matching PATTERN (grep -E), for at most
# SECONDS (30); 1 when it never does.
wait_log() { # FILE PATTERN [SECONDS]
  local deadline=$((SECONDS + ${3:-30}))
  while [ "$SECONDS" -lt "$deadline" ]; do
    grep -Eqs -- "$2" "$1" && return 0
    sleep 0.05
  done
  return 1
}

# The port of the bot's HTTP listener, from its log ("listening on ...").
bot_port() { # LOGFILE
  sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$1" | head -1
}

# Starts the bot on CONFIG (stderr to ERRLOG, truncated; stdout appended to
# OUT, default $T/bot.out) and waits up to 10 s for its listener: bot_pid,
# BP (its port) and H (its hooks URL) are set; 1 when it never listens.
run_bot() { # CONFIG ERRLOG [OUT]
  local deadline=$((SECONDS + 10))
  "$BOT" --config "$1" </dev/null >>"${3:-$T/bot.out}" 2>"$2" &
  bot_pid=$!
  BP=
  while [ "$SECONDS" -lt "$deadline" ]; do
    BP=$(bot_port "$2")
    [ -n "$BP" ] && break
    kill -0 "$bot_pid" 2>/dev/null || break
    sleep 0.05
  done
  H="http://127.0.0.1:$BP/hooks"
  [ -n "$BP" ]
}

# POSTs BODY to the bot's generic webhook with $TOKEN; prints the HTTP
# status (000: no answer).
hook() { # BODY
  curl -s -o /dev/null -w '%{http_code}' --max-time 20 -X POST "$H/generic" \
    -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" \
    --data-binary "$1"
}
