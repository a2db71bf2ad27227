#!/usr/bin/env bash
# Self-test of lib-sshd.sh: starts a real sshd on 127.0.0.1 and drives it
# with the system ssh client using the options the bot uses, then checks
# each failure the bot must tell apart (host key mismatch, auth refused,
# connection refused, banner timeout) and that nothing is left running.
# usage: sshd-selftest.sh /path/to/silent-listener
# shellcheck disable=SC2016 # remote commands are single-quoted on purpose
set -u
if [ $# -ne 1 ]; then
  echo "usage: sshd-selftest.sh SILENT_LISTENER_BIN" >&2
  exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
SILENT_LISTENER=$(realpath "$1")
export SILENT_LISTENER
# shellcheck source=tests/integration/lib-sshd.sh
source "$HERE/lib-sshd.sh"

T=$(mktemp -d /tmp/opsbot-sshd.XXXXXX)
trap 'lib_sshd_cleanup; rm -rf "$T"' EXIT
pass=0
fail=0
T0=$EPOCHREALTIME

. "$(dirname "${BASH_SOURCE[0]}")/lib-assert.sh"
less() { # name got max (decimal seconds)
  if awk -v a="$2" -v b="$3" 'BEGIN { exit !(a < b) }'; then
    ok "$1 (${2}s)"
  else
    bad "$1" "expected under ${3}s, took ${2}s"
  fi
}
since() { # seconds elapsed since $1 (an EPOCHREALTIME)
  awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'
}
show() { # label text: print what ssh said, for the record
  printf '    %s: %s\n' "$1" "$(printf '%s' "$2" | tr -d '\r' | tr '\n' '|')"
}
accepted() { grep -c 'Accepted publickey' "$SSHD_DIR/sshd.log"; }

# --- start-up errors are clear -------------------------------------------------
out=$(SSHD_EXE=/nonexistent/sshd sshd_start "$T/nope" 2>&1); rc=$?
equals "sshd_start without sshd fails" "$rc" 1
contains "and says why" "$out" "install openssh-server"

# --- start -----------------------------------------------------------------------
if ! sshd_start "$T/sshd"; then
  bad "sshd_start" "see above"
  assert_done
  exit 1
fi
ok "sshd_start on 127.0.0.1:$SSHD_PORT (pid $SSHD_PID)"
for v in SSHD_PORT SSHD_PID SSHD_DIR SSHD_KEY SSHD_KNOWN_HOSTS SSHD_USER SSHD_BIN; do
  if [ -n "${!v:-}" ]; then ok "exports $v"; else bad "exports $v"; fi
done
equals "known_hosts line" "$(cut -d' ' -f1,2 "$SSHD_KNOWN_HOSTS")" \
  "[127.0.0.1]:$SSHD_PORT ssh-ed25519"
equals "sshd_start twice refused" "$(sshd_start "$T/again" 2>/dev/null; echo $?)" 1

CM=$T/cm
# Exactly the options the bot passes (ControlPath dir differs per case).
# Extra options come first: for -o, ssh takes the first value given.
bot_ssh() { # CONTROLDIR KEY KNOWN_HOSTS PORT [SSH-OPTION...] -- CMD...
  local cmdir=$1 key=$2 kh=$3 port=$4 extra=()
  shift 4
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    extra+=("$1")
    shift
  done
  shift
  mkdir -p "$cmdir"
  ssh "${extra[@]}" -F none -o BatchMode=yes -o ConnectTimeout=5 \
    -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$kh" \
    -o IdentitiesOnly=yes -i "$key" \
    -o ControlMaster=auto -o ControlPath="$cmdir/cm-%C" \
    -o ControlPersist=30s -p "$port" "$SSHD_USER@127.0.0.1" -- "$@"
}
good() { bot_ssh "$CM" "$SSHD_KEY" "$SSHD_KNOWN_HOSTS" "$SSHD_PORT" -- "$@"; }

# --- happy path, control master ----------------------------------------------------
t=$EPOCHREALTIME
out=$(good 'echo hello' 2>&1); rc=$?
took=$(since "$t")
equals "ssh echo hello exits 0" "$rc" 0
equals "ssh echo hello prints hello" "$out" hello
# $(...) waits for EOF on stdout and stderr: a master that kept the client's
# pipes would hold this for ControlPersist (30 s: long enough that a loaded
# machine cannot let the master expire before the checks that need it).
less "first call (creates master) returns without waiting on it" "$took" 3
check=$(ssh -F none -o ControlPath="$CM/cm-%C" -O check -p "$SSHD_PORT" \
  "$SSHD_USER@127.0.0.1" 2>&1); rc=$?
equals "ssh -O check exits 0" "$rc" 0
contains "ssh -O check says Master running" "$check" "Master running"
show "ssh -O check" "$check"
master=$(sed -n 's/.*pid=\([0-9]*\).*/\1/p' <<<"$check")
n1=$(accepted)
t=$EPOCHREALTIME
out=$(good 'echo again' 2>&1); rc=$?
took2=$(since "$t")
equals "second call exits 0" "$rc" 0
equals "second call output" "$out" again
equals "second call reused the master (no new login in sshd.log)" "$(accepted)" "$n1"
echo "    first call ${took}s, second (multiplexed) ${took2}s"
if [ -n "$master" ]; then
  echo "    process groups (test shell, then master):"
  ps -o pid,ppid,pgid,sid,cmd -p "$$,$master" | sed 's/^/      /'
  read -r msid <<<"$(ps -o sid= -p "$master")"
  read -r mysid <<<"$(ps -o sid= -p $$)"
  if [ "$msid" != "$mysid" ]; then
    ok "master runs in its own session (setsid)"
  else
    bad "master runs in its own session" "sid $msid = ours"
  fi
  fds=""
  for fd in 0 1 2; do
    fds+="$fd->$(readlink "/proc/$master/fd/$fd" 2>/dev/null) "
  done
  equals "master's stdin/stdout/stderr are /dev/null" "$fds" \
    "0->/dev/null 1->/dev/null 2->/dev/null "
else
  bad "master pid from ssh -O check" "$check"
fi

# --- remote PATH -----------------------------------------------------------------
printf '#!/bin/sh\necho "fake autorep $*"\n' >"$SSHD_BIN/autorep"
chmod +x "$SSHD_BIN/autorep"
out=$(good 'command -v autorep' 2>&1)
equals "remote command -v autorep finds SSHD_BIN" "$out" "$SSHD_BIN/autorep"
out=$(good 'autorep -J db' 2>&1)
equals "remote autorep runs the stand-in" "$out" "fake autorep -J db"
out=$(good 'echo "$PATH"' 2>&1)
equals "remote PATH is the one from sshd_config" "$out" \
  "$SSHD_BIN:/usr/local/bin:/usr/bin:/bin"
out=$(LC_OPSBOT_PROBE=sent bot_ssh "$T/cm0" "$SSHD_KEY" "$SSHD_KNOWN_HOSTS" \
  "$SSHD_PORT" -o SendEnv=LC_OPSBOT_PROBE -- \
  'echo "${LC_OPSBOT_PROBE-unset}"' 2>&1)
equals "no client variables accepted (AcceptEnv none)" "$out" unset

# --- aliases -----------------------------------------------------------------------
cfg=$(sshd_ssh_config "$T/aliases" web1 web2 db-3)
equals "sshd_ssh_config echoes its path" "$cfg" "$T/aliases/ssh_config"
for a in web1 db-3; do
  out=$(ssh -F "$cfg" -o BatchMode=yes -o StrictHostKeyChecking=yes \
    -o ConnectTimeout=5 "$a" -- 'echo alias-ok' 2>&1); rc=$?
  equals "alias $a works with -F file" "$rc/$out" "0/alias-ok"
done

# --- failures the bot must tell apart ---------------------------------------------
# A fresh ControlPath dir each: with a live master, ssh would multiplex
# through it and never check keys again.
mkdir -p "$T/fail"
ssh-keygen -q -t ed25519 -N '' -f "$T/fail/other_host" </dev/null
ssh-keygen -q -t ed25519 -N '' -f "$T/fail/other_client" </dev/null
echo "[127.0.0.1]:$SSHD_PORT $(cut -d' ' -f1,2 "$T/fail/other_host.pub")" \
  >"$T/fail/wrong_known_hosts"
: >"$T/fail/empty_known_hosts"

mkdir -p "$T/cm6"
out=$(bot_ssh "$T/cm1" "$SSHD_KEY" "$T/fail/wrong_known_hosts" "$SSHD_PORT" \
  -- 'echo should-not-run' 2>&1); rc=$?
equals "host key mismatch exits 255" "$rc" 255
contains "host key mismatch says so" "$out" "Host key verification failed"
contains "host key mismatch warns it changed" "$out" "REMOTE HOST IDENTIFICATION HAS CHANGED"
show "host key mismatch" "$out"

out=$(bot_ssh "$T/cm2" "$SSHD_KEY" "$T/fail/empty_known_hosts" "$SSHD_PORT" \
  -- 'echo should-not-run' 2>&1); rc=$?
equals "unknown host key exits 255" "$rc" 255
contains "unknown host key says so" "$out" "Host key verification failed"
show "unknown host key" "$out"

out=$(bot_ssh "$T/cm3" "$T/fail/other_client" "$SSHD_KNOWN_HOSTS" "$SSHD_PORT" \
  -- 'echo should-not-run' 2>&1); rc=$?
equals "wrong key exits 255" "$rc" 255
contains "wrong key says Permission denied" "$out" "Permission denied"
show "wrong key" "$out"

cp=$(closed_port)
t=$EPOCHREALTIME
out=$(bot_ssh "$T/cm4" "$SSHD_KEY" "$SSHD_KNOWN_HOSTS" "$cp" \
  -- 'echo should-not-run' 2>&1); rc=$?
took=$(since "$t")
equals "closed port exits 255" "$rc" 255
contains "closed port says Connection refused" "$out" "Connection refused"
less "closed port fails fast" "$took" 1
show "closed port" "$out"

if silent_start "$T/silent"; then
  ok "silent_start on 127.0.0.1:$SILENT_PORT (pid $SILENT_PID)"
  t=$EPOCHREALTIME
  out=$(bot_ssh "$T/cm5" "$SSHD_KEY" "$SSHD_KNOWN_HOSTS" "$SILENT_PORT" \
    -o ConnectTimeout=2 \
    -- 'echo should-not-run' 2>&1); rc=$?
  took=$(since "$t")
  equals "silent listener exits 255" "$rc" 255
  contains "silent listener times out" "$out" "timed out"
  less "silent listener with ConnectTimeout=2 gives up within 3 s" "$took" 3
  show "silent listener (${took}s)" "$out"
else
  bad "silent_start" "see above"
fi

# A failed connection leaves no master and no socket behind.
left=$(find "$T"/cm[1-5] -mindepth 1 -printf '%f ')
equals "failed connections leave no control socket" "$left" ""

# With a live master, a later call does not authenticate again: a wrong key
# or known_hosts file is not noticed (same %C: host, port, user).
out=$(bot_ssh "$CM" "$T/fail/other_client" "$T/fail/wrong_known_hosts" \
  "$SSHD_PORT" -- 'echo via-master' 2>&1); rc=$?
equals "wrong key and known_hosts unnoticed through a live master" "$rc/$out" "0/via-master"

# --- stopping leaves nothing behind -------------------------------------------------
# Unique per test run, so parallel runs do not see each other's.
linger="sleep 97.$$"
linger_re="sleep 97\\.$$"
# A master that would outlive the test, and a remote command whose client
# is killed (the remote side keeps running: ssh does not signal it).
ssh -F none -o BatchMode=yes -o StrictHostKeyChecking=yes \
  -o UserKnownHostsFile="$SSHD_KNOWN_HOSTS" -o IdentitiesOnly=yes \
  -i "$SSHD_KEY" -o ControlMaster=auto -o ControlPath="$T/cm6/cm-%C" \
  -o ControlPersist=60s -p "$SSHD_PORT" "$SSHD_USER@127.0.0.1" -- true \
  </dev/null >/dev/null 2>&1
if ssh -F none -o ControlPath="$T/cm6/cm-%C" -O check -p "$SSHD_PORT" \
  "$SSHD_USER@127.0.0.1" 2>/dev/null; then
  ok "a 60 s master is running before stop"
else
  bad "a 60 s master is running before stop"
fi
ssh -F none -o BatchMode=yes -o StrictHostKeyChecking=yes \
  -o UserKnownHostsFile="$SSHD_KNOWN_HOSTS" -o IdentitiesOnly=yes \
  -i "$SSHD_KEY" -o ControlMaster=no -p "$SSHD_PORT" "$SSHD_USER@127.0.0.1" \
  -- "exec $linger" </dev/null >/dev/null 2>&1 &
bg=$!
for _ in $(seq 1 60); do
  pgrep -x -f "$linger_re" >/dev/null && break
  sleep 0.05
done
kill -TERM "$bg"
{ wait "$bg"; } 2>/dev/null
sleep 0.2
if pgrep -x -f "$linger_re" >/dev/null; then
  ok "remote command outlives its killed client (as on real hosts)"
else
  echo "    note: remote command ended with its killed client"
fi
sshd_pid=$SSHD_PID silent_pid=${SILENT_PID:-}
sessions=$(pgrep -P "$sshd_pid" | tr '\n' ' ')
echo "    sshd sessions before stop: ${sessions:-none}"
sshd_stop
silent_stop
sshd_stop
silent_stop
ok "sshd_stop and silent_stop twice are harmless"

alive() { # pid...: those that are running and not zombies
  local p s
  for p in "$@"; do
    s=$(ps -o stat= -p "$p" 2>/dev/null) || continue
    [[ "$s" == Z* ]] || printf '%s ' "$p"
  done
}
equals "sshd gone" "$(alive "$sshd_pid")" ""
equals "silent-listener gone" "$(alive "$silent_pid")" ""
# shellcheck disable=SC2086
equals "sshd session processes gone" "$(alive $sessions)" ""
# shellcheck disable=SC2046
equals "remote sleep gone" "$(alive $(pgrep -x -f "$linger_re"))" ""
# shellcheck disable=SC2046
stray=$(alive $(grep -lzF -- "$T/" /proc/[0-9]*/cmdline 2>/dev/null |
  sed 's|^/proc/||; s|/cmdline$||' | grep -vx "$$"))
if [ -n "$stray" ]; then
  bad "no process names the test dir" "$(ps -o pid,stat,cmd -p "${stray// /,}" 2>&1)"
else
  ok "no ssh/sshd/silent-listener process names the test dir"
fi

echo "    total $(since "$T0")s"
assert_done
