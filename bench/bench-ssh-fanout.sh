#!/usr/bin/env bash
# Benchmark (issue 15, "Bench"): the ssh path's fan-out without the
# machine's CPU as the limit. 100 simulated hosts, each an ssh alias of
# the one real sshd on loopback, where every remote command first sleeps
# LATENCY (200 ms) through a forced command (authorized_keys
# command="..."), so each host adds latency on the remote side without
# burning local CPU. /health (and /disk, a cheaper host command) for 1
# host and for 100 hosts at remote.concurrency 100: the first round is
# cold (ssh connections being made), the mean of the next ROUNDS is warm
# (ControlMaster connections reused). Prints the one-host time, the
# 100-host time, their ratio (target: within 2x, warm) and the CPU the bot
# and its ssh clients used per round. The own checks (alerts.checks) are
# off: their round of the same probes (every minute) would run beside
# the command's.
# Asserts nothing.
#
# Each alias has its own ControlMaster, as 100 real hosts would: the bot's
# ControlPath is DATA_DIR/ssh/%C, a hash of the host name, port and user,
# so aliases that share HostName 127.0.0.1 would share ONE master. Here
# every alias keeps its own name as the host name and reaches the sshd
# through a ProxyCommand (bash's /dev/tcp and two cats), with HostKeyAlias
# naming the one host key.
#
# usage: bench-ssh-fanout.sh OPSBOT [SOURCE_DIR] [ROUNDS] [LATENCY_S] [run|replay]
set -u
BOT=$(realpath "$1")
SRC=$(realpath "${2:-$(dirname "$0")/..}")
ROUNDS=${3:-3}
LATENCY=${4:-0.2}
MODE=${5:-run}
NHOSTS=100
export SILENT_LISTENER=/bin/false
. "$SRC/tests/integration/lib-sshd.sh"

