#!/usr/bin/env bash
# Integration: the real opsbot against a real sshd on loopback, a closed
# port and a host that accepts TCP but never answers. Checks /health,
# /disk, /logs, /jobs, /top, /rerun and /restart replies against the truth
# (df run directly, the log file written here, the stand-in autorep's
# output), the failure messages, shell-safety of chat input, and the
# audit rows.
# usage: remote.sh OPSBOT SOURCE_DIR SILENT_LISTENER
set -u
BOT=$(realpath "$1")
SRC=$(realpath "$2")
export SILENT_LISTENER=$(realpath "$3")
# shellcheck source=lib-sshd.sh
. "$SRC/tests/integration/lib-sshd.sh"

T=$(mktemp -d /tmp/ob-rt.XXXXXX)
trap 'lib_sshd_cleanup; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
pass=0
fail=0
. "$(dirname "${BASH_SOURCE[0]}")/lib-assert.sh"

sshd_start "$T/sshd" || { echo "FAIL sshd did not start"; echo "0 passed, 1 failed"; exit 1; }
silent_start "$T/silent" || { echo "FAIL silent listener did not start"; echo "0 passed, 1 failed"; exit 1; }
CLOSED=$(closed_port)

# The stand-in AutoSys client on the remote PATH: real autorep output.
cat "$SRC/tests/fixtures/remote/autorep-states.txt" >"$T/autorep.out"
cat >"$SSHD_BIN/autorep" <<SH
#!/bin/sh
echo "\$@" >>"$T/autorep.args"
cat "$T/autorep.out"
SH
cat >"$SSHD_BIN/sendevent" <<SH
#!/bin/sh
echo "\$@" >>"$T/sendevent.args"
SH
# A stopped unit (systemctl is-active exits 3, as systemd's does) and an
# NFS-like mount whose df never returns; everything else is the real tool.
REAL_DF=$(command -v df)
cat >"$SSHD_BIN/systemctl" <<SH
#!/bin/sh
case "\$*" in
*opsbot-stopped.service*) echo inactive; exit 3 ;;
esac
echo unknown; exit 4
SH
cat >"$SSHD_BIN/df" <<SH
#!/bin/sh
case "\$*" in
*"$T/nfs"*) exec sleep 30 ;;
esac
exec "$REAL_DF" "\$@"
SH
chmod +x "$SSHD_BIN/autorep" "$SSHD_BIN/sendevent" "$SSHD_BIN/systemctl" \
  "$SSHD_BIN/df"

# A log with recent and old ERROR lines and a secret.
now=$(date -u +%s)
{
  echo "$(date -u -d @$((now - 7200)) +%Y-%m-%dT%H:%M:%SZ) ERROR old failure"
  echo "$(date -u -d @$((now - 120)) +%Y-%m-%dT%H:%M:%SZ) INFO login user=bob password=hunter2"
  echo "$(date -u -d @$((now - 60)) +%Y-%m-%dT%H:%M:%SZ) ERROR payment gateway timeout"
  echo "$(date -u -d @$((now - 30)) +%Y-%m-%dT%H:%M:%SZ) ERROR payment gateway timeout again"
  echo "$(date -u -d @$((now - 10)) +%Y-%m-%dT%H:%M:%SZ) INFO all good"
} >"$T/app.log"
# 1001 long ERROR lines: 260 KiB, four times remote.output_limit.
pad=$(printf '%0200d' 0)
stamp=$(date -u -d @$((now - 90)) +%Y-%m-%dT%H:%M:%S)
for i in $(seq 1 1001); do
  echo "$stamp.$((i % 1000))Z ERROR request $i failed $pad"
done >"$T/big.log"

