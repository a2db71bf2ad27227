#!/usr/bin/env bash
# Integration (issue 15): the bot's fleet views over a fleet of N hosts
# (default 1,000) in a real Prometheus. The fake fleet exporter serves the
# node_exporter series of every host from one target (honor_labels, see
# lib-fleet.sh); the bot has it as its one metrics source (job "node",
# host label instance, tags env and role) and answers /health all,
# /disk all, /health TAG and /health HOST through the console adapter.
# The counts of its summary must be the exporter's /expected, the worst
# hosts listed its unhealthy ones, a down host UNREACHABLE; and the number
# of queries the bot sends (Prometheus's own
# prometheus_http_requests_total{handler="/api/v1/query"}) must be the
# same for the whole fleet as for one host: a fixed number, never one a
# host.
# usage: promql-fleet.sh OPSBOT FAKE_FLEET_EXPORTER [N]
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib-fleet.sh"
bot_setup ob-pqf "$@"
N=${3:-1000}
WORST=25
command -v prometheus >/dev/null || { echo "SKIP: no prometheus (scripts/deps.sh test)"; exit 77; }
on_cleanup fleet_stop

fleet_start "$FAKE" "$T" "$N" --seed 7 || { bad "the exporter starts" "see above"; assert_done; exit; }
fleet_prom_start "$T" 2s || { bad "prometheus starts" "see above"; assert_done; exit; }
if fleet_wait_ingested "$N" 120; then ok "prometheus sees $N hosts"; else
  bad "prometheus sees $N hosts" "$(tail -5 "$T/prom.log")"; assert_done; exit
fi
E=$FLEET_EXPECTED
exp_n() { jq -r ".$1 | length" "$E"; }
DOWN=$(exp_n down)
# Each unhealthy host is unhealthy one way: a full /var and a failed unit
# are CRIT, a load5 of 3 x CPUs (over 2 x) is WARN.
CRIT=$(($(exp_n disk_full) + $(exp_n unit_failed)))
WARN=$(exp_n high_load)
OKN=$((N - DOWN - CRIT - WARN))

# --- the bot -------------------------------------------------------------------
mkdir -p "$T/data"
cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data" },
  "chat": { "console": { "enabled": true, "user": "op" } },
  "alerts": { "listen": "127.0.0.1:0", "checks": { "enabled": false } },
  "users": [ { "name": "op", "platform": "console", "id": "*", "roles": ["admin"] } ],
  "metrics_sources": [
    { "name": "fleet", "url": "$PROM_URL", "job": "node", "host_label": "instance",
      "tag_labels": ["env", "role"], "timeout": "20s" } ],
  "fleet": { "summary_over": 20, "worst": $WORST } }
JSON
"$BOT" --check-config "$T/opsbot.json" >"$T/check.out" 2>&1 && ok "the config checks" ||
  bad "the config checks" "$(cat "$T/check.out")"
mkfifo "$T/in"
"$BOT" --config "$T/opsbot.json" <"$T/in" >"$T/out" 2>"$T/err" &
bot_pid=$!
exec 3>"$T/in"
on_cleanup 'exec 3>&-'
# One command at a time: its answer is what the console prints after it,
# once NEEDLE (a line every answer of it has) shows.
ask() { # COMMAND NEEDLE: prints its answer
  local before deadline=$((SECONDS + 60))
  before=$(wc -c <"$T/out")
  printf '%s\n' "$1" >&3
  until tail -c +"$((before + 1))" "$T/out" | grep -qF -- "$2"; do
    [ $SECONDS -ge $deadline ] && break
    sleep 0.1
  done
  # The needle is in the answer's last line or before: let the rest land.
  sleep 0.3
  tail -c +"$((before + 1))" "$T/out"
}
# The instant queries Prometheus has served so far (its own counter).
served() {
  curl -sf "$PROM_URL/metrics" |
    awk '/^prometheus_http_requests_total\{/ && /handler="\/api\/v1\/query"/ { s += $NF } END { print s + 0 }'
}
# Asks COMMAND: OUT, its answer; Q, the queries it cost (the counter's
# growth over its answer: no other client asks in between).
ask_counted() { # COMMAND NEEDLE
  local q0
  q0=$(served)
  OUT=$(ask "$1" "$2")
  Q=$(($(served) - q0))
}

