#!/usr/bin/env bash
# Integration: checklists and the scheduler end to end with real parts.
# A real sshd on loopback stands in for two hosts (ssh_config aliases), a
# stand-in autorep prints AutoSys output, a report dir holds a fresh and a
# stale file, / is over a 1 % threshold, and host commands pass and fail.
#   1. /opsbot sod from the fake Slack: the summary's score, failures
#      first with their causes, passes after, the details; against a run
#      stored as yesterday's: what is new and what got fixed; /report
#      history shows both days, /report last the last run.
#   2. A schedule every minute posts the SOD summary to #ops-alerts with
#      its details in the thread (a second bot with its own fake Slack, so
#      its runs do not mix into the first bot's history).
#   3. A checklist naming an unknown service, command or host: the exact
#      place from --check-config, exit 1.
# usage: checklists.sh OPSBOT SOURCE_DIR FAKE_SLACK
set -u
BOT=$(realpath "$1")
SRC=$(realpath "$2")
FAKE=$(realpath "$3")
# shellcheck source=lib-sshd.sh
. "$SRC/tests/integration/lib-sshd.sh"
. "$SRC/tests/integration/lib-assert.sh"

T=$(mktemp -d /tmp/ob-ck.XXXXXX)
START_MS=$(date +%s%3N)   # before any run: the EOD test's day happens before it
fake_pid=
fake2_pid=
bot_pid=
bot2_pid=
app_pid=
stop() { # pid: TERM, then wait for it
  [ -n "$1" ] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null
  return 0
}
cleanup() {
  stop "$bot_pid"
  stop "$bot2_pid"
  stop "$fake_pid"
  stop "$fake2_pid"
  stop "$app_pid"
  lib_sshd_cleanup
  [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

sshd_start "$T/sshd" || { echo "FAIL sshd did not start"; echo "0 passed, 1 failed"; exit 1; }
ALIASES=$(sshd_ssh_config "$T" web1 web2)
CLOSED=$(closed_port)   # db9: a host that is down (nothing listens)

# --- the world the checks look at -------------------------------------------------
# A service whose process runs: a copy of sleep under a name of our own
# (pgrep -x matches the kernel's process name, the executable's name).
# It gets SIGTERM if this script dies without cleaning up (setpriv).
guarded() {
  if command -v setpriv >/dev/null 2>&1; then exec setpriv --pdeathsig TERM -- "$@"; fi
  exec "$@"
}
APP=ob-ck-$$
cp "$(command -v sleep)" "$T/$APP"
guarded "$T/$APP" 600 </dev/null >/dev/null 2>&1 &
app_pid=$!
GHOST=ob-gh-$$      # a service that does not run

# The stand-in AutoSys client: one job done today after 06:00, one failed,
# one done but before 06:00, and one the checklist does not ask about.
TODAY=$(date -u +%m/%d/%Y)
YDAY=$(date -u -d yesterday +%m/%d/%Y)
cat >"$T/autorep.out" <<OUT

Job Name                                                         Last Start           Last End             ST Run/Ntry Pri/Xit
________________________________________________________________ ____________________ ____________________ __ ________ _______

SOD_LOAD_PRICES                                                  $TODAY 06:10:00  $TODAY 06:30:00  SU 91000/1  0
SOD_RECON                                                        $TODAY 06:00:00  $TODAY 06:05:12  FA 91001/1  1
SOD_EARLY                                                        $TODAY 05:40:00  $TODAY 05:50:00  SU 91002/1  0
EOD_SWEEP                                                        $YDAY 22:00:00  $YDAY 22:01:00  FA 90999/1  1
OUT
cat >"$SSHD_BIN/autorep" <<SH
#!/bin/sh
echo "\$@" >>"$T/autorep.args"
pat=\$(printf '%s' "\$2" | sed 's/%/*/g')
head -4 "$T/autorep.out"
tail -n +5 "$T/autorep.out" | while read -r name rest; do
  case "\$name" in \$pat) printf '%-64s %s\n' "\$name" "\$rest" ;; esac
done
SH
chmod +x "$SSHD_BIN/autorep"

# Reports: one written now, one two days old.
mkdir -p "$T/reports"
: >"$T/reports/daily-positions.csv"
: >"$T/reports/recon-breaks.csv"
touch -d '2 days ago' "$T/reports/recon-breaks.csv"

disk_pct() { df -P / | awk 'NR == 2 { sub("%", "", $5); print $5 }'; }

# hosts, checklists, and the schedule (for the second bot) as one file.
write_config() { # file data-dir [extra top-level keys]
  cat >"$1" <<JSON
{
  "bot": { "data_dir": "$2", "log_level": "debug", "timezone": "UTC" },
  "users": [ { "name": "jdoe", "platform": "slack", "id": "U0456", "roles": ["viewer"] } ],
  "alerts": { "listen": "127.0.0.1:0", "checks": { "enabled": false },
              "route": { "channels": [] } },
  "remote": { "timeout": "8s", "connect_timeout": "4s", "control_persist": "5s",
              "ssh_config": "$ALIASES" },
  "hosts": [
    { "name": "web1", "tags": ["web", "mixed"],
      "mounts": [ { "path": "/", "warn": 1, "crit": 1 } ],
      "services": [ { "name": "app", "process": "$APP" },
                    { "name": "batch", "process": "$GHOST" } ],
      "jobs": { "names": ["SOD_*"] },
      "commands": { "queue": "echo 0",
                    "ledger": "echo 'ledger: 3 unbalanced accounts' >&2; exit 3" } },
    { "name": "web2", "tags": ["web"],
      "mounts": [ { "path": "/", "warn": 1, "crit": 1 } ],
      "services": [ { "name": "app", "process": "$APP" } ] },
    { "name": "db9", "tags": ["mixed"], "address": "127.0.0.1", "port": $CLOSED,
      "mounts": [ { "path": "/" } ],
      "services": [ { "name": "app", "process": "$APP" } ] }
  ],
  "checklists": {
    "sod": { "title": "SOD", "mention": "@oncall", "checks": [
      { "title": "App running", "kind": "services_running", "hosts": "web", "services": ["app"] },
      { "title": "Batch running", "kind": "services_running", "hosts": "web1", "services": ["batch"] },
      { "title": "Overnight jobs", "kind": "jobs_status", "hosts": "web1", "jobs": ["SOD_*"],
        "ended_after": "06:00" },
      { "title": "Daily report", "kind": "file_fresh", "hosts": "web1",
        "path": "$T/reports/daily-*.csv", "newer_than": "00:00" },
      { "title": "Recon file", "kind": "file_fresh", "hosts": "web1",
        "path": "$T/reports/recon-*.csv", "max_age": "1d" },
      { "title": "Disk space", "kind": "disk_below", "hosts": "web" },
      { "title": "No critical alerts", "kind": "no_open_alerts" },
      { "title": "Queue empty", "kind": "command_ok", "hosts": "web1", "command": "queue",
        "expect": "^0\$" },
      { "title": "Ledger balanced", "kind": "command_ok", "hosts": "web1", "command": "ledger" }
    ] },
    "mixed": { "checks": [
      { "title": "Disk space", "kind": "disk_below", "hosts": "mixed" },
      { "title": "App running", "kind": "services_running", "hosts": "mixed", "services": ["app"] }
    ] },
    "eod": { "compare_with": "sod", "handover": true, "checks": [
      { "title": "App running", "kind": "services_running", "hosts": "web", "services": ["app"] },
      { "title": "Prices loaded", "kind": "jobs_status", "hosts": "web1", "jobs": ["SOD_LOAD_PRICES"] },
      { "title": "No alerts", "kind": "no_open_alerts", "severity": "info" }
    ] }
  }${3:+,
  $3}
}
JSON
}

start_fake() { # dir -> pid in $!, port in DIR/port
  "$FAKE" "$1/port" 2>"$1/fake.log" &
  for _ in $(seq 100); do [ -s "$1/port" ] && break; sleep 0.05; done
}
start_bot() { # config dir fake-port
  SLACK_APP_TOKEN=xapp-test SLACK_BOT_TOKEN=xoxb-test \
    SLACK_API_URL="http://127.0.0.1:$3/api/" \
    "$BOT" --config "$1" </dev/null >>"$2/bot.out" 2>>"$2/bot.err" &
}
state_of() { curl -sf "http://127.0.0.1:$1/_control/state"; }
wait_on() { # port jq-expr [tries of 0.1 s]
  for _ in $(seq "${3:-150}"); do
    [ "$(state_of "$1" | jq -r "$2")" = true ] && return 0
    sleep 0.1
  done
  return 1
}

# --- the scheduled bot starts first, so its minute passes during the rest ----
mkdir -p "$T/b2"
start_fake "$T/b2"
fake2_pid=$!
P2=$(cat "$T/b2/port")
write_config "$T/b2/opsbot.json" "$T/b2/data" '"schedules": [ { "name": "sod-every-minute", "cron": "* * * * *", "run": "/sod", "channel": "slack:#ops-alerts" } ]'
out=$("$BOT" --check-config "$T/b2/opsbot.json" 2>&1)
contains "config with a schedule checks" "$out" "ok (3 host(s), 1 user rule(s)"
contains "and counts the schedule" "$out" "1 schedule(s)"
start_bot "$T/b2/opsbot.json" "$T/b2" "$P2"
bot2_pid=$!
sched_start=$(date +%s)

# --- the interactive bot ------------------------------------------------------------
mkdir -p "$T/b1"
start_fake "$T/b1"
fake_pid=$!
P1=$(cat "$T/b1/port")
C="http://127.0.0.1:$P1/_control"
write_config "$T/b1/opsbot.json" "$T/b1/data"
start_bot "$T/b1/opsbot.json" "$T/b1" "$P1"
bot_pid=$!
wait_on "$P1" '.connections_open >= 1' || bad "bot connects to Slack" "$(tail -5 "$T/b1/bot.err")"
DB="$T/b1/data/opsbot.db"

# slash TEXT [tries] -> the answer's text on its response URL
slash() {
  local r
  r=$(curl -sf -X POST "$C/slash" -H 'Content-Type: application/json' \
    -d "$(jq -nc --arg t "$1" '{text: $t, user_id: "U0456", user_name: "jdoe"}')" | jq -r .response_url)
  # The final answer: a long run shows its progress first ("SOD — running",
  # "3 of 4 hosts answered") and then replaces it.
  # A host command's ack says "working on it…" first (via "ack").
  wait_on "$P1" "[.responses[] | select(.url == \"$r\") | select(.body.text // \"\" | (contains(\" — running\") or contains(\" hosts answered\") or . == \"working on it…\") | not)] | length >= 1" "${2:-300}" || true
  state_of "$P1" | jq -r --arg u "$r" '[.responses[] | select(.url == $u)][-1].body.text // ""'
}

# --- nothing stored yet; a checklist with no earlier run ------------------------
out=$(slash "report last sod")
contains "/report last before any run" "$out" "No sod run stored yet"
out=$(slash "checklist")
contains "/checklist lists the checklists" "$out" "sod — SOD, 9 check(s)"
contains "with the default title in capitals" "$out" "eod — EOD, 3 check(s)"
out=$(slash "eod")
TODAY_HDR=$(date -u +'%a %d %b')
contains "all passing: the score" "$out" "EOD — $TODAY_HDR"
contains "3/3 OK" "$out" "— 3/3 OK"
contains "no SOD yet today: said so" "$out" "No SOD today to compare with."
contains "a quiet day: no alerts" "$out" "Alerts: 0 fired, 0 acknowledged, 0 still open"
contains "a quiet day: nothing rerun" "$out" "Reruns and restarts: none"
contains "the passing service says what it saw" "$out" "✓ App running"
lacks "no mention when all passed" "$out" "@oncall"
lacks "a first run has nothing to compare with" "$out" "the last run"
lacks "no details when nothing failed" "$out" "Details:"

# --- yesterday's SOD, stored as the bot would have ---------------------------------
now_ms=$(($(date +%s%3N)))
y_ms=$((now_ms - 86400000))
YMD=$(date -u -d "@$((y_ms / 1000))" +'%b %d')
TMD=$(date -u +'%b %d')
YHDR=$(date -u -d "@$((y_ms / 1000))" +'%a %d %b %H:%M')
sqlite3 -cmd '.timeout 5000' "$DB" <<SQL
BEGIN;
INSERT INTO checklist_runs (name, started, finished, trigger, passed, total)
  VALUES ('sod', $y_ms, $((y_ms + 900)), 'schedule', 5, 9);
INSERT INTO checklist_results (run_id, idx, title, kind, status, detail, output)
  SELECT (SELECT max(id) FROM checklist_runs), column1, column2, column3, column4, column5, NULL FROM (VALUES
  (0, 'App running', 'services_running', 'ok', 'web1 app: active'),
  (1, 'Batch running', 'services_running', 'ok', 'web1 batch: active'),
  (2, 'Overnight jobs', 'jobs_status', 'fail', 'SOD_RECON FA (failure), expected SU'),
  (3, 'Daily report', 'file_fresh', 'ok', 'web1: daily-positions.csv, 2h old'),
  (4, 'Recon file', 'file_fresh', 'fail', 'web1: recon-breaks.csv is 1d old (at most 1d)'),
  (5, 'Disk space', 'disk_below', 'ok', 'web1 /: 0%'),
  (6, 'No critical alerts', 'no_open_alerts', 'ok', ''),
  (7, 'Queue empty', 'command_ok', 'fail', 'web1: queue printed "12", which does not match ^0\$'),
  (8, 'Ledger balanced', 'command_ok', 'fail', 'web1: ledger exited 3'));
COMMIT;
SQL
equals "yesterday's run stored" "$(sqlite3 -cmd '.timeout 5000' "$DB" "SELECT count(*) FROM checklist_results r JOIN checklist_runs c ON c.id = r.run_id WHERE c.name = 'sod'")" 9

# --- /opsbot sod: the summary -----------------------------------------------------
t0=$(date +%s%N)
disk0=$(disk_pct)
out=$(slash "sod")
disk1=$(disk_pct)
ms=$((($(date +%s%N) - t0) / 1000000))
echo "$out" >"$T/sod1.txt"
contains "the title: name, day, score" "$out" "SOD — $TODAY_HDR"
contains "4 of 9 passed" "$out" "— 4/9 OK"
contains "the mention when anything failed" "$out" "@oncall"
# Failures first, in check order, then the passes.
order=$(printf '%s\n' "$out" | grep -E '^(✓|✗|⚠) ' | sed -E 's/^(.) ([^—]*[^ —]).*/\1 \2/')
equals "failures first, then passes, each in order" "$order" "✗ Batch running
✗ Overnight jobs
✗ Recon file
✗ Disk space
✗ Ledger balanced
✓ App running
✓ Daily report
✓ No critical alerts
✓ Queue empty"
line() { printf '%s\n' "$out" | grep -F -m1 -- "$1"; }
contains "stopped service named" "$(line '✗ Batch running')" "web1 batch: inactive"
contains "failed job named with its status" "$(line '✗ Overnight jobs')" "SOD_RECON FA (failure), expected SU"
contains "a job done too early named" "$(line '✗ Overnight jobs')" "SOD_EARLY ended $TODAY 05:50:00, before 06:00 today"
lacks "the job that ran in time is not blamed" "$(line '✗ Overnight jobs')" "SOD_LOAD_PRICES"
lacks "a job outside the glob is not looked at" "$out" "EOD_SWEEP"
contains "stale file named with its age" "$(line '✗ Recon file')" "web1: $T/reports/recon-breaks.csv is 2d"
contains "and the limit" "$(line '✗ Recon file')" "(at most 1d)"
# As df says, before or after the run (something else may be writing).
dl=$(line '✗ Disk space')
if [[ "$dl" == *"web1 /: $disk0% used (under 1% wanted)"* || "$dl" == *"web1 /: $disk1% used (under 1% wanted)"* ]]; then
  ok "disk % on web1, as df says"; else bad "disk % on web1, as df says" "df: $disk0% / $disk1%" "got: $dl"; fi
if [[ "$dl" == *"web2 /: $disk0% used"* || "$dl" == *"web2 /: $disk1% used"* ]]; then
  ok "disk % on web2"; else bad "disk % on web2" "df: $disk0% / $disk1%" "got: $dl"; fi
contains "failed command: exit code and its last line" "$(line '✗ Ledger balanced')" "web1: ledger exited 3: ledger: 3 unbalanced accounts"
contains "passing service check" "$out" "✓ App running"
contains "fresh file shown with its age" "$(line '✓ Daily report')" "web1: $T/reports/daily-positions.csv, "
contains "passing command named with its host" "$(line '✓ Queue empty')" "web1 \$ queue"
lacks "no check could not run" "$out" "⚠"
contains "details section" "$out" "Details:"
details=${out#*Details:}
contains "details of the jobs check" "$details" "Overnight jobs:"
contains "details of the disk check" "$details" "Disk space:"
lacks "no details for passes" "$details" "Daily report:"
contains "autorep asked for the glob as AutoSys's pattern" "$(cat "$T/autorep.args" 2>/dev/null)" "-j SOD_%"
if [ "$ms" -lt 20000 ]; then ok "answered in $ms ms"; else bad "answered in time" "took $ms ms"; fi

# --- against yesterday's run ------------------------------------------------------
contains "new failures since yesterday" "$out" "New since the last run ($YHDR): Batch running, Disk space"
contains "fixed since yesterday" "$out" "Fixed since the last run ($YHDR): Queue empty"
lacks "still failing is not news" "$(line 'New since')" "Overnight jobs"

# --- the store --------------------------------------------------------------------
equals "the run is stored with its score" "$(sqlite3 -cmd '.timeout 5000' "$DB" "SELECT trigger || ' ' || passed || '/' || total FROM checklist_runs WHERE name = 'sod' ORDER BY id DESC LIMIT 1")" "command 4/9"
equals "each result stored" "$(sqlite3 -cmd '.timeout 5000' "$DB" "SELECT group_concat(status, ',') FROM (SELECT status FROM checklist_results WHERE run_id = (SELECT max(id) FROM checklist_runs WHERE name = 'sod') ORDER BY idx)")" "ok,fail,fail,ok,fail,fail,ok,ok,fail"

# --- /report history: both days ------------------------------------------------------
out=$(slash "report history 7 sod")
echo "$out" >"$T/history.txt"
contains "history title" "$out" "History of sod — last 2 run(s)"
hdr=$(printf '%s\n' "$out" | grep -E "^ +$YMD +$TMD *\$" | head -1)
if [ -n "$hdr" ]; then ok "two date columns: $YMD then $TMD"; else bad "two date columns" "expected a header ' $YMD $TMD'" "got: $out"; fi
hdr=$(printf '%s\n' "$out" | grep -E "^ +$(date -u -d "@$((y_ms / 1000))" +%H:%M) +[0-9]{2}:[0-9]{2} *\$" | head -1)
if [ -n "$hdr" ]; then ok "each column with its time"; else bad "time row" "got: $out"; fi
hdr=$(printf '%s\n' "$out" | grep -E "^ +sod +sod *\$" | head -1)
if [ -n "$hdr" ]; then ok "each column names its checklist"; else bad "checklist row" "got: $out"; fi
wide=$(printf '%s\n' "$out" | awk 'length($0) > 80' | head -1)
equals "the grid fits 80 columns" "$wide" ""
row() { printf '%s\n' "$out" | grep -E "^$1 " | tr -s ' ' | sed 's/ *$//'; }
equals "App running: ok both days" "$(row 'App running')" "App running . ."
equals "Batch running: ok, then failed" "$(row 'Batch running')" "Batch running . X"
equals "Overnight jobs: failed both days" "$(row 'Overnight jobs')" "Overnight jobs X X"
equals "Disk space: ok, then failed" "$(row 'Disk space')" "Disk space . X"
equals "Queue empty: failed, then fixed" "$(row 'Queue empty')" "Queue empty X ."
equals "the scores" "$(row 'score')" "score 5/9 4/9"

# --- nothing changed: the same as the last run ----------------------------------------
out=$(slash "sod")
contains "a second run today" "$out" "— 4/9 OK"
contains "same as the run before" "$out" "Same as the last run ($TODAY_HDR"
lacks "nothing new" "$out" "New since"

out=$(slash "report last sod")
contains "/report last: its title" "$out" "Last sod — $TODAY_HDR"
contains "/report last: its score" "$out" "— 4/9 OK"
contains "/report last: the causes" "$out" "✗ Batch running — web1 batch: inactive"
out=$(slash "report history 7")
contains "history of all checklists" "$out" "History of all checklists — last 4 run(s)"
# Yesterday's SOD was stored after today's EOD ran: columns go by time.
hdr=$(printf '%s\n' "$out" | grep -E "^ +sod +eod +sod +sod *\$" | head -1)
if [ -n "$hdr" ]; then ok "columns of several checklists, oldest first, each named"; else bad "checklist row of all" "got: $out"; fi

# --- 2. the scheduled run --------------------------------------------------------------
left=$((sched_start + 75 - $(date +%s)))
[ "$left" -lt 1 ] && left=1
if wait_on "$P2" '[.posts[] | select(.channel == "C0ALERTS" and .thread_ts == null and ((.text // "") + (.blocks | tostring) | test("SOD — ")))] | length >= 1' $((left * 10)); then
  ok "the schedule posted the SOD summary to #ops-alerts"
else
  bad "scheduled SOD posted" "$(state_of "$P2" | jq -c .posts)" "$(tail -5 "$T/b2/bot.err")"
fi
s=$(state_of "$P2")
post=$(jq -c '[.posts[] | select(.channel == "C0ALERTS" and .thread_ts == null)][0]' <<<"$s")
ptext=$(jq -r '.text // ""' <<<"$post")
contains "scheduled summary: title and score" "$ptext" "— 4/9 OK"
contains "scheduled summary: a cause" "$ptext" "web1 batch: inactive"
lacks "scheduled summary: details are in the thread" "$ptext" "Overnight jobs:
"
ts=$(jq -r .ts <<<"$post")
wait_on "$P2" "[.posts[] | select(.thread_ts == \"$ts\")] | length >= 1" 100 || true
reply=$(state_of "$P2" | jq -c --arg ts "$ts" '[.posts[] | select(.thread_ts == $ts)][0] // empty')
if [ -n "$reply" ]; then ok "a threaded reply to the summary"; else bad "threaded reply" "$(state_of "$P2" | jq -c '.posts | map({channel, thread_ts, ts})')"; fi
rtext=$(jq -r '.text // ""' <<<"$reply")
equals "in the same channel" "$(jq -r .channel <<<"$reply")" C0ALERTS
contains "the reply is the Details" "$rtext" "Details"
contains "with the failing checks' output" "$rtext" "SOD_RECON"
equals "stored as a scheduled run" "$(sqlite3 -cmd '.timeout 5000' "$T/b2/data/opsbot.db" "SELECT trigger FROM checklist_runs ORDER BY id LIMIT 1")" "schedule"
contains "the scheduler logged it" "$(cat "$T/b2/bot.err")" "sod-every-minute: running /sod"

# A run missed while the bot was down runs once at start, "ran late".
kill "$bot2_pid" 2>/dev/null
wait "$bot2_pid"
rc=$?
bot2_pid=
equals "scheduled bot stops cleanly" "$rc" 0
sqlite3 -cmd '.timeout 5000' "$T/b2/data/opsbot.db" "UPDATE schedule_runs SET last_due = last_due - 180000 WHERE name = 'sod-every-minute'"
start_bot "$T/b2/opsbot.json" "$T/b2" "$P2"
bot2_pid=$!
if wait_on "$P2" '[.posts[] | select(.thread_ts == null and ((.text // "") | test("ran late")))] | length >= 1' 200; then
  ok "a missed run posts at start, marked ran late"
else
  bad "missed run posted late" "$(state_of "$P2" | jq -c '.posts | map(.text[0:80])')" "$(tail -5 "$T/b2/bot.err")"
fi
contains "the late run is logged" "$(cat "$T/b2/bot.err")" "sod-every-minute: running /sod (late: missed while the bot was down)"
for _ in $(seq 50); do
  [ "$(sqlite3 -cmd '.timeout 5000' "$T/b2/data/opsbot.db" "SELECT count(*) FROM checklist_runs WHERE trigger = 'late'")" = 1 ] && break
  sleep 0.1
done
equals "stored with trigger late" "$(sqlite3 -cmd '.timeout 5000' "$T/b2/data/opsbot.db" "SELECT count(*) FROM checklist_runs WHERE trigger = 'late'")" 1

# A store locked by someone else while the scheduler starts: logged, no crash.
mkdir -p "$T/b3"
cat >"$T/b3/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/b3/data" },
  "alerts": { "listen": "127.0.0.1:0", "checks": { "enabled": false } },
  "chat": { "console": { "enabled": true } },
  "schedules": [ { "name": "daily", "cron": "0 7 * * *", "run": "/whoami", "channel": "console" } ] }
