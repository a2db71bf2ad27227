#!/usr/bin/env bash
# Integration: alerts when things go down. A real bot, the fake Slack.
# 1. Chat down for 60 s (the fake killed with SIGKILL) while alerts keep
#    coming: every webhook is answered 200 and stored, and once a fresh
#    fake is back on the same port every message waiting in the outbox is
#    delivered, in outbox order. Updates of messages posted before the
#    outage (whose ts the fresh fake does not know) are refused with
#    message_not_found: they must be marked failed with that reason and
#    logged, and must not hold back the messages behind them.
# 2. The bot killed with SIGKILL in the middle of a storm of 2,000 alerts
#    (40 requests of 50) and restarted on the same data dir; the requests
#    not answered 200 are sent again, as Alertmanager would. No alert lost
#    or stored twice, a request stored whole or not at all, and the group
#    messages posted once each. And a group of 15,000 alerts, the bot killed
#    the moment its message reaches the fake: that message had its outbox
#    row committed, and it is not posted again after the restart (found
#    by its outbox row in the message metadata: exactly once).
# usage: alerts-outage.sh OPSBOT FAKE_SLACK
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-ao "$@"
lane_pids=()
on_cleanup 'for p in "${lane_pids[@]}"; do kill "$p" 2>/dev/null; done'
WAIT_FOR_S=15 # wait_for's bound
now_ms() { date +%s%3N; }

# --- the fake Slack, on a fixed port so that it can come back there -----------
# Below the kernel's ephemeral range, so that no outgoing connection of
# another test takes it while the fake is down.
start_fake_sp() { # ts-seconds -> 0 when listening on $SP
  rm -f "$T/port"
  "$FAKE" "$T/port" --port "$SP" --ts-seconds "$1" 2>>"$T/fake.log" &
  fake_pid=$!
  for _ in $(seq 100); do
    [ -s "$T/port" ] && return 0
    kill -0 "$fake_pid" 2>/dev/null || break
    sleep 0.05
  done
  wait "$fake_pid" 2>/dev/null
  fake_pid=
  return 1
}
# The fakes' ts (seconds part): ahead of the clock, as a real ts is never
# behind a message's creation, so the restart's conversations.history
# lookup (oldest: the row's creation - 2 min) can find a post made just
# before a kill; the two fakes' ts differ so their messages tell apart.
OLD_TS=$(( $(date +%s) + 3600 ))
NEW_TS=$(( OLD_TS + 100000 ))
for _ in $(seq 20); do
  SP=$((15000 + RANDOM % 17000))
  start_fake_sp "$OLD_TS" && break
done
[ -n "$fake_pid" ] || { bad "fake Slack starts on a fixed port" "$(tail -3 "$T/fake.log")"; assert_done; exit 1; }
PORT=$SP
C="http://127.0.0.1:$PORT/_control"

# --- the bot --------------------------------------------------------------------
TOKEN=outage-token-456
write_config() { # file data-dir
  cat >"$1" <<JSON
{ "bot": { "data_dir": "$2", "log_level": "debug" },
  "chat": { "outbox": { "rate": 5, "burst": 5, "max_backoff": "5s" } },
  "alerts": { "listen": "127.0.0.1:0", "token": "$TOKEN", "backlog_merge": 1000,
              "checks": { "enabled": false },
              "route": { "channels": ["slack:#ops-alerts"], "group_by": ["alertname"],
                         "group_wait": "1s", "group_interval": "2s", "repeat_interval": "1h" } } }
JSON
}
slack_env
start_bot() { # config log -> sets bot_pid and H (its hooks URL)
  run_bot "$1" "$2" "$2.out"
}
q() { sqlite3 "$DB" "$1"; }

###############################################################################
# 1. Chat down for 60 s during alerts
###############################################################################
write_config "$T/opsbot.json" "$T/data"
DB="$T/data/opsbot.db"
start_bot "$T/opsbot.json" "$T/bot.err" || bad "bot starts" "$(tail -5 "$T/bot.err")"
wait_for '.connections_open >= 1' || bad "bot connects" "$(tail -5 "$T/bot.err")"