# The summary's headline: "all: N hosts from metrics in X ms — K
# unreachable, K CRIT, K WARN, K OK".
headline_counts() {
  printf '%s\n' "$1" | sed -n 's/^.*hosts\? from metrics in [0-9]* ms — //p' | head -1
}
want="$DOWN unreachable, $CRIT CRIT, $WARN WARN, $OKN OK"

ask_counted "/health all" "more hosts not shown"
QALL=$Q
contains "/health all: the headline counts every host" "$OUT" "all: $N hosts from metrics"
equals "/health all: the counts are the exporter's" "$(headline_counts "$OUT")" "$want"
# The listed hosts: the down ones first (by name), then the critical ones.
listed=$(printf '%s\n' "$OUT" | grep -E '^host-[0-9]{5}: ' | cut -d: -f1)
equals "/health all lists the worst $WORST" "$(printf '%s\n' "$listed" | grep -c .)" "$WORST"
equals "... the down hosts first, by name" "$(printf '%s\n' "$listed" | head -"$DOWN")" \
  "$(jq -r '.down[]' "$E")"
bad_hosts=$(jq -r '(.disk_full + .unit_failed)[]' "$E" | sort)
stray=$(printf '%s\n' "$listed" | tail -n +"$((DOWN + 1))" | grep -vxF -f <(printf '%s\n' "$bad_hosts"))
equals "... then critical hosts from /expected only" "$stray" ""
d1=$(jq -r '.down[0]' "$E")
contains "a down host is UNREACHABLE" "$OUT" "$d1: UNREACHABLE — fleet: the last scrape failed (up is 0)"
contains "the rest are counted" "$OUT" "$((N - WORST)) more hosts not shown"
lacks "no OK host in the worst" "$OUT" ": OK (fleet)"

# One host: the same queries as the whole fleet (fixed, not one a host).
ask_counted "/health host-00042" "host-00042:"
QONE=$Q
contains "/health host-00042 answers for that host" "$OUT" "host-00042: "
lacks "... and no other" "$OUT" "host-00043"
equals "/health all asks as many queries as /health of one host" "$QALL" "$QONE"
if [ "$QALL" -gt 0 ] && [ "$QALL" -le 12 ]; then
  ok "/health all over $N hosts: $QALL queries (at most 12 a source)"
else
  bad "/health all over $N hosts: at most 12 queries" "$QALL"
fi

# A down host by name.
OUT=$(ask "/health $d1" "$d1:")
contains "/health of a down host: UNREACHABLE" "$OUT" "$d1: UNREACHABLE"

# A tag from a label: env by i % 10 (1-7 prod), role by i % 4 (3: db).
dbs=$((N / 4))
ask_counted "/health db" "hosts from metrics"
QDB=$Q
contains "/health db: the role label picks $dbs hosts" "$OUT" "db: $dbs hosts from metrics"
equals "/health db: the same fixed number of queries" "$QDB" "$QALL"
db_down=$(jq -r '.down[]' "$E" | awk -F- '($2 + 0) % 4 == 3' | wc -l)
if [ "$db_down" -gt 0 ]; then
  contains "... its down hosts counted" "$OUT" "$db_down unreachable"
fi
others=$(printf '%s\n' "$OUT" | grep -E '^host-[0-9]{5}: ' | cut -d: -f1 |
  awk -F- '($2 + 0) % 4 != 3')
equals "... and only role=db hosts listed" "$others" ""

# /disk all: the full /var mounts are the critical ones.
ask_counted "/disk all" "more hosts not shown"
QDISK=$Q
contains "/disk all: the headline counts every host" "$OUT" "all: $N hosts from metrics"
equals "/disk all: a fixed number of queries too" "$([ "$QDISK" -le 12 ] && echo fixed)" fixed
df1=$(jq -r '.disk_full[0]' "$E")
OUT=$(ask "/disk $df1" "/var")
contains "/disk of a disk-full host: /var at 95%" "$OUT" "95% used"

exec 3>&-
wait "$bot_pid"
equals "the bot exits 0" "$?" 0
bot_pid=
# Under the sanitizers (build-asan): a down host's empty mount list once
# reached qsort as NULL.
lacks "no sanitizer report" "$(cat "$T/err")" "runtime error"
assert_done