JSON
"$BOT" --config "$T/b3/opsbot.json" </dev/null >"$T/b3/out1" 2>&1
sqlite3 "$T/b3/data/opsbot.db" "DELETE FROM schedule_runs"
( echo "BEGIN IMMEDIATE; INSERT INTO schedule_runs VALUES ('lock', 0, 0);"; sleep 8; echo "ROLLBACK;" ) |
  sqlite3 "$T/b3/data/opsbot.db" &
lock_pid=$!
sleep 0.5
(sleep 7) | "$BOT" --config "$T/b3/opsbot.json" >"$T/b3/out2" 2>&1
rc=$?
wait "$lock_pid"
equals "a locked store at start: no crash" "$rc" 0
contains "the failed write is logged" "$(cat "$T/b3/data/opsbot.log")" "daily: $T/b3/data/opsbot.db: cannot record a schedule's run: database is locked"

# The service starts, the report is rewritten: fixed.
cp "$T/$APP" "$T/$GHOST"
guarded "$T/$GHOST" 600 </dev/null >/dev/null 2>&1 &
ghost_pid=$!
touch "$T/reports/recon-breaks.csv"
out=$(slash "sod")
kill "$ghost_pid" 2>/dev/null; wait "$ghost_pid" 2>/dev/null
contains "two more pass" "$out" "— 6/9 OK"
contains "fixed: the service and the file" "$out" "Fixed since the last run ($TODAY_HDR"
contains "both named" "$(printf '%s\n' "$out" | grep -F 'Fixed since')" "Batch running, Recon file"