ALIASES=$(sshd_ssh_config "$T" box2 svcbox nfsbox)
cat >"$T/opsbot.json" <<JSON
{
  "bot": { "data_dir": "$T/data" },
  "users": [ { "name": "op", "platform": "console", "id": "*", "roles": ["admin"] } ],
  "remote": { "timeout": "4s", "connect_timeout": "2s",
              "known_hosts": "$SSHD_KNOWN_HOSTS", "control_persist": "5s",
              "ssh_config": "$ALIASES" },
  "hosts": [
    { "name": "box1", "transport": "ssh", "address": "127.0.0.1",
      "port": $SSHD_PORT, "user": "$SSHD_USER", "identity_file": "$SSHD_KEY",
      "tags": ["prod"],
      "mounts": [ { "path": "/", "warn": 99, "crit": 100 } ],
      "services": [ { "name": "sshd", "process": "sshd" },
                    { "name": "ghost", "process": "opsbot-ghost",
                      "restart": "true" } ],
      "logs": { "app": "$T/app.log", "gone": "$T/missing.log",
                "big": "$T/big.log" },
      "jobs": { "names": ["FEED_*"] } },
    { "name": "box2", "tags": ["prod"], "mounts": [ { "path": "/" } ] },
    { "name": "svcbox", "tags": ["trust"],
      "services": [ { "name": "batch", "unit": "opsbot-stopped.service" } ] },
    { "name": "nfsbox", "tags": ["trust"],
      "mounts": [ { "path": "$T/nfs" } ] },
    { "name": "closed", "address": "127.0.0.1", "port": $CLOSED,
      "tags": ["prod", "broken"] },
    { "name": "silent", "address": "127.0.0.1", "port": $SILENT_PORT,
      "tags": ["prod", "broken"] }
  ]
}
JSON

# HOST is OK in OUT; WARN for load alone counts too, since the machine
# running the suite may be loaded by other work (load > 2 x cpus).
host_ok() { # name out host
  local block
  block=$(printf '%s\n' "$2" | awk -v h="$3: " 'index($0, h) == 1 { on = 1; print; next } on && /^  - / { print; next } { on = 0 }')
  if [[ "$block" == "$3: OK ("* ]] || { [[ "$block" == "$3: WARN ("* ]] &&
    ! printf '%s\n' "$block" | grep '^  - ' | grep -qv '^  - load '; }; then
    ok "$1"
  else bad "$1" "got: $2"; fi
}
run() { printf '%s\n' "$@" | "$BOT" --config "$T/opsbot.json" 2>&1 | tee -a "$T/transcript"; }
out=$("$BOT" --check-config "$T/opsbot.json" 2>&1)
contains "config checks" "$out" "ok (6 host(s)"

# --- /health on one host -----------------------------------------------------
out=$(run "/health box1")
contains "health names the host and state" "$out" "box1: CRIT ("
contains "health reports uptime and load" "$out" " — up "
contains "health reports memory" "$out" "mem "
contains "ghost service is down" "$out" "service ghost: inactive"
lacks "sshd service is up" "$out" "service sshd:"
contains "recent errors counted, old one not" "$out" "log app: 2 ERROR lines in the last 15m"
contains "unreadable log named" "$out" "log gone: cannot read $T/missing.log"
contains "error lines counted on the host" "$out" "log big: 1001 ERROR lines in the last 15m"
contains "the newest error line as a sample" "$out" "    last: $stamp.1Z ERROR request 1001 failed 000"
contains "the app log's newest error is shown" "$out" "last: $(date -u -d @$((now - 30)) +%Y-%m-%dT%H:%M:%SZ) ERROR payment gateway timeout again"
lacks "counting does not cut the output" "$out" "output cut"
out=$(run "/health box2")
host_ok "an ssh_config alias works" "$out" box2

# --- a stopped service is the service's state, not the host's ------------
out=$(run "/health svcbox")
contains "stopped unit in the last section is CRIT" "$out" "svcbox: CRIT ("
contains "stopped unit named" "$out" "service batch: inactive"
lacks "stopped unit is not unreachable" "$out" "UNREACHABLE"

# --- connected, then df hung ------------------------------------------------
out=$(run "/health nfsbox")
contains "hung df is its own cause" "$out" "nfsbox: CRIT — connected, but \`df\` did not finish in 4 s"
lacks "hung df is not 'no answer'" "$out" "no answer in"

