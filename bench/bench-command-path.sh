#!/usr/bin/env bash
# Benchmark: what one chat command costs the bot, through the fake Slack
# on loopback (issue 12, "The command path's cost"). A trivial command
# (/opsbot whoami) N times one at a time (the fake
# pushes each when the previous one is answered), then bursts of 250, 1,000 and
# 4,000 pushed at once. Prints the bot's CPU (utime+stime of every thread,
# from /proc/PID/stat) per command, the ack latency the fake measured
# (from the envelope written to the ack read), and for the bursts whether
# the CPU grows linearly with N (CPU/N should stay flat).
# ANSWER_IN_ACK=false measures the response URL's path instead (every
# answer through the outbox and a POST), the one a command that answers
# later takes.
# usage: bench-command-path.sh OPSBOT FAKE_SLACK [N] [BURSTS...]
set -u
BOT=$(realpath "$1")
FAKE=$(realpath "$2")
N=${3:-1000}
shift $(( $# >= 3 ? 3 : $# ))
BURSTS=${*:-250 1000 4000}
T=$(mktemp -d /tmp/ob-bc.XXXXXX)
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
  "chat": { "slack": { "answer_in_ack": ${ANSWER_IN_ACK:-true} } },
  "alerts": { "listen": "127.0.0.1:0" },
  "users": [ { "name": "b", "platform": "slack", "id": "*", "roles": ["admin"] } ] }
JSON
SLACK_APP_TOKEN=xapp-test SLACK_BOT_TOKEN=xoxb-test \
  SLACK_API_URL="http://127.0.0.1:$PORT/api/" \
  "$BOT" --config "$T/bot.json" </dev/null >/dev/null 2>"$T/bot.err" &
bot_pid=$!
counts() { curl -sf "$C/counts"; }
responses() { counts | jq .responses; }
# Polled every 0.25 s: each poll starts curl and jq, and on two CPUs a
# faster poll is what the ack latency's tail measured, not the bot.
# The phase's duration is the fake's, from its first push to its last
# answer, so the coarse poll does not round it.
wait_responses() { # n, timeout in s
  local deadline=$(( $(date +%s) + $2 ))
  while [ "$(responses)" -lt "$1" ]; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.25
  done
}
for _ in $(seq 200); do [ "$(counts | jq .connections_open 2>/dev/null)" = 1 ] && break; sleep 0.05; done
[ "$(counts | jq .connections_open 2>/dev/null)" = 1 ] || { echo "bench: the bot never connected" >&2; cat "$T/bot.err" >&2; exit 1; }
TCK=$(getconf CLK_TCK)
# The bot's CPU so far, in µs: utime + stime (fields 14 and 15), counting
# every thread, live or gone. Fields are counted after the ")" of comm.
cpu_us() { awk -v t="$TCK" '{ sub(/^.*\) /, ""); print ($12 + $13) * 1000000 / t }' /proc/$bot_pid/stat; }
slash() { # count [chain]
  curl -sf -X POST "$C/slash" -H 'Content-Type: application/json' \
    -d "{\"text\":\"whoami\",\"count\":$1,\"chain\":${2:-false}}" >/dev/null
}
# A run's span in ms on the fake's clock: first push to last answer.
span_ms() {
  jq '[.responses[] | .at_us] as $a | [.responses[] | .at_us - .rtt_us] as $s |
    if ($a | length) == 0 then 0 else (($a | max) - ($s | min)) / 1000 | floor end' "$1"
}
# Percentiles (nearest rank) of a jq array expression over the state.
pct() { # state-file jq-array-expr
  jq -r "[$2] | sort | if length == 0 then \"n/a\" else
    \"p50=\(.[(length * 50 / 100 | floor)] * 1000 | round / 1000) \" +
    \"p99=\(.[([(length * 99 / 100 | floor), length - 1] | min)] * 1000 | round / 1000) \" +
    \"max=\(.[length - 1] * 1000 | round / 1000) ms (n=\(length))\" end" "$1"
}

# Warm up (first-use allocations, the store's first writes), then the
# idle cost over 2 s so the sequential figure can be read net of it.
slash 1; wait_responses 1 10
curl -sf -X POST "$C/reset" >/dev/null
c0=$(cpu_us); sleep 2; c1=$(cpu_us)
idle_us_per_s=$(( (c1 - c0) / 2 ))

c0=$(cpu_us)
# The fake pushes the next command when the previous one is answered: no
# driver process in the loop.
slash "$N" true
wait_responses "$N" 600 || echo "bench: the sequential phase stalled at $(responses) of $N" >&2
c1=$(cpu_us)
curl -sf "$C/state" >"$T/seq.json"
seq_ms=$(span_ms "$T/seq.json")
seq_cpu=$(( c1 - c0 ))
seq_net=$(( seq_cpu - idle_us_per_s * seq_ms / 1000 ))

echo "opsbot command-path bench ($(nproc) cpu, fake Slack on loopback, /opsbot whoami, answer_in_ack ${ANSWER_IN_ACK:-true}, clock tick $((1000000 / TCK)) us)"
echo "idle: bot CPU ${idle_us_per_s} us/s"
echo "sequential: N=$N in ${seq_ms} ms; bot CPU ${seq_cpu} us = $(( seq_cpu / N )) us/command ($(( (seq_net > 0 ? seq_net : 0) / N )) us/command net of idle)"
echo "sequential: ack $(pct "$T/seq.json" '.acks[].latency_us / 1000')"
echo "sequential: round trip $(pct "$T/seq.json" '.responses[].rtt_us / 1000')"

for B in $BURSTS; do
  curl -sf -X POST "$C/reset" >/dev/null
  c0=$(cpu_us)
  slash "$B"
  wait_responses "$B" 600 || echo "bench: not every command of the burst of $B was answered" >&2
  c1=$(cpu_us)
  curl -sf "$C/state" >"$T/b.json"
  ms=$(span_ms "$T/b.json")
  lost=$(( B - $(jq '.responses | length' "$T/b.json") ))
  echo "burst N=$B: answered in ${ms} ms; bot CPU $(( c1 - c0 )) us = $(( (c1 - c0) / B )) us/command; lost $lost"
  echo "burst N=$B: ack $(pct "$T/b.json" '.acks[].latency_us / 1000')"
done
echo "targets: sequential CPU <= 100 us/command, ack p99 < 1 ms; burst CPU/N flat across N"