# --- an alert makes no_open_alerts fail ----------------------------------------------
BP=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$T/b1/bot.err" | head -1)
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$BP/hooks/generic" \
  -H 'Content-Type: application/json' -d '{"name":"DbDown","host":"db1","severity":"critical"}')
equals "a critical alert comes in" "$code" 200
out=$(slash "sod")
contains "the open alert is named" "$(printf '%s\n' "$out" | grep -F '✗ No critical alerts')" "DbDown on db1"

# --- EOD is a handover --------------------------------------------------------------
# Earlier today (before any run of this test): the morning's SOD found the
# app down and the prices job failed; alice reran the job (after a prompt
# that did nothing), bob restarted the app on web1 (ok) and web2 (error); an
# alert fired, alice acknowledged it, it resolved. An alert from yesterday
# is still acknowledged, and DbDown (above) is firing.
mid_ms=$(($(date -u -d "$(date -u -d "@$((START_MS / 1000))" +%F) 00:00" +%s) * 1000))
sod_ms=$((mid_ms + (START_MS - mid_ms) / 2))
ta_ms=$((sod_ms + (START_MS - sod_ms) / 3))
tb_ms=$((sod_ms + (START_MS - sod_ms) * 2 / 3))
hm() { date -u -d "@$(($1 / 1000))" +%H:%M; }
sqlite3 -cmd '.timeout 5000' "$DB" <<SQL
BEGIN;
INSERT INTO checklist_runs (name, started, finished, trigger, passed, total)
  VALUES ('sod', $sod_ms, $((sod_ms + 900)), 'schedule', 1, 3);