T=$(mktemp -d /tmp/ob-bs.XXXXXX)
pid=
cleanup() {
  exec 3>&- 2>/dev/null
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  lib_sshd_cleanup
  if [ -n "${KEEP:-}" ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
sshd_start "$T/sshd" >/dev/null || exit 1

# The forced command: the latency, then what the client asked for, run
# as sshd would have run it (the user's shell with -c). With MODE replay
# a simulated host answers without running the probe: the first time a
# script comes (by its length once its nonce is taken out) it is run and
# its output kept, later it is replayed with the new nonce, in bash
# builtins, so the 100 "remote" hosts cost this machine little CPU and
# the figure is the fan-out's, not the probes'.
if [ "$MODE" = replay ]; then
  cat >"$SSHD_BIN/slow-host" <<SH
#!/bin/bash
sleep $LATENCY
cmd=\$SSH_ORIGINAL_COMMAND
rest=\${cmd#*@@opsbot:}
nonce=\${rest%%:*}
[ "\$rest" = "\$cmd" ] && exec "\${SHELL:-/bin/sh}" -c "\$cmd"
plain=\${cmd//@@opsbot:\$nonce:/@@opsbot:N:}
f=$T/replay-\${#plain}
if [ -s "\$f" ]; then
  out=\$(<"\$f")
  printf '%s\\n' "\${out//@@opsbot:N:/@@opsbot:\$nonce:}"
  exit 0
fi
out=\$("\${SHELL:-/bin/sh}" -c "\$cmd")
rc=\$?
printf '%s\\n' "\${out//@@opsbot:\$nonce:/@@opsbot:N:}" >"\$f.\$\$" && mv -f "\$f.\$\$" "\$f"
printf '%s\\n' "\$out"
exit \$rc
SH
else
  cat >"$SSHD_BIN/slow-host" <<SH
#!/bin/sh
sleep $LATENCY
exec "\${SHELL:-/bin/sh}" -c "\$SSH_ORIGINAL_COMMAND"
SH
fi
chmod +x "$SSHD_BIN/slow-host"
# authorized_keys: a bare key line, or options then the key (the
# environment= form lib-sshd uses with an sshd older than 8.7).
awk -v c="command=\"$SSHD_BIN/slow-host\"" \
  '/^ssh-/ { print c " " $0; next } { print c "," $0 }' \
  "$SSHD_DIR/authorized_keys" >"$T/ak" && cat "$T/ak" >"$SSHD_DIR/authorized_keys"

echo "fleet-sshd $(cut -d' ' -f1,2 "$SSHD_DIR/host_ed25519.pub")" >"$T/known_hosts"
CFG=$T/ssh_config
{
  for i in $(seq 1 "$NHOSTS"); do
    echo "Host h$i"
  done
  echo "Host *"
  echo "  Port $SSHD_PORT"
  echo "  User $SSHD_USER"
  echo "  IdentityFile $SSHD_KEY"
  echo "  IdentitiesOnly yes"
  echo "  HostKeyAlias fleet-sshd"
  echo "  ProxyCommand bash -c 'exec 3<>/dev/tcp/127.0.0.1/%p; cat <&3 & exec cat >&3'"
} >"$CFG"

# Wait until FILE has at least N lines matching PATTERN (bounded).
wait_lines() {
  for _ in $(seq 1200); do
    [ "$(grep -c -- "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
    sleep 0.05
  done
  echo "bench: timed out waiting for $2 in $1" >&2
  return 1
}
# CPU ms used by pid and its reaped children (utime stime cutime cstime):
# the bot and its ssh clients (not the ControlMasters, which ssh detaches).
proc_cpu_ms() {
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print int(($12 + $13) * 1000 / hz), int(($14 + $15) * 1000 / hz) }' "/proc/$1/stat"
}
machine_cpu_ms() {
  awk -v hz="$(getconf CLK_TCK)" '/^cpu / { print int(($2 + $3 + $4 + $7 + $8) * 1000 / hz) }' /proc/stat
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# run_size COMMAND N: prints "cold_ms warm_ms bot_cpu_ms ssh_cpu_ms
# all_cpu_ms max_fds unreachable" for COMMAND over hosts h1..hN, CPU per
# warm round.
run_size() {
  local cmd=$1 n=$2 hosts="" i r t0 ms cold=0 total=0 fds=0 f
  local b0=0 s0=0 b1 s1 m0=0
  for i in $(seq 1 "$n"); do
    hosts+="${hosts:+,}{\"name\": \"h$i\", \"mounts\": [{\"path\": \"/\"}]}"
  done
  rm -rf "$T/data"
  cat >"$T/bot.json" <<JSON
{ "bot": { "data_dir": "$T/data" },
  "users": [ { "name": "b", "platform": "console", "id": "*", "roles": ["admin"] } ],
  "alerts": { "listen": "127.0.0.1:0", "checks": { "enabled": false } },
  "remote": { "ssh_config": "$CFG", "known_hosts": "$T/known_hosts",
              "timeout": "30s", "connect_timeout": "30s",
              "concurrency": $NHOSTS },
  "hosts": [ $hosts ] }
JSON
  rm -f "$T/in" "$T/out"
  mkfifo "$T/in"
  "$BOT" --config "$T/bot.json" <"$T/in" >"$T/out" 2>&1 &
  pid=$!
  exec 3>"$T/in"
  for r in $(seq 0 "$ROUNDS"); do
    t0=$(now_ms)
    echo "/$cmd all" >&3
    # Every answer names h1 once at the start of a line ("h1: OK ..."
    # from /health, "h1:" then its mounts from /disk), and only once the
    # whole answer is there (the console prints no partial answers).
    wait_lines "$T/out" "^h1:" $((r + 1)) || break
    ms=$(($(now_ms) - t0))
    f=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
    [ "$f" -gt "$fds" ] && fds=$f
    if [ "$r" -eq 0 ]; then
      cold=$ms
      read -r b0 s0 < <(proc_cpu_ms "$pid")
      m0=$(machine_cpu_ms)
    else
      total=$((total + ms))
    fi
  done
  read -r b1 s1 < <(proc_cpu_ms "$pid")
  local allcpu=$((($(machine_cpu_ms) - m0) / ROUNDS))
  exec 3>&-
  wait "$pid"
  pid=
  # The last round of /health: the bot's own figure for the batch and
  # each host's (from its ssh's start to its exit), to tell queueing
  # before the spawn from time spent on the hosts.
  if [ "$cmd" = health ]; then
    awk -v last="$((ROUNDS + 1))" '/^all: /{ r++ } r == last' "$T/out" |
      sed -nE 's/^all: .* in ([0-9]+) ms.*/batch \1/p; s/^h[0-9]+: [A-Z]+ \(([0-9]+) ms\).*/host \1/p' |
      sort -k2n | awk -v n="$n" '$1 == "batch" { b = $2 } $1 == "host" { h[++k] = $2 }
        END { printf "  /health %d hosts, last round: the bot measured %d ms; per host (ssh start to exit) p50 %d, max %d ms\n", n, b, h[int((k + 1) / 2)], h[k] }' >&2
  fi
  # Close the masters this size left, so the next size starts cold.
  for f in "$T"/data/ssh/*; do [ -S "$f" ] && ssh -o ControlPath="$f" -O exit x 2>/dev/null; done
  echo "$cold $((total / ROUNDS)) $(((b1 - b0) / ROUNDS)) $(((s1 - s0) / ROUNDS)) $allcpu $fds $(grep -c 'UNREACHABLE' "$T/out")"
}

echo "opsbot ssh fan-out bench: $NHOSTS ssh hosts (one master each) on one loopback sshd, ${LATENCY}s remote latency per command ($MODE), remote.concurrency $NHOSTS; $(nproc) cpu"
row() { printf '%-8s %6s %8s %8s %11s %11s %11s %8s %5s\n' "$@"; }
row command hosts cold_ms warm_ms bot_cpu_ms ssh_cpu_ms all_cpu_ms max_fds unrch
for cmd in ${COMMANDS:-health disk}; do
  read -r c1 w1 b1 s1 a1 f1 u1 < <(run_size "$cmd" 1)
  row "/$cmd" 1 "$c1" "$w1" "$b1" "$s1" "$a1" "$f1" "$u1"
  read -r cn wn bn sn an fn un < <(run_size "$cmd" "$NHOSTS")
  row "/$cmd" "$NHOSTS" "$cn" "$wn" "$bn" "$sn" "$an" "$fn" "$un"
  echo "  /$cmd $NHOSTS hosts: $(awk -v b="$bn" -v s="$sn" -v n="$NHOSTS" -v c="$(nproc)" 'BEGIN { printf "%.1f ms of CPU per host on the bot'"'"'s side (itself and its ssh client); the bot'"'"'s side alone needs %.0f ms of this machine'"'"'s %d cpu a round", (b + s) / n, (b + s) / c, c }')"
  echo "  /$cmd ratio $NHOSTS hosts / 1 host: warm $(awk -v a="$wn" -v b="$w1" 'BEGIN { printf "%.2fx", b ? a / b : 0 }'), cold $(awk -v a="$cn" -v b="$c1" 'BEGIN { printf "%.2fx", b ? a / b : 0 }') (target: warm within 2x)"
done
echo "times: from writing the command to the bot's console until its answer is printed (polled every 50 ms)."
echo "per warm round: bot_cpu_ms, the bot's own threads; ssh_cpu_ms, its ssh clients (not the"
echo "ControlMasters, which ssh detaches); all_cpu_ms, the whole machine, which"
echo "here also runs every simulated host's sshd session and remote commands."
