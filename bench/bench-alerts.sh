#!/usr/bin/env bash
# Benchmark: alert intake. Starts opsbot with its HTTP listener on a free
# loopback port, a fresh data dir, no chat platform and the console off
# (alerts are stored but posted nowhere: what is measured is intake and
# the store), then runs bench-alerts against POST /hooks/alertmanager for
# SECONDS: 4 client threads, Alertmanager v4 bodies of 20-50 alerts over
# a pool of 20,000 (~40% new, 40% repeats, 20% resolutions). It prints
# alerts committed per second, requests per second, statuses, latency
# and the bot's RSS; then kills the bot with SIGKILL and checks that the
# store holds every alert a 200 acknowledged (sum(received) >= acked).
# usage: bench-alerts.sh OPSBOT [SECONDS] [THREADS]
#   $BENCH_ALERTS: the generator (default: bench/bench-alerts next to
#   OPSBOT in the build tree)
set -u
BOT=$(realpath "$1")
SECS=${2:-20}
THREADS=${3:-4}
GEN=${BENCH_ALERTS:-$(dirname "$BOT")/bench/bench-alerts}
[ -x "$GEN" ] || { echo "bench: no generator at $GEN (build bench-alerts)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "bench: needs the sqlite3 CLI" >&2; exit 1; }
T=$(mktemp -d /tmp/ob-ba.XXXXXX)
bot_pid=
trap '[ -n "$bot_pid" ] && kill -9 $bot_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT

cat >"$T/bot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_file": "$T/bot.log", "log_level": "info" },
  "chat": { "console": { "enabled": false } },
  "alerts": { "listen": "127.0.0.1:0", "checks": { "enabled": false } } }
JSON
"$BOT" --config "$T/bot.json" </dev/null >"$T/bot.out" 2>&1 &
bot_pid=$!
PORT=
for _ in $(seq 200); do
  PORT=$(sed -nE 's/.*listening on 127\.0\.0\.1:([0-9]+).*/\1/p' "$T/bot.log" 2>/dev/null | tail -1)
  [ -n "$PORT" ] && grep -q 'ready in' "$T/bot.log" && break
  kill -0 "$bot_pid" 2>/dev/null || break
  sleep 0.05
done
if [ -z "$PORT" ]; then
  echo "bench: the bot did not start listening" >&2
  cat "$T/bot.out" "$T/bot.log" >&2 2>/dev/null
  exit 1
fi

"$GEN" -t "$THREADS" -d "$SECS" -P "$bot_pid" \
  "http://127.0.0.1:$PORT/hooks/alertmanager" | tee "$T/gen.out"
[ "${PIPESTATUS[0]}" -eq 0 ] || exit 1
acked=$(sed -nE 's/^RESULT acked=([0-9]+).*/\1/p' "$T/gen.out")

# A crash right after the last answer: what was acknowledged must be there.
{ kill -9 "$bot_pid"; wait "$bot_pid"; } 2>/dev/null
bot_pid=
read -r received rows events < <(sqlite3 -separator ' ' "$T/data/opsbot.db" \
  "SELECT (SELECT coalesce(sum(received), 0) FROM alerts), (SELECT count(*) FROM alerts), (SELECT count(*) FROM alert_events)")
if [ -n "$received" ] && [ -n "$acked" ] && [ "$received" -ge "$acked" ]; then
  verdict=ok
else
  verdict="SHORT by $(( ${acked:-0} - ${received:-0} ))"
fi
echo "store:     after SIGKILL: sum(received) $received, acknowledged $acked (want >=): $verdict ($rows alert rows, $events events)"
errs=$(grep -c 'level=error' "$T/bot.log")
[ "$errs" -eq 0 ] || { echo "bench: $errs error(s) in the bot's log:" >&2; grep 'level=error' "$T/bot.log" | head -5 >&2; }
[ "$verdict" = ok ]
