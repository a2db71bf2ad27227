#!/usr/bin/env bash
# Integration: the console on a real terminal (a detached tmux pane), where
# libedit edits the line. An alert that arrives while a command is half
# typed is printed above the line, and the line is drawn again intact; Up
# recalls the last command; Ctrl-L clears the screen; the history is kept
# in DATA_DIR/console_history, mode 0600, across runs.
# usage: console-tty.sh /path/to/opsbot /path/to/source
set -u
BOT=$(realpath "$1")
SRC=$(realpath "$2")
command -v tmux >/dev/null || { echo "SKIP: tmux is not installed (scripts/deps.sh test)"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
T=$(mktemp -d /tmp/opsbot-tty.XXXXXX)
# A private tmux server: nothing of the user's sessions is touched.
TM=(tmux -S "$T/tmux.sock")
cleanup() { "${TM[@]}" kill-server 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"; }
trap cleanup EXIT
. "$(dirname "${BASH_SOURCE[0]}")/lib-assert.sh"

cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data" },
  "chat": { "console": { "enabled": true, "user": "carol", "prompt": "ops> " } },
  "alerts": { "listen": "127.0.0.1:0", "checks": { "enabled": false },
              "route": { "group_wait": "1s" } },
  "users": [ { "name": "carol", "platform": "console", "roles": ["admin"] } ] }
JSON

pane() { "${TM[@]}" capture-pane -p -t bot 2>/dev/null; }
# The last line of the pane that is not blank: the line being edited
# (tmux drops trailing blanks, so the bare prompt reads "ops>").
last_line() { pane | grep -v '^ *$' | tail -1 | sed 's/ *$//'; }
# wait_pane NEEDLE [N]: until the pane shows NEEDLE at least N times.
wait_pane() {
  local n=${2:-1} deadline=$((SECONDS + 30))
  while [ "$(pane | grep -cF -- "$1")" -lt "$n" ]; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.1
  done
}
wait_last() { # until the edited line reads exactly $1
  local deadline=$((SECONDS + 30))
  while [ "$(last_line)" != "$1" ]; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.1
  done
}
start_bot() {
  rm -f "$T/exit"
  "${TM[@]}" new-session -d -s bot -x 120 -y 40 \
    "LC_ALL=C.UTF-8 '$BOT' --config '$T/opsbot.json'; echo \$? >'$T/exit'; sleep 600"
}
wait_exit() {
  local deadline=$((SECONDS + 30))
  while [ ! -s "$T/exit" ]; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.1
  done
}

start_bot
wait_pane "ops>" || bad "prompt on the terminal" "$(pane)"
port=
for _ in $(seq 300); do
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$T/data/opsbot.log" 2>/dev/null | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || bad "listener port in the log" "$(cat "$T/data/opsbot.log" 2>/dev/null)"

# A command longer than the terminal is wide wraps; its answer is printed
# under all of it (the editor's cursor is on the fresh prompt by then).
long="/status $(printf 'x%.0s' $(seq 150))"
"${TM[@]}" send-keys -t bot "$long" Enter
wait_pane "unexpected argument" || bad "the long command is answered" "$(pane)"
contains "a wrapped command is still whole above its answer" \
  "$("${TM[@]}" capture-pane -p -J -t bot)" "ops> $long"

# A UTF-8 terminal: "é" is one character, typed and edited as one.
"${TM[@]}" send-keys -t bot "/health café" Enter
wait_pane "unknown host or group café" && ok "UTF-8 typed as typed" ||
  bad "UTF-8 typed as typed" "$(pane)"
"${TM[@]}" send-keys -t bot "/health éé" Left BSpace Enter
wait_pane "unknown host or group é;" && ok "one Backspace deletes one UTF-8 character" ||
  bad "one Backspace deletes one UTF-8 character" "$(pane)"

# Half a command, then an alert arrives while it is being typed.
"${TM[@]}" send-keys -t bot "/who"
wait_last "ops> /who" || bad "typed text shows" "$(pane)"
code=$(curl -s -o /dev/null -w '%{http_code}' -m 10 -X POST -H 'Content-Type: application/json' \
  --data @"$SRC/tests/fixtures/alerts/am-firing-3.json" "http://127.0.0.1:$port/hooks/alertmanager")
equals "webhook accepted" "$code" 200
wait_pane "[FIRING:3] DiskFull" || bad "alert printed" "$(pane)"
wait_pane "/ on web-01 is at 96%" || bad "whole alert printed" "$(pane)"
wait_last "ops> /who" &&
  ok "the half-typed line is drawn again under the alert" ||
  bad "the half-typed line is drawn again under the alert" "$(pane)"
out=$(pane)
lacks "the alert does not run into the typed text" "$out" "/who[FIRING"
lacks "the alert does not run into the prompt" "$out" "ops> [FIRING"

# The rest of the command, then Enter: the whole line is the command.
"${TM[@]}" send-keys -t bot "ami" Enter
wait_pane "roles: admin" && ok "/whoami typed across the alert is answered" ||
  bad "/whoami typed across the alert is answered" "$(pane)"
contains "it ran as one command" "$(pane)" "ops> /whoami"
wait_last "ops>" || bad "a fresh prompt after the answer" "$(pane)"

# Up recalls the last command in place of what is typed.
"${TM[@]}" send-keys -t bot "/stat" Up
wait_last "ops> /whoami" && ok "Up recalls the last command" ||
  bad "Up recalls the last command" "$(pane)"
"${TM[@]}" send-keys -t bot Enter
wait_pane "roles: admin" 2 && ok "the recalled command runs" ||
  bad "the recalled command runs" "$(pane)"

# Ctrl-L clears the screen and keeps the line being typed.
"${TM[@]}" send-keys -t bot "/hel" C-l
deadline=$((SECONDS + 30))
while pane | grep -qF "roles: admin" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
lacks "Ctrl-L clears the screen" "$(pane)" "roles: admin"
wait_last "ops> /hel" && ok "Ctrl-L keeps the typed line" || bad "Ctrl-L keeps the typed line" "$(pane)"

# Ctrl-D on an empty line ends the bot like end of input does.
"${TM[@]}" send-keys -t bot C-u C-d
wait_exit && equals "Ctrl-D exits 0" "$(cat "$T/exit")" 0 || bad "Ctrl-D ends the bot" "$(pane)"
H="$T/data/console_history"
if [ -f "$H" ]; then ok "history file written"; else bad "history file written" "missing $H"; fi
equals "history mode 0600" "$(stat -c %a "$H" 2>/dev/null)" 600
contains "history holds the command" "$(cat "$H" 2>/dev/null)" "/whoami"
equals "a repeated command is kept once" "$(grep -c whoami "$H" 2>/dev/null)" 1
"${TM[@]}" kill-session -t bot 2>/dev/null

# A second run reads the history back: Up at once recalls /whoami.
start_bot
wait_pane "ops>" || bad "second run prompts" "$(pane)"
"${TM[@]}" send-keys -t bot Up
wait_last "ops> /whoami" && ok "history survives a restart" ||
  bad "history survives a restart" "$(pane)"
"${TM[@]}" send-keys -t bot C-u C-d
wait_exit || bad "second run ends on Ctrl-D" "$(pane)"
equals "nothing in the log about the editor" "$(grep -c 'no line editing' "$T/data/opsbot.log")" 0

assert_done
