#!/usr/bin/env bash
# Benchmark: fast answers while one host hangs. /health over 6 hosts (ssh
# aliases of one real sshd on loopback) where one host's df blocks until
# remote.timeout (10 s), asked as a Slack slash command through the fake
# Slack. For each round: the time until every healthy host is shown on
# the response URL (the fake's round trip from the slash command's push),
# the time the slowest healthy host needed (its own "(N ms)" in the final
# answer), their ratio (target: within 1.5x), and when the final answer
# came. Round 1 is cold (ssh connections being made). Prints figures;
# asserts nothing.
# usage: bench-fanout.sh OPSBOT FAKE_SLACK [SOURCE_DIR] [ROUNDS]
set -u
BOT=$(realpath "$1")
FAKE=$(realpath "$2")
SRC=$(realpath "${3:-$(dirname "$0")/..}")
ROUNDS=${4:-3}
export SILENT_LISTENER=/bin/false
. "$SRC/tests/integration/lib-sshd.sh"

T=$(mktemp -d /tmp/ob-bf.XXXXXX)
fake_pid=
bot_pid=
cleanup() {
  [ -n "$bot_pid" ] && kill "$bot_pid" 2>/dev/null && wait "$bot_pid" 2>/dev/null
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
  lib_sshd_cleanup
  rm -rf "$T"
}
trap cleanup EXIT
sshd_start "$T/sshd" >/dev/null || exit 1
CFG=$(sshd_ssh_config "$T" h1 h2 h3 h4 h5 h6)
mkdir -p "$T/nfs"
REAL_DF=$(command -v df)
cat >"$SSHD_BIN/df" <<SH
#!/bin/sh
case "\$*" in
*"$T/nfs"*) exec sleep 60 ;;
esac
exec "$REAL_DF" "\$@"
SH
chmod +x "$SSHD_BIN/df"

"$FAKE" "$T/port" 2>"$T/fake.log" &
fake_pid=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
PORT=$(cat "$T/port")
C="http://127.0.0.1:$PORT/_control"
ctl() { curl -sf -X POST "$C/$1" -H 'Content-Type: application/json' -d "${2:-{\}}"; }
state() { curl -sf "$C/state"; }
wait_for() { # jq expression, tries of 50 ms
  for _ in $(seq "${2:-600}"); do
    [ "$(state | jq -r "$1")" = true ] && return 0
    sleep 0.05
  done
  return 1
}

hosts=""
for i in 1 2 3 4 5; do
  hosts+="{\"name\": \"h$i\", \"mounts\": [{\"path\": \"/\"}]}, "
done
hosts+="{\"name\": \"h6\", \"mounts\": [{\"path\": \"$T/nfs\"}]}"
cat >"$T/bot.json" <<JSON
{ "bot": { "data_dir": "$T/data" },
  "chat": { "outbox": { "rate": 20, "burst": 20 } },
  "users": [ { "name": "b", "platform": "slack", "id": "U0456", "roles": ["admin"] } ],
  "alerts": { "listen": "127.0.0.1:0", "checks": { "enabled": false } },
  "remote": { "ssh_config": "$CFG", "known_hosts": "$SSHD_KNOWN_HOSTS",
              "timeout": "10s" },
  "hosts": [ $hosts ] }
JSON
export SLACK_APP_TOKEN=xapp-test SLACK_BOT_TOKEN=xoxb-test
export SLACK_API_URL="http://127.0.0.1:$PORT/api/"
"$BOT" --config "$T/bot.json" </dev/null >"$T/bot.out" 2>"$T/bot.err" &
bot_pid=$!
wait_for '.connections_open >= 1' 200 || { echo "bench: the bot did not connect" >&2; tail -5 "$T/bot.err" >&2; exit 1; }

# The first response on which h1..h5 all have a state (none "waiting").
ALL_SHOWN='[.responses[] | select(.body.text as $t | [range(1;6) | "h\(.): waiting"] | all(. as $w | $t | contains($w) | not)) | select(.body.text | contains("h5: "))][0]'

echo "opsbot fan-out bench: /health over 6 ssh hosts, one whose df hangs until remote.timeout (10 s); $(nproc) cpu"
printf '%-6s %-5s %16s %18s %7s %10s %9s\n' round kind healthy_shown_ms slowest_healthy_ms ratio final_ms responses
ratios=()
for r in $(seq 1 "$ROUNDS"); do
  ctl reset >/dev/null
  ctl slash '{"command":"/health","text":"all"}' >/dev/null
  wait_for '[.responses[] | .body.text | contains("did not finish") or contains("h6: UNREACHABLE")] | any' 400 || {
    echo "bench: round $r: no final answer" >&2; continue; }
  s=$(state)
  shown_us=$(jq -r "$ALL_SHOWN | .rtt_us // empty" <<<"$s")
  final=$(jq -r '.responses[-1].body.text' <<<"$s")
  final_us=$(jq -r '.responses[-1].rtt_us' <<<"$s")
  slowest=$(printf '%s\n' "$final" | sed -nE 's/^h[1-5]: [A-Z]+ \(([0-9]+) ms\).*/\1/p' | sort -n | tail -1)
  n=$(jq '.responses | length' <<<"$s")
  kind=$([ "$r" -eq 1 ] && echo cold || echo warm)
  if [ -n "$shown_us" ] && [ -n "$slowest" ] && [ "$slowest" -gt 0 ]; then
    shown=$((shown_us / 1000))
    ratio=$(awk -v a="$shown" -v b="$slowest" 'BEGIN { printf "%.2fx", a / b }')
    ratios+=("${ratio%x}")
  else
    shown=${shown_us:-?}; ratio="?"
  fi
  printf '%-6s %-5s %16s %18s %7s %10s %9s\n' "$r" "$kind" "$shown" "${slowest:-?}" "$ratio" $((final_us / 1000)) "$n"
done
if [ "${#ratios[@]}" -gt 0 ]; then
  med=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  echo "median ratio over ${#ratios[@]} rounds: ${med}x (target: within 1.5x). A healthy host that answers after a pause longer than a fifth of the others' time misses the first message and waits for the next edit (at most one a second)."
fi