sent_hooks=0
acked_hooks=0
fire() { # body: counts what was answered 200
  local st
  st=$(hook "$1")
  sent_hooks=$((sent_hooks + 1))
  if [ "$st" = 200 ]; then acked_hooks=$((acked_hooks + 1)); else echo "hook answered $st: $1" >>"$T/hook-failures"; fi
}
fire '{"alerts":[{"name":"Pre1","host":"pa1","severity":"critical"},{"name":"Pre1","host":"pa2"}]}'
fire '{"name":"Pre2","host":"pb1"}'
if wait_for '[.posts[] | select(.channel == "C0ALERTS" and .thread_ts == null)] | length >= 2' 10; then
  ok "before the outage: both groups posted"
else bad "groups posted before the outage" "$(state | jq -c '.posts | map(.text)')"; fi
sleep 2.5   # nothing in flight when the fake goes
state >"$T/state-old.json"
equals "nothing pending before the outage" "$(q "SELECT count(*) FROM outbox WHERE state != 'sent'")" 0
old_sent=$(q "SELECT count(*) FROM outbox")

# --- the fake dies; 60 s of alerts ------------------------------------------------
kill -KILL "$fake_pid"
wait "$fake_pid" 2>/dev/null
fake_pid=
t_kill=$SECONDS
for k in $(seq 0 11); do
  round_start=$SECONDS
  fire "{\"name\":\"Out$k\",\"host\":\"o$k-a\",\"severity\":\"critical\",\"summary\":\"round $k\"}"
  [ "$k" -ge 1 ] && fire "{\"name\":\"Out$((k - 1))\",\"host\":\"o$((k - 1))-b\"}"
  [ "$k" -eq 2 ] && fire '{"name":"Pre1","host":"pa1","status":"resolved"}'
  [ "$k" -eq 4 ] && fire '{"alerts":[{"name":"Pre2","host":"pb1","status":"resolved"}]}'
  [ "$k" -eq 6 ] && fire '{"alerts":[{"name":"Out0","host":"o0-a","status":"resolved"},{"name":"Out0","host":"o0-b","status":"resolved"}]}'
  while [ $((SECONDS - round_start)) -lt 5 ]; do sleep 0.2; done
done
while [ $((SECONDS - t_kill)) -lt 60 ]; do sleep 0.2; done
equals "every webhook during the outage answered 200" "$acked_hooks/$sent_hooks" "$sent_hooks/$sent_hooks"
equals "all 23 Out alerts stored" "$(q "SELECT count(*) FROM alerts WHERE alertname LIKE 'Out%'")" 23
equals "resolutions stored" "$(q "SELECT group_concat(alertname || '/' || host || '=' || state, ' ') FROM (SELECT * FROM alerts WHERE state = 'resolved' ORDER BY alertname, host)")" \
  "Out0/o0-a=resolved Out0/o0-b=resolved Pre1/pa1=resolved Pre2/pb1=resolved"
equals "each delivery counted once" "$(q "SELECT sum(received) FROM alerts")" 30
contains "the outbox retried while Slack was down (logged)" "$(cat "$T/bot.err")" "not delivered"
n_wait=$(q "SELECT count(*) FROM outbox WHERE state = 'pending'")
if [ "$n_wait" -ge 12 ]; then ok "messages wait in the outbox ($n_wait)"; else bad "messages wait in the outbox" "got $n_wait"; fi
equals "nothing given up while Slack was down" "$(q "SELECT count(*) FROM outbox WHERE state = 'failed'")" 0

# --- a fresh fake on the same port --------------------------------------------------
t_back=$(now_ms)
for _ in $(seq 10); do start_fake_sp "$NEW_TS" && break; sleep 0.3; done
if [ -z "$fake_pid" ]; then
  bad "the fake comes back on port $SP" "$(tail -3 "$T/fake.log")"
  assert_done
  exit 1
fi
for _ in $(seq 600); do
  [ "$(q "SELECT count(*) FROM outbox WHERE state = 'pending'")" = 0 ] && break
  sleep 0.1
