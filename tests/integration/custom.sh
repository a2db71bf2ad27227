#!/usr/bin/env bash
# Integration: custom commands (custom_commands) against a real sshd on
# loopback. Runs the four examples shipped in the example config (the
# block between its BEGIN/END markers, with their paths pointed at this
# test's directory) and checks what they did on the host; proves that
# hostile values arrive as one literal argument each; checks the refusals,
# a custom timeout and output limit, the audit, --slack-manifest and
# --check-config; and that SIGHUP adds, changes and removes custom
# commands on a running bot.
# usage: custom.sh OPSBOT SOURCE_DIR
set -u
BOT=$(realpath "$1")
SRC=$(realpath "$2")
# shellcheck source=lib-sshd.sh
. "$SRC/tests/integration/lib-sshd.sh"

T=$(mktemp -d /tmp/ob-cc.XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
  lib_sshd_cleanup
  [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
pass=0
fail=0
. "$(dirname "${BASH_SOURCE[0]}")/lib-assert.sh"

sshd_start "$T/sshd" || { echo "FAIL sshd did not start"; echo "0 passed, 1 failed"; exit 1; }

# What the examples run, here: the shop's logs, a queue-depth script and
# a restart-if-down script that say what they were given.
mkdir -p "$T/shop" "$T/bin"
echo old >"$T/shop/old.log"
touch -d '40 days ago' "$T/shop/old.log"
echo new >"$T/shop/new.log"
cat >"$T/bin/queue-depth" <<'SH'
#!/bin/sh
[ "$1" = "--" ] || { echo "no -- first: $1"; exit 2; }
echo "queue $2: 42 messages"
SH
cat >"$T/bin/restart-if-down" <<SH
#!/bin/sh
printf '%s\n' "\$@" >"$T/restarted.args"
echo "\$1 was down; restarted"
SH
# Each argument on its own line after their count: what the host got.
cat >"$T/bin/show-args" <<SH
#!/bin/sh
{ echo "\$#"; for a in "\$@"; do printf '[%s]\n' "\$a"; done; } >"$T/args.out"
echo "got \$# argument(s)"
SH
chmod +x "$T/bin/"*

# The examples as shipped, pointed at this test's directory, and three
# commands of the test's own.
cat >"$T/extra.jsonc" <<JSON
    { "name": "show-args", "help": "Shows its arguments.", "hosts": ["web"],
      "run": "$T/bin/show-args {note}", "role": "viewer",
      "params": [ { "name": "note", "type": "text" } ] },
    { "name": "sleepy", "help": "Sleeps.", "hosts": ["web"], "timeout": "2s",
      "run": "sleep 5", "role": "viewer" },
    { "name": "chatty", "help": "Talks.", "hosts": ["web"], "role": "viewer",
      "output_limit": 2048, "run": "yes x | head -c 100000" },
JSON
EXAMPLE="$SRC/config/examples/opsbot.example.json"
sed -n '/BEGIN custom command examples/,/END custom command examples/p' \
  "$EXAMPLE" | sed -e "s|/var/log/shop|$T/shop|" \
  -e "s|/usr/local/bin/queue-depth|$T/bin/queue-depth|" \
  -e "s|/usr/local/sbin/restart-if-down|$T/bin/restart-if-down|" \
  -e "/\"custom_commands\": \\[/r $T/extra.jsonc" >"$T/examples.jsonc"
grep -q '"archive-logs"' "$T/examples.jsonc" || bad "the examples block is found" "$(cat "$T/examples.jsonc")"
for n in archive-logs disk-over queue-depth restart-if-down; do
  grep -q "\"$n\"" "$SRC/docs/custom-commands.md" && ok "docs show the example $n" ||
    bad "docs show the example $n" "not in docs/custom-commands.md"
done

host() { # NAME TAGS
  printf '{ "name": "%s", "transport": "ssh", "address": "127.0.0.1", "port": %s,
    "user": "%s", "identity_file": "%s", "tags": %s }' "$1" "$SSHD_PORT" \
    "$SSHD_USER" "$SSHD_KEY" "$2"
}
cat >"$T/opsbot.json" <<JSON
{
  "bot": { "data_dir": "$T/data" },
  "users": [ { "name": "op", "platform": "console", "id": "*", "roles": ["admin"] } ],
  "remote": { "timeout": "8s", "connect_timeout": "4s",
              "known_hosts": "$SSHD_KNOWN_HOSTS", "control_persist": "5s" },
  "hosts": [ $(host web1 '["web", "prod"]'), $(host db1 '["prod"]') ],
$(cat "$T/examples.jsonc")
  "commands": {}
}
JSON
run() { printf '%s\n' "$@" | "$BOT" --config "$T/opsbot.json" 2>&1 | tee -a "$T/transcript"; }
out=$("$BOT" --check-config "$T/opsbot.json" 2>&1)
contains "the examples pass --check-config" "$out" "ok (2 host(s)"

# --- archive logs older than N days ---------------------------------------
out=$(run "/archive-logs web1 30")
contains "archive-logs asks first" "$out" "Run /archive-logs on web1?"
contains "the prompt shows the exact line" "$out" "Confirm runs: find $T/shop -name '*.log' -mtime +'30' -exec gzip -- {} + && echo archived"
[ -e "$T/shop/old.log" ] && ok "nothing archived unconfirmed" || bad "nothing archived unconfirmed" "old.log is gone"
out=$(run "/archive-logs web1 30 --confirm")
contains "archive-logs ran on web1" "$out" "web1: exit 0"
contains "archive-logs said so" "$out" "archived"
[ -e "$T/shop/old.log.gz" ] && [ -e "$T/shop/new.log" ] && ok "the old log is compressed, the new one kept" ||
  bad "the old log is compressed, the new one kept" "$(ls "$T/shop")"
out=$(run "/archive-logs db1 30 --confirm")
contains "a host outside its hosts is refused" "$out" "/archive-logs may not run on db1; it may run on: web1"
out=$(run "/archive-logs web9 30 --confirm")
contains "a host outside the inventory is refused" "$out" "host must be a host of the inventory, got 'web9' (did you mean web1?)"
out=$(run "/archive-logs web1 '9;touch $T/pwned' --confirm")
contains "a bad number is refused" "$out" "days must be an integer from 1 to 90, got '9;touch $T/pwned'"

# --- disk over N% with a chosen threshold ---------------------------------
out=$(run "/disk-over 100")
contains "no mount over 100% on web1" "$out" "web1: exit 0, no output"
contains "no mount over 100% on db1" "$out" "db1: exit 0, no output"
out=$(run "/disk-over 1")
contains "mounts over 1% are listed" "$out" "/ is at "
contains "the check fails on both prod hosts" "$out" "/disk-over failed on 2 of 2 hosts"

# --- a queue-depth script --------------------------------------------------
out=$(run "/queue-depth web1 orders.retry")
contains "queue-depth answers" "$out" "queue orders.retry: 42 messages"
out=$(run "/queue-depth web1 'orders;touch $T/pwned'")
contains "a queue name outside the pattern is refused" "$out" "queue must match [a-z][a-z0-9_.-]{0,63}, got 'orders;touch $T/pwned'"

# --- a restart-if-down script ---------------------------------------------
out=$(run "/restart-if-down web1 nginx --confirm")
contains "a service outside the choices is refused" "$out" "service must be one of shop or shop-worker, got 'nginx'"
out=$(run "/restart-if-down web1 shop-worker --confirm")
contains "restart-if-down ran" "$out" "shop-worker was down; restarted"
equals "the script got the service" "$(cat "$T/restarted.args" 2>/dev/null)" "shop-worker"

# --- hostile values: one literal argument each ------------------------------
hostile=(
  "\$(touch $T/pwned)" "\`touch $T/pwned\`" "a;touch $T/pwned" "a|b" "a && b"
  "*" "/etc/*" "~root" "\$HOME" "\${PATH}" "a > $T/pwned" "%s%n" "!!" "#x" "-n"
  "\"dq\"" "x\\\\y"
)
for h in "${hostile[@]}"; do
  # As a chat user quotes it: '...' (no ' in the set: see test-custom.c).
  out=$(run "/show-args '$h'")
  contains "hostile value '$h' reaches the host" "$out" "got 1 argument(s)"
  equals "hostile value '$h' arrives as itself" "$(sed -n 2p "$T/args.out")" "[$h]"
done
out=$(run "/show-args two  words   here")
equals "a text is the rest of the line, one argument" "$(cat "$T/args.out")" "$(printf '1\n[two words here]')"
[ -e "$T/pwned" ] && bad "no value ever reached a shell" "$T/pwned exists" || ok "no value ever reached a shell"

# --- its own timeout and output limit ---------------------------------------
out=$(run "/sleepy")
contains "a custom timeout ends it" "$out" "web1: connected, but the command did not finish in 2 s"
out=$(run "/chatty")
contains "a custom output limit cuts it" "$out" "the output was cut short before the command ended (output_limit 2048 bytes)"

# --- the audit, the manifest, the clash check --------------------------------
db="$T/data/opsbot.db"
equals "a confirmed run is audited" "$(sqlite3 "$db" "SELECT outcome FROM audit WHERE command = '/restart-if-down web1 shop-worker --confirm'")" "ok"
equals "the prompt is audited" "$(sqlite3 "$db" "SELECT outcome FROM audit WHERE command = '/archive-logs web1 30'")" "unconfirmed"
equals "a refused value is audited" "$(sqlite3 "$db" "SELECT outcome FROM audit WHERE command = '/restart-if-down web1 nginx --confirm'")" "bad_input"
out=$("$BOT" --config "$T/opsbot.json" --slack-manifest 2>&1)
contains "the Slack manifest lists custom commands" "$out" "archive-logs"
contains "the manifest's usage hint has their parameters" "$out" "queue-depth HOST QUEUE"
sed 's/"name": "queue-depth"/"name": "logs"/' "$T/opsbot.json" >"$T/clash.json"
out=$("$BOT" --check-config "$T/clash.json" 2>&1)
contains "a built-in name is refused" "$out" "\"logs\" is the built-in command /logs; pick another name"

# --- reload: SIGHUP adds, changes and removes custom commands ----------------
write_reload() { # HELLO_RUN EXTRA
  cat >"$T/reload.json" <<JSON
{ "bot": { "data_dir": "$T/rdata" },
  "chat": { "console": { "enabled": true, "user": "carol" } },
  "alerts": { "listen": "127.0.0.1:0" },
  "users": [ { "name": "carol", "platform": "console", "roles": ["viewer"] } ],
  "hosts": [ { "name": "here", "transport": "local" } ],
  "custom_commands": [ $1 ] }
JSON
}
wait_out() { # NEEDLE [N]
  local n=${2:-1} deadline=$((SECONDS + 30))
  while [ "$(grep -cF -- "$1" "$T/rout" 2>/dev/null)" -lt "$n" ]; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.1
  done
}
wait_rlog() { # NEEDLE N
  local deadline=$((SECONDS + 30))
  while [ "$(grep -cF -- "$1" "$T/rdata/opsbot.log" 2>/dev/null)" -lt "$2" ]; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.1
  done
}
hello='{ "name": "hello", "help": "Greets.", "hosts": ["all"], "role": "viewer", "run": "echo hello-'
write_reload "${hello}v1\" }"
mkfifo "$T/rin"
"$BOT" --config "$T/reload.json" <"$T/rin" >"$T/rout" 2>"$T/rerr" &
pid=$!
exec 3>"$T/rin"
printf '/hello\n/bye\n' >&3
wait_out "unknown command /bye" || bad "first answers" "$(cat "$T/rout")"
contains "before: /hello runs" "$(cat "$T/rout")" "hello-v1"

write_reload "${hello}v2\" }, { \"name\": \"bye\", \"help\": \"Leaves.\", \"hosts\": [\"here\"], \"role\": \"viewer\", \"run\": \"echo bye-bye\" }"
kill -HUP "$pid"
wait_rlog 'config reloaded from' 1 || bad "reload logged" "$(cat "$T/rdata/opsbot.log")"
printf '/hello\n/bye\n/help\n' >&3
# /help answers at once; /hello and /bye run on a host and may come after.
wait_out "Leaves." && wait_out "hello-v2" && wait_out "bye-bye" ||
  bad "answers after the reload" "$(cat "$T/rout")"
out=$(cat "$T/rout")
contains "a reload changes a custom command" "$out" "hello-v2"
contains "a reload adds a custom command" "$out" "bye-bye"
contains "/help lists the added one" "$out" "/bye"

# A file whose custom command is broken changes nothing.
write_reload "${hello}{who}\" }"
kill -HUP "$pid"
wait_rlog 'still running on the previous one' 1 || bad "a broken file is refused" "$(cat "$T/rdata/opsbot.log")"
contains "the reload error names the template" "$(cat "$T/rdata/opsbot.log")" "{who} is not a declared parameter"
write_reload "${hello}v3\" }"
kill -HUP "$pid"
wait_rlog 'config reloaded from' 2 || bad "third reload logged" "$(cat "$T/rdata/opsbot.log")"
printf '/bye\n/hello\n' >&3
wait_out "hello-v3" || bad "answers after the last reload" "$(cat "$T/rout")"
# The first round refused /bye once already: this is the second refusal.
wait_out "unknown command /bye" 2 && ok "a reload removes a custom command" ||
  bad "a reload removes a custom command" "$(cat "$T/rout")"
exec 3>&-
wait "$pid"
equals "the bot exits 0" "$?" 0
pid=

assert_done