INSERT INTO checklist_results (run_id, idx, title, kind, status, detail, output)
  SELECT (SELECT max(id) FROM checklist_runs), column1, column2, column3, column4, column5, NULL FROM (VALUES
  (0, 'App running', 'services_running', 'fail', 'web1 app: inactive'),
  (1, 'Prices loaded', 'jobs_status', 'fail', 'SOD_LOAD_PRICES FA (failure), expected SU'),
  (2, 'No alerts', 'no_open_alerts', 'ok', ''));
INSERT INTO audit (ts, platform, user, user_name, channel, command, outcome, duration_ms, detail) VALUES
  ($ta_ms, 'slack', 'U0777', 'alice', 'C0OPS', 'rerun SOD_LOAD_PRICES', 'unconfirmed', 1, NULL),
  ($((ta_ms + 1)), 'slack', 'U0777', 'alice', 'C0OPS', 'rerun SOD_LOAD_PRICES --confirm', 'ok', 900, NULL),
  ($tb_ms, 'slack', 'U0888', 'bob', 'C0OPS', '/restart web1 app --confirm', 'ok', 2000, NULL),
  ($((tb_ms + 1)), 'slack', 'U0888', 'bob', 'C0OPS', '<@U0BOT> restart web2 app --confirm', 'error', 2000, 'web2 app did not come back');
