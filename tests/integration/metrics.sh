#!/usr/bin/env bash
# Integration: the bot's own observability on its listener. /metrics in
# the Prometheus text format (promtool check metrics), scraped by a real
# Prometheus whose PromQL sees the command counter; /readyz turns 503,
# naming slack, while the Slack link is down, and 200 once it is back.
# usage: metrics.sh /path/to/opsbot /path/to/fake-slack
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-met "$@"
prom_pid=
on_cleanup '[ -n "$prom_pid" ] && kill "$prom_pid" 2>/dev/null && wait "$prom_pid" 2>/dev/null'
WAIT_FOR_S=20 # wait_for's bound
. "$(dirname "${BASH_SOURCE[0]}")/lib-alertmanager.sh"   # am_free_port

start_fake "$FAKE"

cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "debug",
           "ready_link_silence": "2s" },
  "users": [ { "name": "jdoe", "platform": "slack", "id": "U0456", "roles": ["admin"] } ],
  "alerts": { "listen": "127.0.0.1:0", "token": "hook-secret-1",
              "checks": { "enabled": false } } }
JSON
slack_env
"$BOT" --config "$T/opsbot.json" </dev/null >"$T/bot.out" 2>"$T/bot.err" &
bot_pid=$!
wait_for '.connections_open >= 1' || bad "bot connects" "$(tail -5 "$T/bot.err")"
BP=$(bot_port "$T/bot.err")
B="http://127.0.0.1:$BP"

# --- a few commands and a refused webhook --------------------------------------
for cmd in status whoami status stauts; do
  ctl slash "$(jq -nc --arg t "$cmd" '{text: $t}')" >/dev/null
done
wait_for '(.responses | length) >= 4' || bad "four answers" "$(state | jq -c .responses)"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$B/hooks/generic" \
  -H 'Content-Type: application/json' -d '{}')
equals "unauthenticated webhook refused" "$code" 401

# --- /metrics ------------------------------------------------------------------
ctype=$(curl -s -o "$T/metrics.txt" -w '%{content_type}' "$B/metrics")
contains "text format 0.0.4" "$ctype" "text/plain; version=0.0.4"
m=$(cat "$T/metrics.txt")
if out=$(promtool check metrics <"$T/metrics.txt" 2>&1); then
  ok "promtool check metrics"
else
  bad "promtool check metrics" "$out"
fi
contains "HELP line" "$m" "# HELP opsbot_commands_total "
contains "TYPE line" "$m" "# TYPE opsbot_commands_total counter"
contains "status counted" "$m" 'opsbot_commands_total{command="status",outcome="ok"} 2'
contains "whoami counted" "$m" 'opsbot_commands_total{command="whoami",outcome="ok"} 1'
contains "an unknown command has a bounded label" "$m" 'opsbot_commands_total{command="unknown",outcome="unknown"} 1'
contains "duration histogram" "$m" 'opsbot_command_duration_seconds_bucket{command="status",le="+Inf"} 2'
contains "duration count" "$m" 'opsbot_command_duration_seconds_count{command="status"} 2'
contains "slack link up" "$m" 'opsbot_chat_link_up{platform="slack"} 1'
contains "last inbound age" "$m" 'opsbot_chat_last_inbound_age_seconds{platform="slack"} '
contains "outbox depth" "$m" 'opsbot_outbox_depth{platform="slack"} '
contains "webhook by source and status" "$m" 'opsbot_webhook_requests_total{source="generic",status="401"} 1'
contains "store size" "$m" "opsbot_store_size_bytes "
contains "resident memory" "$m" "opsbot_process_resident_memory_bytes "
contains "open fds" "$m" "opsbot_process_open_fds "
contains "silences" "$m" "opsbot_silences_active 0"

# --- a real Prometheus scrapes it ------------------------------------------------
if command -v prometheus >/dev/null; then
  PP=$(am_free_port)
  cat >"$T/prometheus.yml" <<YML
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: opsbot
    static_configs: [ { targets: ["127.0.0.1:$BP"] } ]
YML
  prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/prom" \
    --web.listen-address="127.0.0.1:$PP" >"$T/prom.log" 2>&1 &
  prom_pid=$!
  got=
  for _ in $(seq 50); do   # at most ~25 s
    got=$(curl -sf "http://127.0.0.1:$PP/api/v1/query" \
      --data-urlencode 'query=opsbot_commands_total{command="status"}' |
      jq -r '.data.result[0].value[1] // empty' 2>/dev/null)
    [ -n "$got" ] && break
    sleep 0.5
  done
  equals "PromQL sees the command counter" "$got" 2
  up=$(curl -sf "http://127.0.0.1:$PP/api/v1/query" --data-urlencode 'query=up{job="opsbot"}' |
    jq -r '.data.result[0].value[1] // empty')
  equals "the scrape target is up" "$up" 1
  [ -n "$got" ] || bad "prometheus log" "$(tail -5 "$T/prom.log")"
else
  bad "prometheus installed (scripts/deps.sh test)" "not found"
fi

[ -n "$prom_pid" ] && kill "$prom_pid" 2>/dev/null && wait "$prom_pid" 2>/dev/null
prom_pid=

# --- /healthz and /readyz --------------------------------------------------------
equals "healthz: the loop is alive" "$(curl -s "$B/healthz")" "ok"
ready() { curl -s -o "$T/ready.json" -w '%{http_code}' "$B/readyz"; }
# bot.ready_link_silence is 2 s here: a frame (a command) keeps it ready.
code=
for _ in $(seq 20); do
  ctl slash '{"text":"whoami"}' >/dev/null
  sleep 0.2
  code=$(ready)
  [ "$code" = 200 ] && break
done
equals "readyz 200 while Slack is connected" "$code" 200
equals "readyz body says ok" "$(jq -c '[.ok, .store, .chat.slack.up, .problems]' "$T/ready.json")" '[true,"ok",true,[]]'
# Drop the link and refuse the next reconnects (1+2+4+8 s of backoff).
ctl reject_connections '{"count":4}' >/dev/null
ctl drop >/dev/null
code=
for _ in $(seq 60); do
  code=$(ready)
  [ "$code" = 503 ] && break
  sleep 0.2
done
equals "readyz 503 while Slack is down" "$code" 503
contains "readyz names slack" "$(jq -r '.problems[]' "$T/ready.json" 2>/dev/null)" "slack: link down for"
equals "readyz body is JSON saying not ok" "$(jq -c '[.ok, .chat.slack.up]' "$T/ready.json")" '[false,false]'
m=$(curl -s "$B/metrics")
contains "metrics: link down" "$m" 'opsbot_chat_link_up{platform="slack"} 0'
code=
for _ in $(seq 200); do   # the fifth attempt connects, ~15 s after the drop
  code=$(ready)
  [ "$code" = 200 ] && break
  sleep 0.2
done
equals "readyz 200 after Slack reconnects" "$code" 200
contains "metrics: a reconnect counted" "$(curl -s "$B/metrics")" 'opsbot_chat_reconnects_total{platform="slack"} 1'

assert_done