# --- /disk against df run directly ------------------------------------------
truth=$(df -P / | awk 'NR == 2 { print $5 }')
out=$(run "/disk box1")
contains "disk agrees with df" "$out" "  /                 ${truth%\%}% used"
contains "disk shows inodes" "$out" "inodes "

# --- /logs ------------------------------------------------------------------
out=$(run "/logs box1 app --lines 2")
contains "logs header" "$out" "box1 app ($T/app.log):"
contains "logs last line" "$out" "INFO all good"
contains "logs second to last" "$out" "ERROR payment gateway timeout again"
lacks "logs respects --lines" "$out" "password"
out=$(run "/logs box1 app --lines 5")
contains "secrets redacted from log lines" "$out" "password=[REDACTED]"
lacks "secret never shown" "$out" "hunter2"
out=$(run "/logs box1 app ERROR --since 30m")
contains "since keeps recent errors" "$out" "payment gateway timeout again"
lacks "since drops old errors" "$out" "old failure"
lacks "pattern drops other lines" "$out" "all good"
out=$(run "/logs box1 app 'gateway timeout again'")
contains "pattern with spaces is one fixed string" "$out" "timeout again"
out=$(run "/logs box1 app '\$(touch $T/pwned)'" "/logs box1 app '\`touch $T/pwned\`; touch $T/pwned'" "/logs box1 app \"'; touch $T/pwned; '\"")
if [ -e "$T/pwned" ]; then bad "hostile patterns never reach a shell" "$T/pwned exists"; else ok "hostile patterns never reach a shell"; fi
out=$(run "/logs box1 nolog" "/logs nohost app")
contains "unknown log refused with the list" "$out" "unknown log nolog on box1; known: app, gone, big"
contains "unknown host refused with the list" "$out" "unknown host nohost; known: box1, box2, svcbox, nfsbox, closed, silent"

# --- /jobs and /rerun ----------------------------------------------------------
out=$(run "/jobs")
contains "jobs table header" "$out" "JOB"
contains "jobs shows a running job" "$out" "FEED_INTRADAY"
contains "jobs names the status" "$out" "running"
out=$(run "/jobs FEED_HELD")
contains "one job" "$out" "FEED_HELD"
lacks "only that job" "$out" "FEED_INTRADAY"
out=$(run "/jobs EOD_SECRET")
contains "a job outside the inventory is refused" "$out" "job EOD_SECRET is not in the inventory"
out=$(run "/rerun FEED_HELD")
contains "rerun needs --confirm" "$out" "repeat it with --confirm"
contains "the prompt names the job and host" "$out" "Force-start FEED_HELD on box1?"
contains "the prompt gives the job's state now" "$out" "FEED_HELD on box1 is OH (on hold), last start 11/21/2026 07:00:01"
contains "the prompt gives the exact action" "$out" "Confirm runs: sendevent -E FORCE_STARTJOB -J FEED_HELD on box1"
[ -e "$T/sendevent.args" ] && bad "unconfirmed rerun ran nothing" "sendevent ran" || ok "unconfirmed rerun ran nothing"
# It looks before it leaps: a job on its way is not started again.
out=$(run "/rerun FEED_INTRADAY --confirm" "/rerun FEED_WAIT_FILE --confirm" "/rerun FEED_INTRADAY")
contains "a running job is refused with its state" "$out" "FEED_INTRADAY is running since 11/22/2026 07:00:01 on box1; it was not started again"
contains "an activated job is refused" "$out" "FEED_WAIT_FILE is activated since 11/22/2026 06:00:00 on box1; it was not started again"
[ -e "$T/sendevent.args" ] && bad "a running job was not force-started" "sendevent ran: $(cat "$T/sendevent.args")" || ok "a running job was not force-started"
out=$(run "/rerun FEED_GONE --confirm")
contains "a job autorep does not show is not started" "$out" "autorep does not show FEED_GONE, so it was not started"
out=$(run "/rerun FEED_HELD --confirm")
contains "rerun reports" "$out" "box1: force-started FEED_HELD"
equals "sendevent got the right argv" "$(cat "$T/sendevent.args" 2>/dev/null)" "-E FORCE_STARTJOB -J FEED_HELD"
out=$(run "/rerun 'FEED_*' --confirm")
contains "rerun refuses patterns" "$out" "one job name, not a pattern"