done
equals "no outbox row left pending once Slack is back" "$(q "SELECT count(*) FROM outbox WHERE state = 'pending'")" 0
if wait_for '.connections_open >= 1' 45; then ok "Socket Mode reconnected"
else bad "Socket Mode reconnects" "$(grep slack "$T/bot.err" | tail -5)"; fi
sleep 1
s=$(state)
echo "$s" >"$T/state-new.json"
missing='' dup=''
for k in $(seq 0 11); do
  n=$(jq --arg re "^\\[[A-Z:0-9]*\\] Out$k\\b" '[.posts[] | select(.channel == "C0ALERTS" and .thread_ts == null) | select(.text | test($re))] | length' <<<"$s")
  [ "$n" = 0 ] && missing="$missing Out$k"
  [ "$n" -gt 1 ] && dup="$dup Out$k"
done
equals "each group of the outage posted (missing:$missing)" "$missing" ""
equals "and only once (twice:$dup)" "$dup" ""

# Order: what the fresh fake got, against the outbox rows sent since.
fake_posts=$(jq -r '.posts[] | select(.channel == "C0ALERTS") | .ts' <<<"$s" | tr '\n' ' ')
ob_posts=$(q "SELECT platform_id FROM outbox WHERE state = 'sent' AND channel = 'C0ALERTS' AND kind IN ('post', 'thread') AND sent >= $t_back ORDER BY id" | tr '\n' ' ')
equals "posts arrived in outbox order" "$fake_posts" "$ob_posts"
fake_upd=$(jq -r '.updates[] | select(.channel == "C0ALERTS") | .ts' <<<"$s" | tr '\n' ' ')
ob_upd=$(q "SELECT platform_id FROM outbox WHERE state = 'sent' AND kind = 'update' AND sent >= $t_back ORDER BY id" | tr '\n' ' ')
equals "updates arrived in outbox order" "$fake_upd" "$ob_upd"
equals "every row is in the store as the fake saw it" \
  "$(q "SELECT count(*) FROM outbox WHERE state = 'sent' AND sent >= $t_back")" \
  "$(jq '[(.posts[], .updates[]) | select(.channel == "C0ALERTS")] | length' <<<"$s")"
equals "rows sent before the outage unchanged" "$(q "SELECT count(*) FROM outbox WHERE sent < $t_back")" "$old_sent"
# The groups of the outage end up showing their last state.
o1=$(jq -r '[.posts[] | select(.thread_ts == null) | select(.text | test("Out1\\b"))][0].ts' <<<"$s")
last=$(jq -c --arg ts "$o1" '[.updates[] | select(.ts == $ts)] | last | .blocks' <<<"$s")
contains "a group's message updated in place after the outage" "$last" "o1-b"
o0=$(jq -r '[.posts[] | select(.thread_ts == null) | select(.text | test("Out0\\b"))][0].ts' <<<"$s")
if jq -e --arg ts "$o0" '[.updates[] | select(.ts == $ts) | select(.text | test("RESOLVED"))] | length >= 1' <<<"$s" >/dev/null; then
  ok "a group resolved during the outage shows RESOLVED"
else bad "Out0 shows RESOLVED" "$(jq -c --arg ts "$o0" '[.updates[] | select(.ts == $ts) | .text]' <<<"$s")"; fi

# Messages of before the outage: the fresh fake does not know their ts.
old_ts=$(jq -r '[.posts[] | .ts] | .[]' "$T/state-old.json" | tr '\n' ' ')
new_ts=$(jq -r '[.posts[] | .ts] | .[]' <<<"$s" | tr '\n' ' ')
stray=
while read -r t; do
  [ -z "$t" ] && continue
  [[ " $old_ts $new_ts " == *" $t "* ]] || stray="$stray $t"
