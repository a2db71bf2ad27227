#!/usr/bin/env bash
# Benchmark (issue 15, "Bench"): the bot's /health all and /disk all over
# N metrics-backed hosts (default 5,000; several: "1000 5000 10000"),
# from the typed command to the answer's last line. For each N: the fake
# fleet exporter (tests/fakes/fake-fleet-exporter.c) in Debian's
# prometheus (tests/integration/lib-fleet.sh), the bot on the console
# adapter with it as its one metrics source; one warm-up of each
# command, then ROUNDS of each, timed from the write of the command on
# the bot's stdin to the time its stdout printed the summary's last line
# ("N more hosts not shown"), each line stamped as it comes
# ($EPOCHREALTIME, no fork a line). Prints the median and max, the bot's
# VmRSS before the first command and after the last, its VmHWM, the
# queries Prometheus served per command (its own
# prometheus_http_requests_total), the bot's own CPU per command (user +
# system, /proc/PID/stat: its cost whatever else loads the machine), and
# the load average; fetch_ms is the median of the time the answer's
# headline gives ("in X ms": the queries, from the first sent to the last
# answer parsed), so median_ms - fetch_ms is the bot's rendering and
# the console's printing.
# Prints figures; asserts nothing (target: under 1 s at 5,000 hosts).
# usage: bench-fleet-bot.sh OPSBOT FAKE_FLEET_EXPORTER [SOURCE_DIR] [NS] [ROUNDS]
set -u
BOT=$(realpath "$1")
FAKE=$(realpath "$2")
SRC=$(realpath "${3:-$(dirname "$0")/..}")
NS=${4:-5000}
ROUNDS=${5:-5}
INTERVAL=${FLEET_SCRAPE_INTERVAL:-15s}
. "$SRC/tests/integration/lib-fleet.sh"

T=$(mktemp -d /tmp/ob-bfb.XXXXXX)
bot_pid=
stop_bot() {
  exec 3>&- 2>/dev/null
  [ -n "$bot_pid" ] && kill "$bot_pid" 2>/dev/null && wait "$bot_pid" 2>/dev/null
  bot_pid=
}
cleanup() {
  stop_bot
  fleet_stop
  if [ -n "${KEEP:-}" ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT

# The bot's CPU (user + system) in ms: its own cost, whatever the load.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print int(($12 + $13) * 1000 / hz) }' "/proc/$1/stat"; }
rss() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
stamp() { while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done; }
served() {
  curl -sf "$PROM_URL/metrics" |
    awk '/^prometheus_http_requests_total\{/ && /handler="\/api\/v1\/query"/ { s += $NF } END { print s + 0 }'
}
# ask COMMAND NEEDLE: the ms from writing COMMAND to the stamp of the
# first line after it holding NEEDLE (the answer's last line); "?" when
# none comes within 60 s.
ask() {
  local n0 s line
  n0=$(wc -l <"$T/out")
  s=$EPOCHREALTIME
  echo "$1" >&3
  for _ in $(seq 6000); do
    line=$(tail -n +"$((n0 + 1))" "$T/out" | grep -F -m1 -- "$2")
    [ -n "$line" ] && break
    sleep 0.01
  done
  tail -n +"$((n0 + 1))" "$T/out" | cut -d' ' -f2- >"$T/answer"
  if [ -z "$line" ]; then echo "?"; return; fi
  awk -v s="$s" -v e="${line%% *}" 'BEGIN { printf "%.0f\n", (e - s) * 1000 }'
}
stats() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%s %s\n", m, v[NR] }'; }

echo "opsbot fleet bench, the bot: /health all and /disk all over metrics-backed hosts;" \
  "$(nproc) cpu; scrape every $INTERVAL; $ROUNDS rounds after one warm-up"
printf '%7s %-12s %9s %9s %8s %7s %8s %10s %10s %10s %s\n' hosts command median_ms max_ms fetch_ms cpu_ms queries \
  rss0_kb rss1_kb hwm_kb loadavg
for N in $NS; do
  fleet_start "$FAKE" "$T/f$N" "$N" >/dev/null || exit 1
  fleet_prom_start "$T/f$N" "$INTERVAL" || exit 1
  fleet_wait_ingested "$N" 600 || exit 1
  mkdir -p "$T/f$N/data"
  cat >"$T/f$N/bot.json" <<JSON
{ "bot": { "data_dir": "$T/f$N/data", "log_level": "warn" },
  "chat": { "console": { "enabled": true, "user": "b" } },
  "users": [ { "name": "b", "platform": "console", "id": "*", "roles": ["admin"] } ],
  "alerts": { "listen": "127.0.0.1:0", "checks": { "enabled": false } },
  "metrics_sources": [ { "name": "fleet", "url": "$PROM_URL", "job": "node",
    "host_label": "instance", "tag_labels": ["env", "role"], "timeout": "30s" } ] }
JSON
  rm -f "$T/in" "$T/out"
  : >"$T/out"
  mkfifo "$T/in"
  "$BOT" --config "$T/f$N/bot.json" <"$T/in" > >(stamp >"$T/out") 2>"$T/f$N/bot.err" &
  bot_pid=$!
  exec 3>"$T/in"
  sleep 1
  if ! kill -0 "$bot_pid" 2>/dev/null; then
    echo "the bot did not start:" && sed 's/^/   /' "$T/f$N/bot.err" | head -5
    exit 1
  fi
  rss0=$(rss "$bot_pid" VmRSS)
  for cmd in "/health all" "/disk all"; do
    ask "$cmd" "more hosts not shown" >/dev/null # warm-up
    q0=$(served)
    c0=$(cpu_ms "$bot_pid")
    times=()
    fetch=()
    for _ in $(seq "$ROUNDS"); do
      times+=("$(ask "$cmd" "more hosts not shown")")
      fetch+=("$(sed -n 's/.* from metrics in \([0-9]*\) ms.*/\1/p' "$T/answer" | head -1)")
    done
    q=$((($(served) - q0) / ROUNDS))
    c=$((($(cpu_ms "$bot_pid") - c0) / ROUNDS))
    read -r med max < <(printf '%s\n' "${times[@]}" | stats)
    read -r fmed _ < <(printf '%s\n' "${fetch[@]}" | stats)
    printf '%7s %-12s %9s %9s %8s %7s %8s %10s %10s %10s %s\n' "$N" "$cmd" "$med" "$max" "$fmed" "$c" "$q" \
      "$rss0" "$(rss "$bot_pid" VmRSS)" "$(rss "$bot_pid" VmHWM)" "$(cut -d' ' -f1-3 /proc/loadavg)"
    cp "$T/answer" "$T/f$N/answer-${cmd#/}"
  done
  echo "        the last /disk all answer's head: $(head -1 "$T/answer")"
  stop_bot
  fleet_stop
  rm -rf "$T/f$N/prom"
done
echo "target: /health all over 5,000 hosts answered in under 1 s"
