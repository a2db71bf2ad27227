#!/usr/bin/env bash
# Benchmark (issue 15, "Bench"): /health over 5,000 metrics-backed hosts.
# The fake fleet exporter serves the node_exporter series of N hosts
# (tests/fakes/fake-fleet-exporter.c) to Debian's prometheus (honor_labels,
# tests/integration/lib-fleet.sh); once every host is in and the CPU
# counters have two samples:
#  1. the engine alone: the PromQL queries a fleet /health makes, each
#     timed through curl against the HTTP API (median of ROUNDS, with the
#     answer's series and bytes), then all of them at once in parallel,
#     as a client that sends them together would: (a) a series per host
#     for every host, (b) only the hosts past a threshold and the counts,
#     which is all a summary answer (counts and the worst hosts) needs;
#  2. the bot: /health all through the console adapter with the engine as
#     metrics_sources[0] (name "fleet", job "node", host label instance,
#     tags env and role; FLEET_SOURCE_JSON replaces that object): the
#     time from the command to the answer's first and last line (target:
#     under 1 s) and the bot's RSS (VmRSS) before and after, and its peak
#     (VmHWM). When the bot does not know metrics_sources yet
#     (--check-config refuses the config), this part is skipped, saying so.
# Prints figures; asserts nothing.
# usage: bench-fleet.sh OPSBOT FAKE_FLEET_EXPORTER [SOURCE_DIR] [N] [ROUNDS]
set -u
BOT=$(realpath "$1")
FAKE=$(realpath "$2")
SRC=$(realpath "${3:-$(dirname "$0")/..}")
N=${4:-5000}
ROUNDS=${5:-5}
CMD=${FLEET_COMMAND:-/health all} # e.g. "/disk all", "/health prod"
INTERVAL=${FLEET_SCRAPE_INTERVAL:-15s}
. "$SRC/tests/integration/lib-fleet.sh"