done < <(jq -r '.posts[] | select(.thread_ts != null) | .thread_ts' <<<"$s")
equals "thread notes all refer to messages the bot posted" "$stray" ""
failed=$(q "SELECT o.id || ' ' || o.kind || ' ' || coalesce(o.last_error, '') || ' ' || coalesce(r.platform_id, '?') FROM outbox o LEFT JOIN outbox r ON o.target = 'ref:' || r.id WHERE o.state = 'failed' ORDER BY o.id")
nfailed=$(q "SELECT count(*) FROM outbox WHERE state = 'failed'")
if [ "$nfailed" -ge 1 ]; then ok "updates of pre-outage messages refused ($nfailed)"
else bad "updates of pre-outage messages refused" "no failed rows"; fi
badfail=
while read -r id kind err ref; do
  [ -z "$id" ] && continue
  if [ "$kind" != update ] || [ "$err" != message_not_found ] || [[ "$ref" != "$OLD_TS".* ]]; then
    badfail="$badfail [$id $kind $err $ref]"
  fi
  grep -q "message $id refused for good: message_not_found" "$T/bot.err" || badfail="$badfail [$id not logged]"
done <<<"$failed"
equals "only those, marked failed with message_not_found and logged" "$badfail" ""

# A new alert now goes straight through.
fire '{"name":"After","host":"af1"}'
if wait_for '[.posts[] | select(.text | test("After"))] | length == 1' 10; then ok "a new alert after the outage is posted"
else bad "new alert posted" "$(tail -3 "$T/bot.err")"; fi

kill "$bot_pid"
wait "$bot_pid" 2>/dev/null
bot_pid=

###############################################################################
# 2. The bot killed with SIGKILL mid-storm, restarted on the same data dir
###############################################################################
ctl reset >/dev/null
write_config "$T/opsbot2.json" "$T/data2"
DB="$T/data2/opsbot.db"
start_bot "$T/opsbot2.json" "$T/bot2.err" || bad "bot starts (storm)" "$(tail -5 "$T/bot2.err")"
wait_for '.connections_open >= 1' || bad "bot connects (storm)" "$(tail -5 "$T/bot2.err")"
NREQ=40
mkdir -p "$T/storm" "$T/st"
for i in $(seq 0 $((NREQ - 1))); do
  jq -n --argjson b "$i" '{alerts:[range(50) | ($b * 50 + .) as $n |
    {name:("Storm" + ($n % 10 | tostring)), host:("s" + ($n | tostring)), severity:"warning"}]}' >"$T/storm/$i.json"
done
# Four senders, each request after the other, a little apart.
for lane in 0 1 2 3; do
  (
    for i in $(seq "$lane" 4 $((NREQ - 1))); do
      hook "@$T/storm/$i.json" >"$T/st/$i.tmp"
      mv "$T/st/$i.tmp" "$T/st/$i"
      sleep 0.25
    done
  ) &
  lane_pids+=($!)
done
# The kill: with about half the requests answered and group messages
# waiting in the outbox.
for _ in $(seq 1000); do
  n=$(find "$T/st" -name '[0-9]*' ! -name '*.tmp' | wc -l)
  [ "$n" -ge 30 ] && break
  [ "$n" -ge 14 ] && [ "$(q "SELECT count(*) FROM outbox WHERE state = 'pending'" 2>/dev/null)" -gt 0 ] && break
  sleep 0.02
done
kill -KILL "$bot_pid"
wait "$bot_pid" 2>/dev/null
bot_pid=
wait "${lane_pids[@]}"
lane_pids=()
acked=() unacked=()
for i in $(seq 0 $((NREQ - 1))); do
  if [ "$(cat "$T/st/$i")" = 200 ]; then acked+=("$i"); else unacked+=("$i"); fi
done
echo "# before the kill: ${#acked[@]} requests answered 200, ${#unacked[@]} not"
if [ "${#acked[@]}" -gt 0 ] && [ "${#unacked[@]}" -gt 0 ]; then ok "killed mid-storm (${#acked[@]}/$NREQ answered)"
else bad "killed mid-storm" "answered: ${#acked[@]} of $NREQ"; fi
# What the killed bot had stored, for the report.
pre_stored=$(q "SELECT count(*) FROM alerts")