INSERT INTO alerts (fingerprint, source, alertname, severity, host, labels, annotations, state,
    starts_at, ends_at, first_seen, last_seen, received, acked_by) VALUES
  ('eodtest00000001', 'alertmanager', 'LedgerLag', 'warning', 'web1', '{}', '{}', 'resolved',
    $ta_ms, $((tb_ms + 5)), $ta_ms, $((tb_ms + 5)), 2, NULL),
  ('eodtest00000002', 'alertmanager', 'OldDisk', 'warning', 'web2', '{}', '{}', 'acknowledged',
    $y_ms, 0, $y_ms, $y_ms, 1, '@carol');
INSERT INTO alert_events (alert_id, at, who, what) VALUES
  ((SELECT id FROM alerts WHERE alertname = 'OldDisk'), $y_ms, 'alertmanager', 'fired'),
  ((SELECT id FROM alerts WHERE alertname = 'LedgerLag'), $ta_ms, 'alertmanager', 'fired'),
  ((SELECT id FROM alerts WHERE alertname = 'LedgerLag'), $((ta_ms + 60000)), '@alice', 'acknowledged'),
  ((SELECT id FROM alerts WHERE alertname = 'LedgerLag'), $((tb_ms + 5)), 'alertmanager', 'resolved');
COMMIT;
SQL
LL=$(sqlite3 -cmd '.timeout 5000' "$DB" "SELECT id FROM alerts WHERE alertname = 'LedgerLag'")
OD=$(sqlite3 -cmd '.timeout 5000' "$DB" "SELECT id FROM alerts WHERE alertname = 'OldDisk'")
DD=$(sqlite3 -cmd '.timeout 5000' "$DB" "SELECT id FROM alerts WHERE alertname = 'DbDown'")
out=$(slash "eod")
echo "$out" >"$T/eod.txt"
contains "EOD: the score" "$out" "— 2/3 OK"
contains "a fixed job says it failed at SOD and who reran it" "$(line '✓ Prices loaded')" "✓ Prices loaded — failed at SOD $(hm $sod_ms), rerun by @alice $(hm $ta_ms) (ok)"
contains "a fixed service says who restarted it" "$(line '✓ App running')" "failed at SOD $(hm $sod_ms), restarted on web1 by @bob $(hm $tb_ms) (ok), restarted on web2 by @bob $(hm $((tb_ms + 1))) (error)"
contains "a new failure says it was ok at SOD" "$(line '✗ No alerts')" "DbDown on db1; ok at SOD $(hm $sod_ms)"
contains "compared with that day's first SOD" "$out" "Since SOD $(hm $sod_ms): fixed: App running, Prices loaded; new: No alerts."
contains "the day's alerts counted" "$out" "Alerts: 2 fired, 1 acknowledged, 2 still open"
contains "an alert's day: fired, acknowledged by whom, resolved" "$out" "• #$LL LedgerLag on web1: fired $(hm $ta_ms), acknowledged by @alice $(hm $((ta_ms + 60000))), resolved $(hm $((tb_ms + 5)))"
contains "a firing alert is still open" "$out" "• #$DD DbDown on db1: fired "
contains "and says so" "$(line "• #$DD DbDown")" "; still firing"
contains "an older alert still open, with who has it" "$out" "• #$OD OldDisk on web2: acknowledged since $(date -u -d "@$((y_ms / 1000))" +'%b %d %H:%M'), by @carol"
contains "reruns and restarts counted" "$out" "Reruns and restarts: 3"
contains "the rerun: who and how it ended" "$out" "• $(hm $((ta_ms + 1))) rerun SOD_LOAD_PRICES by @alice: ok"
contains "the failed restart with its cause" "$out" "• $(hm $((tb_ms + 1))) restart web2 app by @bob: error — web2 app did not come back"
lacks "a prompt that changed nothing is not an action" "$(printf '%s\n' "$out" | grep -c 'rerun SOD_LOAD_PRICES by')" "2"
equals "the marks are stored with the run" "$(sqlite3 -cmd '.timeout 5000' "$DB" "SELECT detail FROM checklist_results WHERE run_id = (SELECT max(id) FROM checklist_runs WHERE name = 'eod') AND title = 'Prices loaded'")" "failed at SOD $(hm $sod_ms), rerun by @alice $(hm $ta_ms) (ok)"

