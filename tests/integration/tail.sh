#!/usr/bin/env bash
# Integration: /tail against a real sshd on loopback, following a log a
# background writer appends to. Lines appear in the edited message,
# PATTERN filters on the host, a secret is redacted, a flood is counted
# ("… N lines skipped"), --for expires on its
# own, tail.max_running refuses one more naming who runs the others,
# /tail stop ends one, and SIGTERM ends the rest with a last edit; after
# each end (a SIGKILLed bot's too) no `tail` of that log remains on the
# host (the remote side
# ends with the ssh session, see adapters/hosts/follow.c).
# usage: tail.sh OPSBOT SOURCE_DIR
set -u
BOT=$(realpath "$1")
SRC=$(realpath "$2")
# shellcheck source=lib-sshd.sh
. "$SRC/tests/integration/lib-sshd.sh"

T=$(mktemp -d /tmp/ob-tl.XXXXXX)
writer=
pid=
cleanup() {
  [ -n "$writer" ] && kill "$writer" 2>/dev/null
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
  pkill -KILL -f -- "$T/app.log" 2>/dev/null
  lib_sshd_cleanup
  [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
pass=0
fail=0
. "$(dirname "${BASH_SOURCE[0]}")/lib-assert.sh"

sshd_start "$T/sshd" || { echo "FAIL sshd did not start"; echo "0 passed, 1 failed"; exit 1; }

# The writer: a numbered line every 50 ms; every fifth an ERROR carrying a
# secret that must never reach chat.
: >"$T/app.log"
(
  i=0
  while :; do
    i=$((i + 1))
    if [ $((i % 5)) -eq 0 ]; then
      echo "n=$i ERROR payment failed password=s3cr3t$i"
    else
      echo "n=$i INFO request ok"
    fi
    sleep 0.05
  done >>"$T/app.log"
) &
writer=$!

cat >"$T/opsbot.json" <<JSON
{
  "bot": { "data_dir": "$T/data", "shutdown_grace": "5s" },
  "chat": { "console": { "user": "op" } },
  "users": [ { "name": "op", "platform": "console", "id": "*", "roles": ["operator"] } ],
  "alerts": { "checks": { "enabled": false } },
  "remote": { "timeout": "4s", "connect_timeout": "3s",
              "known_hosts": "$SSHD_KNOWN_HOSTS" },
  "tail": { "max_running": 2, "max_per_user": 5 },
  "hosts": [
    { "name": "box1", "transport": "ssh", "address": "127.0.0.1",
      "port": $SSHD_PORT, "user": "$SSHD_USER", "identity_file": "$SSHD_KEY",
      "logs": { "app": "$T/app.log" } }
  ]
}
JSON

# Remote tails of this log still running on the host (it is this machine).
remote_tails() { pgrep -fc -- "tail -n 10 -F -- $T/app.log" 2>/dev/null || true; }
# Waits up to 20 s for remote_tails to be N.
wait_tails() { # N
  local deadline=$((SECONDS + 20))
  while [ "$(remote_tails)" != "$1" ]; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.1
  done
}
# Waits up to 30 s for the bot's output to contain TEXT (COUNT times).
wait_out() { # TEXT [COUNT]
  local deadline=$((SECONDS + 30))
  while [ "$(grep -cF -- "$1" "$T/out" 2>/dev/null)" -lt "${2:-1}" ]; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.1
  done
}
# Output since byte offset FROM.
since() { tail -c +"$(($1 + 1))" "$T/out"; }
size() { stat -c %s "$T/out"; }

mkfifo "$T/in"
"$BOT" --config "$T/opsbot.json" <"$T/in" >"$T/out" 2>"$T/err" &
pid=$!
exec 3>"$T/in"

# --- --for expires on its own ---------------------------------------------
printf '/tail box1 app --for 6s\n' >&3
wait_out "Tail 1 started: box1 app for 6s" && ok "tail 1 started" || bad "tail 1 started" "$(cat "$T/out" "$T/err")"
wait_out "(updated) box1 app — live" && ok "a live edit came" || bad "a live edit came" "$(cat "$T/out")"
# A flood between two edits: the window keeps the newest, the rest counted.
seq 1 5000 | sed 's/^/flood /' >>"$T/app.log"
if wait_out " lines skipped"; then ok "a flood is counted"; else bad "a flood is counted" "$(tail -30 "$T/out")"; fi
contains "the flood's newest line is shown" "$(cat "$T/out")" "flood 5000"
if wait_out "box1 app — ended after 6s"; then ok "--for 6s expired"; else bad "--for 6s expired" "$(tail -20 "$T/out")"; fi
out=$(cat "$T/out")
contains "new lines appear in the edit" "$out" " INFO request ok"
contains "errors appear too" "$out" " ERROR payment failed password=[REDACTED]"
lacks "the secret never reaches chat" "$out" "s3cr3t"
wait_tails 0 && ok "no remote tail after expiry" || bad "no remote tail after expiry" "$(pgrep -af -- "$T/app.log")"

# --- PATTERN filters on the host ------------------------------------------
off=$(size)
printf '/tail box1 app ERROR\n' >&3
wait_out 'Tail 2 started: box1 app (lines with "ERROR")' && ok "tail 2 started" || bad "tail 2 started" "$(since "$off")"
wait_out '(updated) box1 app "ERROR" — live' 2 && ok "the filtered tail was edited" || bad "the filtered tail was edited" "$(since "$off")"
out=$(since "$off")
contains "matching lines shown" "$out" "ERROR payment failed password=[REDACTED]"
lacks "other lines filtered out" "$out" "INFO request ok"
lacks "the secret never reaches chat (filtered)" "$out" "s3cr3t"
contains "grep runs on the host" "$(pgrep -af -- 'grep -F --line-buffered -e ERROR' || true)" "grep"
equals "one remote tail" "$(remote_tails)" 1

# --- max_running: a third one is refused, naming who runs the others -----
# Tail 3 matches nothing: its tail and grep never write, so only the
# session's end (not a failed write) can end them on the host.
printf '/tail box1 app NOMATCH3\n' >&3
wait_out "Tail 3 started" && ok "tail 3 started" || bad "tail 3 started" "$(since "$off")"
wait_tails 2 && ok "two remote tails" || bad "two remote tails" "$(remote_tails)"
off=$(size)
printf '/tail box1 app INFO\n' >&3
wait_out "(tail.max_running)" && ok "a third running tail refused" || bad "a third running tail refused" "$(since "$off")"
out=$(since "$off")
contains "refusal names the limit" "$out" "2 tails are running, the most at once (tail.max_running)"
contains "refusal names tail 2 and its owner" "$out" '2: box1 app "ERROR" — op'
contains "refusal names tail 3" "$out" '3: box1 app "NOMATCH3" — op'
equals "still two remote tails" "$(remote_tails)" 2

# --- /tail stop ends one, and its remote tail ------------------------------
off=$(size)
printf '/tail stop 3\n' >&3
wait_out "Stopped tail 3 (box1 app)." && ok "/tail stop 3 answered" || bad "/tail stop 3 answered" "$(since "$off")"
contains "the last edit names who stopped it" "$(since "$off")" 'box1 app "NOMATCH3" — stopped by op'
wait_tails 1 && ok "the stopped tail's remote process is gone" || bad "the stopped tail's remote process is gone" "$(pgrep -af -- "$T/app.log")"
lacks "its grep is gone too" "$(pgrep -af -- 'grep -F --line-buffered -e NOMATCH3' || true)" "grep"

# --- SIGTERM: the last edit, and nothing left on the host -----------------
printf '/tail box1 app NOMATCH4\n' >&3
wait_out "Tail 4 started" && ok "tail 4 started" || bad "tail 4 started" "$(since "$off")"
wait_tails 2 && ok "two remote tails again" || bad "two remote tails again" "$(remote_tails)"
off=$(size)
kill -TERM "$pid"
deadline=$((SECONDS + 20))
while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then bad "the bot exits on SIGTERM" "still running"; else ok "the bot exits on SIGTERM"; fi
wait "$pid"; rc=$?
equals "exit status 0" "$rc" 0
pid=
out=$(since "$off")
contains "the final edit says why (tail 2)" "$out" 'box1 app "ERROR" — stopped: bot shutting down'
contains "the final edit says why (tail 4)" "$out" 'box1 app "NOMATCH4" — stopped: bot shutting down'
wait_tails 0 && ok "no remote tail after shutdown" || bad "no remote tail after shutdown" "$(pgrep -af -- "$T/app.log")"
lacks "no remote grep after shutdown" "$(pgrep -af -- 'grep -F --line-buffered -e NOMATCH' || true)" "grep"
equals "no ssh client left" "$(pgrep -fc -- "ControlPath=none.*$T/app.log" || true)" 0
exec 3>&-

# --- SIGKILL: no last word, but the host still sees the input end ---------
rm -f "$T/in"
mkfifo "$T/in"
"$BOT" --config "$T/opsbot.json" <"$T/in" >>"$T/out" 2>>"$T/err" &
pid=$!
exec 3>"$T/in"
printf '/tail box1 app NOMATCH5\n' >&3
wait_out "Tail 1 started: box1 app (lines with \"NOMATCH5\")" && ok "a tail after a restart" || bad "a tail after a restart" "$(tail -5 "$T/out")"
wait_tails 1 && ok "its remote tail runs" || bad "its remote tail runs" "$(remote_tails)"
kill -KILL "$pid"
wait "$pid" 2>/dev/null
pid=
exec 3>&-
wait_tails 0 && ok "no remote tail after SIGKILL" || bad "no remote tail after SIGKILL" "$(pgrep -af -- "$T/app.log")"
equals "no ssh client left after SIGKILL" "$(pgrep -fc -- "ControlPath=none.*$T/app.log" || true)" 0

# --- the audit: each start and each end ------------------------------------
q() { sqlite3 "$T/data/opsbot.db" "$1"; }
equals "audit: six /tail commands ok" "$(q "SELECT count(*) FROM audit WHERE command LIKE '/tail%' AND outcome = 'ok'")" 6
equals "audit: the refusal" "$(q "SELECT count(*) FROM audit WHERE command = '/tail box1 app INFO' AND outcome <> 'ok'")" 1
equals "audit: how each ended" "$(q "SELECT group_concat(detail, '|') FROM (SELECT detail FROM audit WHERE outcome = 'ended' ORDER BY id)")" \
  "ended after 6s|stopped by op|stopped: bot shutting down|stopped: bot shutting down"
assert_done