T=$(mktemp -d /tmp/ob-bfl.XXXXXX)
bot_pid=
cleanup() {
  exec 3>&- 2>/dev/null
  [ -n "$bot_pid" ] && kill "$bot_pid" 2>/dev/null && wait "$bot_pid" 2>/dev/null
  fleet_stop
  if [ -n "${KEEP:-}" ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT

ENGINE=${FLEET_ENGINE:-prometheus} # or victoria-metrics (lib-fleet.sh)
echo "opsbot fleet bench: $N hosts from one exporter in $ENGINE (scrape every $INTERVAL); $(nproc) cpu"
fleet_start "$FAKE" "$T" "$N" || exit 1
fleet_prom_start "$T" "$INTERVAL" || exit 1
t0=$SECONDS
fleet_wait_ingested "$N" 300 || exit 1
DOWN=$(jq '.down | length' "$FLEET_EXPECTED")
UPN=$((N - DOWN))
# rate() needs two samples of each counter in its window.
RATE='1 - avg by (instance) (rate(node_cpu_seconds_total{job="node",mode="idle"}[1m]))'
for _ in $(seq 120); do
  [ "$(promq "count($RATE)")" = "$UPN" ] && break
  sleep 1
done
echo "ingested: $N hosts ($DOWN down), $(jq .series "$FLEET_EXPECTED") series a scrape, in $((SECONDS - t0)) s;" \
  "$ENGINE RSS $(awk '/^VmRSS/ { print int($2 / 1024) }' "/proc/$PROM_PID/status") MiB"

# --- 1. the engine alone -------------------------------------------------------
FS='fstype!~"tmpfs|devtmpfs|ramfs|squashfs|nsfs|autofs|fuse.*"'
QUERIES=(
  "hosts, reachable|up{job=\"node\"}"
  "load 1/5/15|{__name__=~\"node_load1|node_load5|node_load15\",job=\"node\"}"
  "cpus|count by (instance) (node_cpu_seconds_total{job=\"node\",mode=\"idle\"})"
  "cpu busy (rate)|$RATE"
  "memory available|node_memory_MemAvailable_bytes{job=\"node\"} / node_memory_MemTotal_bytes{job=\"node\"}"
  "uptime|time() - node_boot_time_seconds{job=\"node\"}"
  "disk used, per mount|1 - node_filesystem_avail_bytes{job=\"node\",$FS} / node_filesystem_size_bytes{job=\"node\",$FS}"
  "inodes used, per mount|1 - node_filesystem_files_free{job=\"node\",$FS} / node_filesystem_files{job=\"node\",$FS}"
  "failed units|node_systemd_unit_state{job=\"node\",state=\"failed\"} == 1"
  "summary: disks over 90%|count(max by (instance) (1 - node_filesystem_avail_bytes{job=\"node\",$FS} / node_filesystem_size_bytes{job=\"node\",$FS}) > 0.9)"
)
# One query: "ms bytes" from curl.
timed() {
  curl -s -o "$T/q.json" -w '%{time_total} %{size_download}\n' --max-time 60 \
    "$PROM_URL/api/v1/query" --data-urlencode "query=$1" |
    awk '{ printf "%.1f %d\n", $1 * 1000, $2 }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Only the hosts past a threshold, and the counts: what a summary answer
# (counts per state and the worst hosts) needs, without a series per host.
FILTERED=(
  "hosts (count)|count(up{job=\"node\"})"
  "hosts down|up{job=\"node\"} == 0"
  "load over 1 per cpu|node_load5{job=\"node\"} / on (instance) count by (instance) (node_cpu_seconds_total{job=\"node\",mode=\"idle\"}) > 1"
  "memory under 10%|node_memory_MemAvailable_bytes{job=\"node\"} / node_memory_MemTotal_bytes{job=\"node\"} < 0.1"
  "disks over 80%|max by (instance) (1 - node_filesystem_avail_bytes{job=\"node\",$FS} / node_filesystem_size_bytes{job=\"node\",$FS}) > 0.8"
  "failed units|node_systemd_unit_state{job=\"node\",state=\"failed\"} == 1"
)

# run_set TITLE QUERY...: each query timed, then all at once.
run_set() {
  local title=$1 q name expr times ms bytes series med sum=0 par=() pids s
  shift
  echo
  echo "$title (median of $ROUNDS after one warm-up; load average now $(cut -d' ' -f1-3 /proc/loadavg))"
  printf '%-26s %9s %8s %10s\n' query ms series bytes
  for q in "$@"; do
    name=${q%%|*}
    expr=${q#*|}
    timed "$expr" >/dev/null
    times=()
    for _ in $(seq "$ROUNDS"); do
      read -r ms bytes < <(timed "$expr")
      times+=("$ms")
    done
    series=$(jq '.data.result | length' "$T/q.json" 2>/dev/null)
    med=$(printf '%s\n' "${times[@]}" | median)
    sum=$(awk -v a="$sum" -v b="$med" 'BEGIN { print a + b }')
    printf '%-26s %9s %8s %10s\n' "$name" "$med" "${series:-?}" "$bytes"
  done
  echo "one after the other: ${sum} ms"
  for _ in $(seq "$ROUNDS"); do
    s=$EPOCHREALTIME
    pids=()
    for q in "$@"; do
      curl -s -o /dev/null --max-time 60 "$PROM_URL/api/v1/query" --data-urlencode "query=${q#*|}" &
      pids+=($!)
    done
    wait "${pids[@]}" # not a bare wait: the exporter and prometheus are children too
    par+=("$(awk -v a="$s" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", (b - a) * 1000 }')")
  done
  echo "all $# at once, in parallel, a curl process each: $(printf '%s\n' "${par[@]}" | median) ms (median of $ROUNDS)"
}
run_set "1a. PromQL, a series per host for all $N hosts, through curl" "${QUERIES[@]}"
run_set "1b. PromQL, only the hosts past a threshold and the counts" "${FILTERED[@]}"

# --- 2. the bot ------------------------------------------------------------------
echo
SOURCE=${FLEET_SOURCE_JSON:-"{ \"name\": \"fleet\", \"url\": \"$PROM_URL\", \"job\": \"node\", \"host_label\": \"instance\", \"tag_labels\": [\"env\", \"role\"] }"}
cat >"$T/bot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "warn" },
  "users": [ { "name": "b", "platform": "console", "id": "*", "roles": ["admin"] } ],
  "alerts": { "listen": "127.0.0.1:0" },
  "metrics_sources": [ $SOURCE ] }
JSON
if ! "$BOT" --check-config "$T/bot.json" >"$T/check.out" 2>&1; then
  echo "2. the bot: skipped: it does not take this metrics source yet:"
  sed 's/^/   /' "$T/check.out" | head -3
  exit 0
fi

rss() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
# Every line the bot prints, with the time it came ($EPOCHREALTIME: no
# fork a line).
stamp() { while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done; }
rm -f "$T/in"
mkfifo "$T/in"
"$BOT" --config "$T/bot.json" <"$T/in" > >(stamp >"$T/out") 2>"$T/bot.err" &
bot_pid=$!
exec 3>"$T/in"
sleep 1
if ! kill -0 "$bot_pid" 2>/dev/null; then
  echo "2. the bot: did not start:" && sed 's/^/   /' "$T/bot.err" | head -5
  exit 1
fi
rss0=$(rss "$bot_pid" VmRSS)

# ask COMMAND: "first_ms last_ms lines" of its answer: the lines printed
# after it until 1.5 s pass without one (60 s at most).
ask() {
  local n0 s now last
  n0=$(wc -l <"$T/out")
  s=$EPOCHREALTIME
  echo "$1" >&3
  for _ in $(seq 1200); do
    sleep 0.05
    [ "$(wc -l <"$T/out")" -gt "$n0" ] || continue
    last=$(tail -1 "$T/out" | cut -d' ' -f1)
    now=$EPOCHREALTIME
    awk -v a="$last" -v b="$now" 'BEGIN { exit !(b - a > 1.5) }' && break
  done
  tail -n +"$((n0 + 1))" "$T/out" | cut -d' ' -f2- >"$T/answer"
  tail -n +"$((n0 + 1))" "$T/out" | awk -v s="$s" '
    NR == 1 { f = $1 } { l = $1 }
    END { if (NR) printf "%.0f %.0f %d\n", (f - s) * 1000, (l - s) * 1000, NR; else print "? ? 0" }'
}

echo "2. the bot: $CMD over $N metrics-backed hosts (console; answer from the command to its first and last line)"
printf '%-6s %-5s %9s %9s %6s %10s\n' round kind first_ms last_ms lines rss_kb
for r in $(seq 0 "$ROUNDS"); do
  read -r first last lines < <(ask "$CMD")
  printf '%-6s %-5s %9s %9s %6s %10s\n' "$r" "$([ "$r" -eq 0 ] && echo cold || echo warm)" \
    "$first" "$last" "$lines" "$(rss "$bot_pid" VmRSS)"
done
echo "bot RSS: ${rss0} kB before, $(rss "$bot_pid" VmRSS) kB after, peak (VmHWM) $(rss "$bot_pid" VmHWM) kB"
echo "the last answer's head:"
head -8 "$T/answer" | sed 's/^/   /'
echo "target: /health all over 5,000 hosts answered in under 1 s"