# --- one host down must not hide a real failure on another ------------------------
# web1's / is over its 1 % threshold; db9 is down. Disk space failed on web1
# whatever db9 says: a failure, naming db9 as not checked. App running is ok
# on web1 and unknown on db9: could not check.
out=$(slash "checklist mixed")
echo "$out" >"$T/mixed.txt"
contains "mixed: the score" "$out" "— 0/2 OK"
contains "a failure on a reachable host is a failure" "$(line 'Disk space')" "✗ Disk space — web1 /: "
contains "the host that could not be checked is named with it" "$(line '✗ Disk space')" "; could not check: db9: "
contains "only unknowns: could not check, naming the host" "$(line 'App running')" "⚠ App running — could not check: db9: "
lacks "the reachable host is not called unchecked" "$(line 'App running')" "web1"
equals "stored as fail and error" "$(sqlite3 -cmd '.timeout 5000' "$DB" "SELECT group_concat(status, ',') FROM (SELECT status FROM checklist_results WHERE run_id = (SELECT max(id) FROM checklist_runs WHERE name = 'mixed') ORDER BY idx)")" "fail,error"
out=$(slash "report last mixed")
contains "/report last: the failure with the unchecked host" "$out" "✗ Disk space — web1 /: "
out=$(slash "report history 1 mixed")
equals "history: a failure is X, not ?" "$(row 'Disk space')" "Disk space X"
equals "history: only unknowns are ?" "$(row 'App running')" "App running ?"

