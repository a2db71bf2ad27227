#!/usr/bin/env bash
# Benchmark: opsbot through the fake Slack on loopback. 1,000 /status
# slash commands one at a time, then 1,000 at once: the ack latency (from
# the envelope written to the ack read, measured by the fake), the round
# trip (from the command's push to its answer on the response URL), lost
# commands, and the bot's RSS before and after.
# usage: bench-slack.sh OPSBOT FAKE_SLACK [N]
set -u
BOT=$(realpath "$1")
FAKE=$(realpath "$2")
N=${3:-1000}
T=$(mktemp -d /tmp/ob-bs.XXXXXX)
fake_pid=
bot_pid=
trap '[ -n "$bot_pid" ] && kill $bot_pid 2>/dev/null; [ -n "$fake_pid" ] && kill $fake_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT

"$FAKE" "$T/port" --ack-timeout-ms 60000 2>/dev/null &
fake_pid=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
PORT=$(cat "$T/port")
C="http://127.0.0.1:$PORT/_control"
cat >"$T/bot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "warn" },
  "users": [ { "name": "b", "platform": "slack", "id": "*", "roles": ["admin"] } ] }
JSON
SLACK_APP_TOKEN=xapp-test SLACK_BOT_TOKEN=xoxb-test \
  SLACK_API_URL="http://127.0.0.1:$PORT/api/" \
  "$BOT" --config "$T/bot.json" </dev/null >/dev/null 2>"$T/bot.err" &
bot_pid=$!
counts() { curl -sf "$C/counts"; }
wait_responses() { # n, timeout in s
  local i
  for i in $(seq $(( $2 * 100 ))); do
    [ "$(counts | jq .responses)" -ge "$1" ] && return 0
    sleep 0.01
  done
  return 1
}
for _ in $(seq 200); do [ "$(counts | jq .connections_open 2>/dev/null)" = 1 ] && break; sleep 0.05; done
rss() { awk '/^VmRSS/ { print $2 }' /proc/$bot_pid/status; }
hwm() { awk '/^VmHWM/ { print $2 }' /proc/$bot_pid/status; }
# Proportional set size: shared library pages counted once per sharer.
pss() { awk '/^Pss:/ { print $2 }' /proc/$bot_pid/smaps_rollup 2>/dev/null; }
anon() { awk '/^RssAnon/ { print $2 }' /proc/$bot_pid/status; }
rss0=$(rss)
pss0=$(pss)
anon0=$(anon)

# Percentiles (nearest rank) of a jq array expression over the state.
pct() { # state-file jq-array-expr
  jq -r "[$2] | sort | if length == 0 then \"n/a\" else
    \"p50=\(.[(length * 50 / 100 | floor)] * 1000 | round / 1000) \" +
    \"p99=\(.[([(length * 99 / 100 | floor), length - 1] | min)] * 1000 | round / 1000) \" +
    \"max=\(.[length - 1] * 1000 | round / 1000) ms (n=\(length))\" end" "$1"
}

t0=$(date +%s%N)
for i in $(seq 1 "$N"); do
  curl -sf -X POST "$C/slash" -H 'Content-Type: application/json' -d '{"text":"status"}' >/dev/null
  wait_responses "$i" 10 || { echo "bench: command $i got no answer" >&2; break; }
done
seq_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
curl -sf "$C/state" >"$T/s1.json"
rss1=$(rss)

t0=$(date +%s%N)
curl -sf -X POST "$C/slash" -H 'Content-Type: application/json' -d "{\"text\":\"status\",\"count\":$N}" >/dev/null
wait_responses $((2 * N)) 120 || echo "bench: not every burst command was answered" >&2
burst_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
curl -sf "$C/state" >"$T/s2.json"
rss2=$(rss)
hwm2=$(hwm)
pss2=$(pss)
anon2=$(anon)

echo "opsbot Slack bench ($(nproc) cpu, fake Slack on loopback, /status, N=$N)"
echo "sequential: ack $(pct "$T/s1.json" '.acks[].latency_us / 1000')"
echo "sequential: round trip $(pct "$T/s1.json" '.responses[].rtt_us / 1000')  (total ${seq_ms} ms incl. the driver's curl calls)"
echo "burst:      ack $(pct "$T/s2.json" ".acks[$N:][].latency_us / 1000")"
echo "burst:      round trip $(pct "$T/s2.json" ".responses[$N:][].rtt_us / 1000")  (all answered in ${burst_ms} ms)"
lost=$(( 2 * N - $(jq '.responses | length' "$T/s2.json") ))
dups=$(jq '[.responses[].url] | length - (unique | length)' "$T/s2.json")
echo "lost commands: $lost; answered twice: $dups; unacked: $(jq '.unacked | length' "$T/s2.json")"
echo "rss_kb: before=$rss0 after_sequential=$rss1 after_burst=$rss2 peak=$hwm2"
echo "pss_kb: before=$pss0 after_burst=$pss2; anonymous rss_kb: before=$anon0 after_burst=$anon2"
echo "targets: ack p99 < 1 ms, round trip p99 < 5 ms, nothing lost, RSS < 15 MB"