# --- /top, /restart -----------------------------------------------------------
sh -c 'while :; do :; done' &
busy=$!
# This test's own ssh sessions while /top runs (every process under its
# sshd): those are the probe's, which /top must leave out. Other sshds
# (another test's, run beside this one) may be listed.
_sessions() { local c; for c in $(_lib_sshd_children "$1"); do echo "$c"; _sessions "$c"; done; }
( while :; do _sessions "$SSHD_PID"; sleep 0.05; done ) >"$T/sessions" 2>/dev/null &
sampler=$!
out=$(run "/top box1")
kill "$busy" "$sampler"; wait "$busy" "$sampler" 2>/dev/null
contains "top has a header" "$out" "PID USER"
contains "top samples current CPU" "$out" "box1: top CPU (over 1 s)"
# The machine may be busy with other work: listed, with real CPU, is the
# test; the lifetime average of ps would show it at whatever it had.
row=$(printf '%s\n' "$out" | awk -v p="$busy" '$1 == p')
if [ -n "$row" ] && awk -v r="$row" 'BEGIN { split(r, f, " "); exit !(f[3] >= 5) }'; then
  ok "a busy process is listed with its current CPU"
else bad "a busy process is listed with its current CPU" "pid $busy not busy in: $out"; fi
own=$(printf '%s\n' "$out" | awk 'NR == FNR { s[$1] = 1; next } ($1 in s) && / sshd/' "$T/sessions" -)
if [ -s "$T/sessions" ] && [ -z "$own" ]; then
  ok "the probe's own session is not listed"
else bad "the probe's own session is not listed" "$own (sessions: $(sort -u "$T/sessions" | tr '\n' ' '))"; fi
out=$(run "/top box1 --mem")
contains "top by memory" "$out" "box1: top memory"
out=$(run "/restart box1 ghost --confirm")
contains "restart re-checks and reports" "$out" "box1: restarted ghost, but it is inactive after 2 s"
out=$(run "/restart box1 nosuch --confirm")
contains "unknown service refused" "$out" "unknown service nosuch on box1; known: sshd, ghost"

# --- failures: closed port, silent host, and a group that includes them ------
start=$(date +%s%N)
out=$(run "/health prod")
ms=$(( ($(date +%s%N) - start) / 1000000 ))
contains "group summary" "$out" "prod: 4 hosts in"
contains "closed port explained" "$out" "closed: UNREACHABLE — unreachable (connection refused)"
if [[ "$out" == *"silent: UNREACHABLE — unreachable (connection timed out)"* || "$out" == *"silent: UNREACHABLE — no answer in 4 s"* ]]; then
  ok "silent host explained"; else bad "silent host explained" "got: $out"; fi
host_ok "the others still answer" "$out" box2
if [ "$ms" -lt 9000 ]; then ok "group answered within the timeout ($ms ms)"; else bad "group answered within the timeout" "took $ms ms"; fi
first=$(printf '%s\n' "$out" | grep -E '^[a-z0-9]+: (OK|WARN|CRIT|UNREACHABLE)' | head -1)
contains "worst first" "$first" "UNREACHABLE"

# --- the trail -----------------------------------------------------------------
db="$T/data/opsbot.db"
equals "rerun audited with confirm" "$(sqlite3 "$db" "SELECT outcome FROM audit WHERE command = '/rerun FEED_HELD --confirm'")" "ok"
equals "unconfirmed rerun audited" "$(sqlite3 "$db" "SELECT outcome FROM audit WHERE command = '/rerun FEED_HELD'")" "unconfirmed"
sock=$(find "$T/data/ssh" -type s 2>/dev/null | head -1)
if [ -n "$sock" ]; then ok "ssh connections are reused (control socket)"; else bad "ssh connections are reused (control socket)" "none in $T/data/ssh"; fi

assert_done