# --- 3. a checklist that names what the inventory does not have ------------------------
cat >"$T/bad.json" <<JSON
{
  "hosts": [
    { "name": "web1", "services": [ { "name": "app", "process": "app" } ],
      "commands": { "queue": "echo 0" } },
    { "name": "web2", "tags": ["web"] }
  ],
  "checklists": { "sod": { "checks": [
    { "title": "ok", "kind": "services_running", "hosts": "web1", "services": ["app"] },
    { "title": "nope", "kind": "services_running", "hosts": "web1", "services": ["nope"] },
    { "title": "cmd", "kind": "command_ok", "hosts": "web1", "command": "ledger" },
    { "title": "nohost", "kind": "disk_below", "hosts": "db9" },
    { "title": "jobs", "kind": "jobs_status", "hosts": "web", "jobs": ["X"] }
  ] } }
}
JSON
out=$("$BOT" --check-config "$T/bad.json" 2>&1)
rc=$?
equals "bad checklist: exit 1" "$rc" 1
contains "unknown service, with its place" "$out" "$T/bad.json: checklists.sod.checks[1]: host web1 has no service \"nope\""
contains "unknown host command" "$out" "$T/bad.json: checklists.sod.checks[2]: host web1 has no command \"ledger\""
contains "unknown host" "$out" "$T/bad.json: checklists.sod.checks[3]: hosts \"db9\" is not a host, a tag or \"all\""
contains "jobs on a host without a jobs source" "$out" "$T/bad.json: checklists.sod.checks[4]: host web2 has no jobs source"
lacks "the good check is not blamed" "$out" "checks[0]"
contains "the last line" "$out" "configuration has errors"

# --- the bots are still well -------------------------------------------------------------
if kill -0 "$bot_pid" 2>/dev/null; then ok "bot still running"; else bad "bot still running" "$(tail -5 "$T/b1/bot.err")"; fi
if kill -0 "$bot2_pid" 2>/dev/null; then ok "scheduled bot still running"; else bad "scheduled bot still running" "$(tail -5 "$T/b2/bot.err")"; fi
kill "$bot_pid" 2>/dev/null
wait "$bot_pid"
rc=$?
bot_pid=
equals "bot exits cleanly on SIGTERM" "$rc" 0
kill "$bot2_pid" 2>/dev/null
wait "$bot2_pid"
rc=$?
bot2_pid=
equals "scheduled bot exits cleanly on SIGTERM" "$rc" 0
logs=$(cat "$T/b1/bot.err" "$T/b2/bot.err" "$T/b3/out1" "$T/b3/out2" 2>/dev/null)
lacks "no sanitizer report" "$logs" "ERROR: AddressSanitizer"
lacks "no leak report" "$logs" "ERROR: LeakSanitizer"
lacks "no UBSan report" "$logs" "runtime error:"

assert_done