start_bot "$T/opsbot2.json" "$T/bot2b.err" || bad "bot restarts on the same data dir" "$(tail -5 "$T/bot2b.err")"
resent_ok=0
for i in "${unacked[@]}"; do
  st=$(hook "@$T/storm/$i.json")
  if [ "$st" = 200 ]; then resent_ok=$((resent_ok + 1)); else echo "resend $i: $st" >>"$T/hook-failures"; fi
done
equals "every request not answered is taken after the restart" "$resent_ok" "${#unacked[@]}"
equals "all 2,000 alerts stored" "$(q "SELECT count(*) FROM alerts")" 2000
equals "no fingerprint twice" "$(q "SELECT count(*) FROM (SELECT fingerprint FROM alerts GROUP BY fingerprint HAVING count(*) > 1)")" 0
equals "one 'fired' event each" "$(q "SELECT count(*) FROM alert_events WHERE what = 'fired'")" 2000
# received per request: 1 for one answered before the kill; for one not
# answered, 1 or 2 (stored, then killed before the answer), for all 50.
per_req=$(q "SELECT CAST(substr(host, 2) AS INTEGER) / 50 AS r, min(received), max(received), count(*) FROM alerts WHERE alertname LIKE 'Storm%' GROUP BY r ORDER BY r")
badreq='' twice=0
for i in $(seq 0 $((NREQ - 1))); do
  line=$(grep "^$i|" <<<"$per_req")
  IFS='|' read -r _ lo hi n <<<"$line"
  if [[ " ${acked[*]} " == *" $i "* ]]; then
    [ "$lo|$hi|$n" = "1|1|50" ] || badreq="$badreq [acked $i: $line]"
  else
    if [ "$lo" != "$hi" ] || [ "$n" != 50 ] || { [ "$lo" != 1 ] && [ "$lo" != 2 ]; }; then
      badreq="$badreq [resent $i: $line]"
    elif [ "$lo" = 2 ]; then twice=$((twice + 1)); fi
  fi
done
equals "a request acknowledged before the kill is stored exactly once, every request whole" "$badreq" ""
echo "# $twice request(s) were stored by the killed bot without an answer (counted twice, as delivered twice)"
if [ "$twice" -le 4 ]; then ok "at most the requests in flight were stored unanswered ($twice)"
else bad "stored unanswered" "$twice requests (4 were in flight at most)"; fi
equals "sum(received) == deliveries answered 200 (+ the stored unanswered ones)" \
  "$(q "SELECT sum(received) FROM alerts")" "$(( (${#acked[@]} + ${#unacked[@]} + twice) * 50 ))"

# The messages: posted after the restart, each group once.
for _ in $(seq 600); do
  [ "$(q "SELECT count(*) FROM outbox WHERE state = 'pending'")" = 0 ] &&
    [ "$(q "SELECT count(*) FROM alerts WHERE coalesce(shown, '') != state")" = 0 ] && break
  sleep 0.1
done
sleep 1
for _ in $(seq 100); do
  [ "$(q "SELECT count(*) FROM outbox WHERE state = 'pending'")" = 0 ] && break
  sleep 0.1
done
equals "no outbox row left pending after the restart" "$(q "SELECT count(*) FROM outbox WHERE state = 'pending'")" 0
equals "none failed" "$(q "SELECT count(*) FROM outbox WHERE state = 'failed'")" 0
equals "every alert shown in chat" "$(q "SELECT count(*) FROM alerts WHERE coalesce(shown, '') != state")" 0
s=$(state)
echo "$s" >"$T/state-storm.json"
missing='' dup=''
for k in $(seq 0 9); do
  n=$(jq --arg re "^\\[[A-Z:0-9]*\\] Storm$k\\b" '[.posts[] | select(.channel == "C0ALERTS" and .thread_ts == null) | select(.text | test($re))] | length' <<<"$s")
  [ "$n" = 0 ] && missing="$missing Storm$k"
  [ "$n" -gt 1 ] && dup="$dup Storm$k"
done
equals "each storm group posted (missing:$missing)" "$missing" ""
equals "no group posted twice (twice:$dup)" "$dup" ""
equals "each message posted once: the fake's posts are the outbox's sent rows" \
  "$(jq -r '[.posts[] | .ts] | sort | join(" ")' <<<"$s")" \
  "$(q "SELECT platform_id FROM outbox WHERE state = 'sent' AND kind IN ('post', 'thread') ORDER BY platform_id" | tr '\n' ' ' | sed 's/ $//')"
