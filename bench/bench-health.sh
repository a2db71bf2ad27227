#!/usr/bin/env bash
# Benchmark: /health over 1, 10, 50 and 100 inventory hosts, all ssh
# aliases of one real sshd on loopback. For each size: the first /health
# all (cold: ssh connections being made) and the mean of the next ones
# (warm: connections reused through ControlMaster), as measured by the bot
# (probe batch wall time), plus the bot's peak RSS (VmHWM), and where the
# CPU went during the warm rounds: the bot with its ssh clients (what a
# real deployment pays locally) against the whole machine (here also
# every simulated host's sshd session and remote commands). The own
# checks (alerts.checks) are off: their round of the same probes, every
# minute from a minute after the start, would run beside the measured ones.
# usage: bench-health.sh OPSBOT [SOURCE_DIR] [ROUNDS]
set -u
BOT=$(realpath "$1")
SRC=$(realpath "${2:-$(dirname "$0")/..}")
ROUNDS=${3:-5}
export SILENT_LISTENER=/bin/false
. "$SRC/tests/integration/lib-sshd.sh"

T=$(mktemp -d /tmp/ob-bh.XXXXXX)
trap 'exec 3>&- 2>/dev/null; lib_sshd_cleanup; rm -rf "$T"' EXIT
sshd_start "$T/sshd" >/dev/null || exit 1
aliases=()
for i in $(seq 1 100); do aliases+=("h$i"); done
CFG=$(sshd_ssh_config "$T" "${aliases[@]}")

# Wait until FILE has at least N lines matching PATTERN (bounded).
wait_lines() {
  for _ in $(seq 600); do
    [ "$(grep -c "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
    sleep 0.05
  done
  echo "bench: timed out waiting for $2 in $1" >&2
  return 1
}

echo "opsbot /health fan-out bench ($(nproc) cpu; every host is an alias of one loopback sshd)"
# CPU ms used by pid and its reaped children (utime stime cutime cstime).
proc_cpu_ms() {
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print int(($12 + $13 + $14 + $15) * 1000 / hz) }' "/proc/$1/stat"
}
# Busy CPU ms of the whole machine so far.
machine_cpu_ms() {
  awk -v hz="$(getconf CLK_TCK)" '/^cpu / { print int(($2 + $3 + $4 + $7 + $8) * 1000 / hz) }' /proc/stat
}

printf '%-6s %8s %8s %9s %12s %14s %12s\n' hosts cold_ms warm_ms per_host \
  bot_cpu_ms all_cpu_ms peak_rss_kb
for n in 1 10 50 100; do
  hosts=""
  for i in $(seq 1 "$n"); do
    hosts+="${hosts:+,}{\"name\": \"h$i\", \"mounts\": [{\"path\": \"/\"}], \"services\": [{\"name\": \"sshd\", \"process\": \"sshd\"}]}"
  done
  rm -rf "$T/data"
  cat >"$T/bot.json" <<JSON
{ "bot": { "data_dir": "$T/data" },
  "users": [ { "name": "b", "platform": "console", "id": "*", "roles": ["admin"] } ],
  "alerts": { "listen": "127.0.0.1:0", "checks": { "enabled": false } },
  "remote": { "ssh_config": "$CFG", "known_hosts": "$SSHD_KNOWN_HOSTS",
              "timeout": "20s" },
  "hosts": [ $hosts ] }
JSON
  rm -f "$T/in" "$T/out"
  mkfifo "$T/in"
  "$BOT" --config "$T/bot.json" <"$T/in" >"$T/out" 2>&1 &
  pid=$!
  exec 3>"$T/in"
  # Close any master a previous size left, so "cold" is cold.
  for s in "$T"/data/ssh/*; do [ -S "$s" ] && ssh -o ControlPath="$s" -O exit x 2>/dev/null; done
  total=0
  for r in $(seq 0 "$ROUNDS"); do
    echo "/health all" >&3
    wait_lines "$T/out" "^all: " $((r + 1)) || break
    ms=$(grep "^all: " "$T/out" | tail -1 | sed -E 's/.* in ([0-9]+) ms.*/\1/')
    if [ "$r" -eq 0 ]; then
      cold=$ms
      cpu0=$(proc_cpu_ms "$pid")
      mcpu0=$(machine_cpu_ms)
    else
      total=$((total + ms))
    fi
  done
  hwm=$(awk '/^VmHWM/ { print $2 }' /proc/$pid/status)
  botcpu=$(( ($(proc_cpu_ms "$pid") - cpu0) / ROUNDS ))
  allcpu=$(( ($(machine_cpu_ms) - mcpu0) / ROUNDS ))
  exec 3>&-
  wait "$pid"
  warm=$((total / ROUNDS))
  printf '%-6s %8s %8s %9s %12s %14s %12s\n' "$n" "$cold" "$warm" \
    "$(awk -v w="$warm" -v n="$n" 'BEGIN { printf "%.1f", w / n }')" \
    "$botcpu" "$allcpu" "$hwm"
  bad=$(grep -c "UNREACHABLE" "$T/out")
  [ "$bad" -eq 0 ] || echo "  warning: $bad unreachable answers for $n hosts" >&2
done
echo "bot_cpu_ms: the bot and its ssh clients per warm round; all_cpu_ms: the"
echo "whole machine, which here also runs every simulated host's side."
echo "target: 100 hosts in under 2x the time of 1 host (warm)"
