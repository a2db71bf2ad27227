#!/usr/bin/env bash
# Integration: the real opsbot binary driven through its console adapter,
# as a user would script it (printf '/help\n' | opsbot). Asserts replies,
# exit codes, the log and the audit rows in the sqlite file.
# usage: console.sh /path/to/opsbot /path/to/source
set -u
BOT=$(realpath "$1")
# The version the answers name (packaging/version ties it to CMakeLists.txt).
VERSION=$("$BOT" --version | sed -nE '1s/^opsbot ([^ ]+).*/\1/p')
SRC=$(realpath "$2")
T=$(mktemp -d /tmp/opsbot-it.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

. "$(dirname "${BASH_SOURCE[0]}")/lib-assert.sh"
sql() { sqlite3 "$1" "$2"; }

# --- flags -----------------------------------------------------------------
out=$("$BOT" --version); rc=$?
equals "version exits 0" "$rc" 0
contains "version names itself" "$out" "opsbot $VERSION"
out=$("$BOT" --help); rc=$?
equals "help exits 0" "$rc" 0
contains "help lists --check-config" "$out" "--check-config FILE"
out=$("$BOT" --bogus 2>&1); rc=$?
equals "unknown flag exits 2" "$rc" 2
out=$("$BOT" --log-level loud 2>&1); rc=$?
equals "bad log level exits 2" "$rc" 2
contains "bad log level says why" "$out" "expected debug, info, warn or error, got 'loud'"

# --- the embedded default, no config at all ---------------------------------
mkdir "$T/fresh"
out=$(cd "$T/fresh" && printf '/help\n/whoami\n/status\n/hepl\n\n/status now\n' | env -u OPSBOT_CONFIG "$BOT" 2>"$T/fresh.err"); rc=$?
equals "default run exits 0 on EOF" "$rc" 0
contains "help lists help" "$out" "/help [COMMAND]"
contains "help lists status" "$out" "/status"
contains "help lists whoami" "$out" "/whoami"
contains "whoami platform" "$out" "platform: console"
contains "whoami role" "$out" "roles: admin"
contains "status version" "$out" "opsbot $VERSION — up"
contains "status console state" "$out" "chat: console (reading stdin as "
contains "status store" "$out" "store: ./opsbot-data/opsbot.db"
contains "status schema" "$out" "schema v8"
contains "status memory" "$out" "resident"
contains "status listener" "$out" "listener: http://127.0.0.1:"
contains "status alerts by state" "$out" "alerts: 0 firing, 0 acked, 0 silenced"
contains "status schedules" "$out" "schedules: none"
contains "status last reload" "$out" "last reload: none since start"
contains "typo suggestion" "$out" "unknown command /hepl — did you mean /help?"
contains "usage on bad args" "$out" $'unexpected argument "now" (this command takes none)\nusage: /status'
equals "nothing on stderr (log goes to the file)" "$(cat "$T/fresh.err")" ""
db="$T/fresh/opsbot-data/opsbot.db"
if [ -f "$db" ]; then ok "store created in ./opsbot-data"; else bad "store created in ./opsbot-data" "missing $db"; fi
equals "store mode 0600" "$(stat -c %a "$db")" 600
equals "log mode 0600" "$(stat -c %a "$T/fresh/opsbot-data/opsbot.log")" 600
equals "data dir mode 0700" "$(stat -c %a "$T/fresh/opsbot-data")" 700
equals "one audit row per command" "$(sql "$db" 'SELECT count(*) FROM audit')" 5
equals "audit outcomes" "$(sql "$db" "SELECT group_concat(command || '=' || outcome, ';') FROM audit ORDER BY id")" \
  "/help=ok;/whoami=ok;/status=ok;/hepl=unknown;/status now=bad_input"
equals "audit platform and channel" "$(sql "$db" "SELECT DISTINCT platform || '/' || channel FROM audit")" "console/console"
equals "audit user is the login" "$(sql "$db" "SELECT DISTINCT user FROM audit")" "$(id -un)"
log=$(cat "$T/fresh/opsbot-data/opsbot.log")
contains "log is logfmt" "$log" "level=info comp=main msg=\"ready in "
contains "log records stop" "$log" 'msg="stopping: end of input'
contains "log records dispatch" "$log" "command=status outcome=ok"
line=$(grep 'comp=dispatch' <<<"$log" | grep 'command=status' | head -1)
contains "dispatch line: audit fields are logfmt keys" "$line" \
  "comp=dispatch msg=\"command answered\" platform=console user=$(id -un) channel=console command=status outcome=ok via=typed ms="

# A second run reuses the store.
out=$(cd "$T/fresh" && printf '/whoami\n' | "$BOT" 2>&1); rc=$?
equals "second run exits 0" "$rc" 0
equals "audit rows accumulate" "$(sql "$db" 'SELECT count(*) FROM audit')" 6

# --- --check-config -----------------------------------------------------------
out=$("$BOT" --check-config "$SRC/config/examples/opsbot.example.json" 2>&1); rc=$?
equals "example config checks ok" "$rc" 0
contains "check-config says ok" "$out" "opsbot.example.json: ok"
cat >"$T/broken.json" <<'JSON'
{
  "hosts": [
    { "name": "prod-db", "transport": "ssh", "port": "ssh" }
  ],
  "bot": { "worker_thread": 4 }
}
JSON
out=$("$BOT" --check-config "$T/broken.json" 2>&1); rc=$?
equals "broken config exits 1" "$rc" 1
contains "names the place and the fix" "$out" "$T/broken.json: hosts[0].port: expected an integer 1-65535, got \"ssh\""
contains "suggests the key" "$out" "$T/broken.json: bot.worker_thread: unknown key; did you mean \"worker_threads\"?"
printf '{ "bot": { "name": "x", }\n' >"$T/syntax.json"
out=$("$BOT" --check-config "$T/syntax.json" 2>&1); rc=$?
equals "syntax error exits 1" "$rc" 1
contains "syntax error has line and column" "$out" "$T/syntax.json: line 1, column"
out=$("$BOT" --check-config "$T/missing.json" 2>&1); rc=$?
equals "missing config exits 1" "$rc" 1
contains "missing config says so" "$out" "$T/missing.json: cannot open: No such file or directory"
out=$(printf '/help\n' | "$BOT" --config "$T/broken.json" 2>&1); rc=$?
equals "start with broken config exits 1" "$rc" 1
contains "start error names the file" "$out" "opsbot: $T/broken.json: hosts[0].port"

# --- /help fits 80 columns; a unique prefix is suggested ----------------------
# A console user with no role sees every "(needs ...)" note: the longest lines.
mkdir -p "$T/help"
printf '{ "chat": { "console": { "enabled": true, "user": "nobody" } },\n  "alerts": { "listen": "127.0.0.1:0" } }\n' >"$T/help/opsbot.json"
list=$(cd "$T/help" && printf '/help\n' | "$BOT" --config opsbot.json --data-dir data 2>&1)
cmds=$(sed -n 's|^  /\([a-z]*\).*|\1|p' <<<"$list")
if [ "$(wc -w <<<"$cmds")" -ge 10 ]; then ok "help lists the commands"; else bad "help lists the commands" "$list"; fi
all="$list"
for c in $cmds; do
  all+=$'\n'$(cd "$T/help" && printf '/help %s\n' "$c" | "$BOT" --config opsbot.json --data-dir data 2>&1)
done
long=$(while IFS= read -r l; do [ "$(LC_ALL=C.UTF-8 bash -c 'l=$1; echo ${#l}' _ "$l")" -gt 80 ] && printf '%s\n' "$l"; done <<<"$all")
equals "every line of /help and /help COMMAND fits 80 columns" "$long" ""
out=$(cd "$T/help" && printf '/hea\n' | "$BOT" --config opsbot.json --data-dir data 2>&1)
contains "/hea suggests /health (a unique prefix)" "$out" "did you mean /health?"
lacks "but does not run it" "$out" "UNREACHABLE"

# --- RBAC through the real binary ------------------------------------------
cat >"$T/rbac.json" <<JSON
{
  // The console user is a guest the config does not know.
  "bot": { "data_dir": "$T/rbac-data" },
  "chat": { "console": { "user": "guest" } },
  "users": [ { "name": "alice", "platform": "console", "roles": ["admin"] } ]
}
JSON
out=$(printf '/status\n/whoami\n' | "$BOT" --config "$T/rbac.json" 2>&1); rc=$?
equals "rbac run exits 0" "$rc" 0
contains "guest is refused /status" "$out" "/status needs role viewer, operator or admin; you have no role"
contains "guest may run /whoami" "$out" "user: guest (id guest)"
equals "refusal audited" "$(sql "$T/rbac-data/opsbot.db" "SELECT outcome FROM audit WHERE command = '/status'")" "denied"

# --- secrets from the environment are redacted everywhere ---------------------
cat >"$T/secret.json" <<JSON
{
  "bot": { "data_dir": "$T/secret-data" },
  "chat": { "slack": { "enabled": false, "bot_token": "\${OPSBOT_IT_TOKEN}" } }
}
JSON
out=$(printf '/help xoxb-it-very-secret\n' | OPSBOT_IT_TOKEN=xoxb-it-very-secret "$BOT" --config "$T/secret.json" 2>&1); rc=$?
equals "secret run exits 0" "$rc" 0
contains "reply redacts the token" "$out" "unknown command /[REDACTED]"
lacks "reply never shows the token" "$out" "xoxb-it-very-secret"
lacks "audit never stores the token" "$(sql "$T/secret-data/opsbot.db" 'SELECT command FROM audit')" "xoxb-it-very-secret"
lacks "log never shows the token" "$(cat "$T/secret-data/opsbot.log")" "xoxb-it-very-secret"
out=$(printf '/help\n' | env -u OPSBOT_IT_TOKEN "$BOT" --config "$T/secret.json" 2>&1); rc=$?
equals "unset secret variable exits 1" "$rc" 1
contains "unset variable named" "$out" "chat.slack.bot_token: environment variable OPSBOT_IT_TOKEN is not set"

# --- graceful stop on SIGTERM while idle --------------------------------------
mkfifo "$T/in"
"$BOT" --data-dir "$T/term-data" <"$T/in" >"$T/term.out" 2>&1 &
pid=$!
exec 3>"$T/in"
printf '/whoami\n' >&3
for _ in $(seq 100); do grep -q "command=whoami" "$T/term-data/opsbot.log" 2>/dev/null && break; sleep 0.05; done
kill -TERM "$pid"
wait "$pid"; rc=$?
exec 3>&-
equals "SIGTERM exits 0" "$rc" 0
contains "SIGTERM logged" "$(cat "$T/term-data/opsbot.log")" 'msg="stopping: SIGTERM; 0 command(s) in flight, 0 message(s) to deliver"'
contains "SIGTERM clean stop logged" "$(cat "$T/term-data/opsbot.log")" 'msg="stopped"'
contains "answered before the signal" "$(cat "$T/term.out")" "platform: console"

# --- bot.log_format json: one JSON object a line --------------------------------
mkdir "$T/json"
cat >"$T/json/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/json/data", "log_format": "json" },
  "chat": { "console": { "user": "alice" } },
  "users": [ { "name": "alice", "platform": "console", "roles": ["admin"] } ],
  "schedules": [ { "name": "sod", "cron": "0 7 * * *", "run": "/whoami",
                   "channel": "console" } ] }
JSON
out=$(printf '/whoami\n/status\n' | "$BOT" --config "$T/json/opsbot.json" 2>&1); rc=$?
contains "status lists a schedule's next run" "$out" "schedules: sod /whoami next 20"
contains "status: the next run is at 07:00 UTC" "$out" " 07:00 UTC"
equals "json log run exits 0" "$rc" 0
jlog="$T/json/data/opsbot.log"
equals "every log line is a JSON object" "$(jq -c 'type' "$jlog" 2>&1 | sort -u)" '"object"'
equals "json dispatch line carries the audit fields" \
  "$(jq -c 'select(.comp == "dispatch") | [.msg, .platform, .channel, .command, .outcome, .via, (.ms | test("^[0-9]+$"))]' "$jlog")" \
  $'["command answered","console","console","whoami","ok","typed",true]\n["command answered","console","console","status","ok","typed",true]'

# --- a data dir that cannot be created --------------------------------------
touch "$T/afile"
out=$(printf '' | "$BOT" --data-dir "$T/afile/sub" 2>&1); rc=$?
equals "bad data dir exits 3" "$rc" 3
contains "bad data dir explained" "$out" "cannot create data_dir $T/afile/sub: Not a directory"

assert_done
