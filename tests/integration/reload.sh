#!/usr/bin/env bash
# Integration: SIGHUP reloads the config on a running bot (console adapter
# on a fifo). A good file adds a host, a user rule and a checklist and
# /status says so; a broken one changes nothing, logs every error as
# --check-config prints it, and /status says the reload failed; a changed
# chat setting is kept until a restart, and the log says so.
# usage: reload.sh /path/to/opsbot
set -u
BOT=$(realpath "$1")
T=$(mktemp -d /tmp/opsbot-reload.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"; }
trap cleanup EXIT
. "$(dirname "${BASH_SOURCE[0]}")/lib-assert.sh"

# write_config FILE USER_ROLE EXTRA_HOST EXTRA_CHECKLIST PROMPT
write_config() {
  cat >"$1" <<JSON
{ "bot": { "data_dir": "$T/data" },
  "chat": { "console": { "enabled": true, "user": "carol", "prompt": "$5" } },
  "alerts": { "listen": "127.0.0.1:0" },
  "runbooks": { "dir": "$T/runbooks" },
  "users": [ { "name": "carol", "platform": "console", "roles": ["$2"] } ],
  "hosts": [ { "name": "web1", "transport": "local", "mounts": [ { "path": "/" } ] }$3 ],
  "checklists": { "sod": { "title": "SOD", "checks": [
      { "title": "Disk", "kind": "disk_below", "hosts": "all", "max_pct": 99 } ] }$4 }
}
JSON
}

# The bot's answers so far; wait_out NEEDLE [N]: until the Nth one shows.
wait_out() {
  local n=${2:-1} deadline=$((SECONDS + 30))
  while [ "$(grep -cF -- "$1" "$T/out" 2>/dev/null)" -lt "$n" ]; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.1
  done
}
wait_log() {
  local n=${2:-1} deadline=$((SECONDS + 30))
  while [ "$(grep -cF -- "$1" "$T/data/opsbot.log" 2>/dev/null)" -lt "$n" ]; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.1
  done
}

CFG="$T/opsbot.json"
write_config "$CFG" viewer "" "" "A> "
# The runbook library is indexed at start and again on each reload.
mkdir "$T/runbooks"
printf '# Restart the payment gateway\nDrain it first.\n' >"$T/runbooks/payment.md"
mkfifo "$T/in"
"$BOT" --config "$CFG" <"$T/in" >"$T/out" 2>"$T/err" &
pid=$!
exec 3>"$T/in"

printf '/health web2\n/whoami\n/checklist\n/runbook payment\n/status\n' >&3
wait_out "config: $CFG" || bad "first /status answered" "$(cat "$T/out")"
out=$(cat "$T/out")
contains "before: web2 unknown" "$out" "unknown host or group web2"
contains "before: carol is a viewer" "$out" "roles: viewer"
lacks "before: no eod checklist" "$out" "eod — EOD"
contains "before: /status shows no reload" "$out" "last reload: none since start"
contains "before: the runbook indexed at start" "$out" "Restart the payment gateway — payment.md"

# --- a good file: a host, a user's role, a checklist ---------------------------
write_config "$CFG" admin ', { "name": "web2", "transport": "local", "mounts": [ { "path": "/" } ] }' \
  ', "eod": { "title": "EOD", "checks": [ { "title": "Disk", "kind": "disk_below", "hosts": "web2", "max_pct": 99 } ] }' "A> "
rm "$T/runbooks/payment.md"
printf '# Restart the message queue\n' >"$T/runbooks/queue.md"
kill -HUP "$pid"
wait_log 'config reloaded from' || bad "reload logged" "$(cat "$T/data/opsbot.log")"
printf '/whoami\n/checklist\n/health web2\n/runbook restart\n/status\n' >&3
wait_out "reload: ok at" || bad "/status shows the reload" "$(cat "$T/out")"
out=$(cat "$T/out")
contains "still running after SIGHUP" "$(kill -0 "$pid" 2>&1 && echo alive)" "alive"
contains "after: carol is an admin" "$out" "roles: admin"
contains "after: eod checklist" "$out" "eod — EOD"
contains "after: /status counts 2 hosts" "$out" "2 host(s), 1 user rule(s)"
after=$(sed -n '/roles: admin/,$p' "$T/out")
contains "after: a new runbook is indexed on reload" "$after" "Restart the message queue — queue.md"
lacks "after: a removed runbook is dropped on reload" "$after" "payment.md"
# /health web2 ran on the new inventory: its answer names the host. It is
# answered by a worker, so it may come after /status: wait for it.
wait_out "web2" 2 || true
after=$(sed -n '/roles: admin/,$p' "$T/out")
lacks "after: web2 is known" "$after" "unknown host or group web2"
contains "after: /health web2 answered" "$after" "web2"
log=$(cat "$T/data/opsbot.log")
contains "SIGHUP logged" "$log" 'msg="SIGHUP: reloading the config"'
contains "reload summary logged" "$log" "2 host(s), 1 user rule(s), 2 checklist(s)"
contains "re-index logged" "$log" ": 1 new, 0 changed, 1 removed, 0 unchanged"

# --- a broken file: nothing changes ---------------------------------------------
cat >"$CFG" <<JSON
{ "bot": { "data_dir": "$T/data", "worker_thread": 4 },
  "hosts": [ { "name": "web3", "transport": "ssh", "port": "ssh" } ] }
JSON
kill -HUP "$pid"
wait_log 'configuration has errors; still running' || bad "failed reload logged" "$(cat "$T/data/opsbot.log")"
printf '/health web3\n/whoami\n/status\n' >&3
wait_out "reload: FAILED at" || bad "/status shows the failed reload" "$(cat "$T/out")"
out=$(cat "$T/out")
contains "still running after a bad file" "$(kill -0 "$pid" 2>&1 && echo alive)" "alive"
contains "/status names the first error" "$out" "still on the previous config: $CFG: bot.worker_thread: unknown key"
after=$(sed -n '/reload: ok at/,$p' "$T/out")
contains "old hosts kept: web3 unknown" "$after" "unknown host or group web3"
contains "old users kept" "$after" "roles: admin"
contains "old config kept in /status" "$after" "2 host(s), 1 user rule(s)"
log=$(cat "$T/data/opsbot.log")
contains "each error logged as --check-config: port" "$log" "$CFG: hosts[0].port: expected an integer 1-65535, got \\\"ssh\\\""
contains "each error logged as --check-config: key" "$log" "$CFG: bot.worker_thread: unknown key"

# --- a console change: kept until a restart, and said so -------------------------
write_config "$CFG" admin "" "" "B> "
kill -HUP "$pid"
wait_log 'config reloaded from' 2 || bad "second good reload logged" "$(cat "$T/data/opsbot.log")"
log=$(cat "$T/data/opsbot.log")
contains "console change needs a restart" "$log" "restart needed for chat.console changes"
printf '/status\n' >&3
wait_out "reload: ok at" 2 || bad "/status after the chat change" "$(cat "$T/out")"
lacks "old prompt kept" "$(cat "$T/out")" "B> "

# --- a command in flight finishes on the config it started with ----------------
cat >"$CFG" <<JSON
{ "bot": { "data_dir": "$T/data" },
  "chat": { "console": { "enabled": true, "user": "carol", "prompt": "B> " } },
  "alerts": { "listen": "127.0.0.1:0" },
  "users": [ { "name": "carol", "platform": "console", "roles": ["admin"] } ],
  "hosts": [ { "name": "web1", "transport": "local", "commands": { "slow": "sleep 2; echo done" } } ],
  "checklists": { "slow": { "title": "SLOWCHECK", "checks": [
      { "title": "A slow check", "kind": "command_ok", "hosts": "web1", "command": "slow" } ] } }
}
JSON
kill -HUP "$pid"
wait_log 'config reloaded from' 3 || bad "third good reload logged" "$(cat "$T/data/opsbot.log")"
printf '/checklist slow\n' >&3
sleep 0.5
# The next file drops the host, its command and the checklist.
write_config "$CFG" admin "" "" "B> "
sed -i 's/"name": "web1"/"name": "web9"/' "$CFG"
kill -HUP "$pid"
wait_log 'config reloaded from' 4 || bad "fourth good reload logged" "$(cat "$T/data/opsbot.log")"
wait_out "SLOWCHECK" || bad "the slow checklist answered" "$(tail -5 "$T/out")"
slow=$(sed -n '/SLOWCHECK/,$p' "$T/out")
contains "in-flight checklist ran on its config" "$slow" "A slow check"
lacks "in-flight checklist did not fail on the new config" "$slow" "unknown"
printf '/health web1\n' >&3
wait_out "unknown host or group web1" || bad "the new config is in force after it" "$(tail -5 "$T/out")"

exec 3>&-
wait "$pid"; rc=$?
pid=
equals "exits 0 at end of input" "$rc" 0
equals "nothing on stderr" "$(cat "$T/err")" ""
assert_done
