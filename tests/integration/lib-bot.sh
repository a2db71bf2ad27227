# shellcheck shell=bash
# lib-bot.sh: the preamble the integration scripts that run the bot share.
# Source it first thing (it sources lib-assert.sh):
#   . "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
#   bot_setup ob-xx            # $T, a temp dir; the EXIT trap
#   start_fake "$FAKE" [ARGS]  # $fake_pid, $PORT, $C (its control API)
#   slack_env                  # the bot's Slack tokens and API URL
# and then ctl, state, wait_for, wait_log and bot_port below. The cleanup
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

bot_setup() { # PREFIX: T=/tmp/PREFIX.XXXXXX, removed at exit
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
state() { curl -sf "$C/state"; }

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