echo "# the killed bot had stored $pre_stored alerts; $(grep -o '[0-9]* message(s) from before the restart' "$T/bot2b.err" || echo 'no messages') were left in its outbox"

# --- a big group, the bot killed just as its message reaches Slack ------------
# The message is written to the outbox in the transaction that records the
# group's note; it must not reach chat before that commits, or the group
# is posted again after the restart.
kill "$bot_pid"
wait "$bot_pid" 2>/dev/null
bot_pid=
ctl reset >/dev/null
write_config "$T/opsbot3.json" "$T/data3"
DB="$T/data3/opsbot.db"
start_bot "$T/opsbot3.json" "$T/bot3.err" || bad "bot starts (big group)" "$(tail -5 "$T/bot3.err")"
# 15,000 alerts: the transaction that records the group's first message
# writes each of them, long enough for a message sent early to show.
big_ok=0
for j in 0 1 2; do
  jq -n --argjson j "$j" '{alerts:[range(5000) | {name:"BigGroup", host:("b" + ($j * 5000 + . | tostring))}]}' >"$T/big.json"
  [ "$(hook "@$T/big.json")" = 200 ] && big_ok=$((big_ok + 1))
done
equals "15,000 alerts in one group taken" "$big_ok" 3
for _ in $(seq 5000); do
  curl -s "$C/state" | grep -q '"posts":\[{' && break
done
kill -KILL "$bot_pid"
wait "$bot_pid" 2>/dev/null
bot_pid=
# Top-level posts and thread replies are both chat.postMessage.
seen=$(state | jq '.posts | length')
rows=$(q "SELECT count(*) FROM outbox WHERE kind IN ('post', 'thread')")
unmarked=$(q "SELECT count(*) FROM outbox WHERE kind = 'post' AND state = 'pending'")
marked=$(q "SELECT count(*) FROM outbox WHERE kind IN ('post', 'thread') AND state = 'sent'")
if [ "$seen" -ge 1 ] && [ "$seen" -le "$rows" ]; then
  ok "what Slack got has a committed outbox row at the kill ($seen/$rows)"
else bad "what Slack got has a committed outbox row at the kill" "seen $seen, rows $rows"; fi
start_bot "$T/opsbot3.json" "$T/bot3b.err" || bad "bot restarts (big group)" "$(tail -5 "$T/bot3b.err")"
# Settled: nothing pending and every alert shown. A loaded machine may take
# long; a duplicate would be posted before this, so wait for it, bounded.
settled=0 deadline=$((SECONDS + 90))
while [ "$SECONDS" -lt "$deadline" ]; do
  if [ "$(q "SELECT count(*) FROM outbox WHERE state = 'pending'")" = 0 ] &&
    [ "$(q "SELECT count(*) FROM alerts WHERE coalesce(shown, '') != state")" = 0 ]; then
    settled=1; break
  fi
  sleep 0.2
done
[ "$settled" = 1 ] || bad "the restarted bot delivers everything" "$(q "SELECT state, count(*) FROM outbox GROUP BY state" | tr '\n' ' ')"
sleep 1
n=$(state | jq '[.posts[] | select(.thread_ts == null) | select(.text | test("BigGroup"))] | length')
# Killed between Slack's answer and marking the row sent, the restart looks
# the message up by its outbox row (Slack metadata): exactly once.
if [ "$n" = 1 ]; then ok "the big group posted once (pending post rows at the kill: $unmarked)"
else bad "the big group posted once" "posts: $n, pending post rows at the kill: $unmarked"; fi
if [ "$seen" -gt "$marked" ]; then # Slack had a post its row did not know
  contains "a post that may have arrived was looked up first" "$(cat "$T/bot3b.err")" "was posted before"
fi
[ -f "$T/hook-failures" ] && sed 's/^/# /' "$T/hook-failures"

assert_done
