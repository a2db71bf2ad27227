#!/usr/bin/env bash
# Integration: ServiceNow tickets from the console against
# tests/fakes/fake-servicenow.c: /ticket create (number and link posted
# back, the row stored), /ticket NUMBER and the list; never a duplicate
# after a timed-out create (slow mode) or a bot killed while its create
# was in flight (restart); an outage (503s, 429 with Retry-After, the
# fake down) delays a ticket and never loses it; a 401 is said in chat
# and in the log.
# usage: tickets.sh OPSBOT FAKE_SERVICENOW
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup opsbot-tickets "$@"
for t in curl jq sqlite3; do
  command -v $t >/dev/null || { bad "$t is not installed"; assert_done; exit; }
done
export OPSBOT_ALERTS_LISTEN=127.0.0.1:0

start_fake "$FAKE" --user svc-opsbot --password 'pw-!s3cret'
printf 'pw-!s3cret\n' >"$T/pw"
chmod 600 "$T/pw"
TB="http://127.0.0.1:$PORT/api/now/table/incident"
cat >"$T/cfg.json" <<END
{ "bot": { "data_dir": "$T/data", "log_file": "$T/bot.log", "shutdown_grace": "1s",
           "ready_outbox_age": "1s" },
  "chat": { "console": { "enabled": true, "user": "olga" },
            "outbox": { "max_backoff": "2s" } },
  "users": [ { "name": "olga", "platform": "console", "roles": ["operator"] } ],
  "alerts": { "checks": { "enabled": false }, "token": "hook-token",
    "route": { "channels": ["console"], "group_wait": "1s", "group_interval": "1s",
      "routes": [ { "match": { "severity": "critical" }, "ticket": true } ] } },
  "tickets": { "servicenow": { "instance": "http://127.0.0.1:$PORT",
    "user": "svc-opsbot", "password_file": "$T/pw", "timeout": "2s",
    "assignment_group": "Production Support" } } }
END

# The bot reads its console from a fifo the test keeps open, so it runs
# until the test stops it; its answers go to $T/bot.out.
mkfifo "$T/in"
exec 3<>"$T/in"
start() {
  "$BOT" --config "$T/cfg.json" <"$T/in" >>"$T/bot.out" 2>>"$T/bot.err" &
  bot_pid=$!
  wait_log "$T/bot.log" 'msg="ready in ' 15 || bad "bot ready" "$(tail -5 "$T/bot.err" "$T/bot.log")"
}
say() { printf '%s\n' "$1" >&3; }
out_has() { wait_log "$T/bot.out" "$1" "${2:-20}"; }
incidents() { state | jq -r "[.incidents[] | select($1)] | length"; }
posts_for() { state | jq -r "[.requests[] | select(.method == \"POST\")] | length"; }

start

# --- create ------------------------------------------------------------------
say '/ticket create --category data disk full on db-1'
out_has 'Opening a ServiceNow ticket' && ok "create answered at once" || bad "create answered" "$(cat "$T/bot.out")"
out_has "Ticket INC0010001 opened: http://127.0.0.1:$PORT/incident.do\\?sys_id=[0-9a-f]{32}" &&
  ok "number and link posted back" || bad "number and link posted back" "$(cat "$T/bot.out")"
inc=$(state | jq -c '.incidents[0]')
equals "short description" "$(jq -r .short_description <<<"$inc")" "disk full on db-1"
equals "category" "$(jq -r .category <<<"$inc")" data
equals "assignment group" "$(jq -r .assignment_group <<<"$inc")" "Production Support"
contains "correlation id is the request's" "$(jq -r .correlation_id <<<"$inc")" "chat:console:"
equals "basic auth with the password file" "$(state | jq -r '[.requests[].auth] | unique | join(",")')" basic
equals "looked up before creating" "$(state | jq -r '[.requests[].method] | join(",")')" "GET,POST"
db="$T/data/opsbot.db"
wait_for_row() { # SQL EXPECTED
  local i
  for i in $(seq 100); do [ "$(sqlite3 "$db" "$1" 2>/dev/null)" = "$2" ] && return 0; sleep 0.1; done
  return 1
}
wait_for_row "SELECT number || ' ' || state || ' ' || (sys_id IS NOT NULL) FROM tickets" "INC0010001 1 1" &&
  ok "row keeps number, state, sys_id" || bad "row" "$(sqlite3 "$db" 'SELECT * FROM tickets')"
contains "row keeps the link" "$(sqlite3 "$db" 'SELECT url FROM tickets')" "/incident.do?sys_id="

say '/ticket INC0010001'
out_has 'state: New \(from ServiceNow\)' && ok "/ticket NUMBER reads the state" || bad "/ticket NUMBER" "$(tail -5 "$T/bot.out")"
say '/ticket'
out_has 'INC0010001  New  disk full on db-1' && ok "/ticket lists it" || bad "/ticket lists" "$(tail -5 "$T/bot.out")"
say '/ticket INC0010001^ORactive=true'
out_has "no ticket 'INC0010001\\^ORactive=true'" && ok "a number with query syntax is refused" || bad "query syntax" "$(tail -3 "$T/bot.out")"
equals "and never reaches ServiceNow" "$(state | jq -r '[.requests[] | select(.query | contains("ORactive"))] | length')" 0
say '/ticket create --category hardware x'
out_has "unknown category 'hardware'" && ok "unknown category refused" || bad "category refused" "$(tail -3 "$T/bot.out")"

# --- a create that timed out: the retry finds it ---------------------------------
ctl slow '{"ms":4000,"count":1,"method":"POST"}' >/dev/null
say '/ticket create slow one'
out_has 'Ticket INC0010002 \(already open\)' 30 && ok "timed-out create found by its correlation id" ||
  bad "timed-out create found" "$(tail -5 "$T/bot.out")"
equals "one incident for it" "$(incidents '.short_description == "slow one"')" 1
wait_log "$T/bot.log" 'servicenow .*not delivered \(ServiceNow POST: .*([Tt]imeout|timed out)' 5 &&
  ok "the timeout is logged" || bad "timeout logged" "$(grep -i servicenow "$T/bot.log" | tail -3)"

# --- outage: 503s and a 429 delay, never lose -------------------------------------
ctl fail '{"method":"*","status":503,"count":3}' >/dev/null
say '/ticket create during a 503 outage'
out_has 'Ticket INC0010003 opened' 40 && ok "opened after three 503s" || bad "503 outage" "$(tail -5 "$T/bot.out")"
ctl fail '{"method":"GET","status":429,"retry_after":2,"count":1}' >/dev/null
say '/ticket create while rate limited'
out_has 'Ticket INC0010004 opened' 30 && ok "opened after a 429" || bad "429" "$(tail -5 "$T/bot.out")"
wait_log "$T/bot.log" 'servicenow .*rate limited; holding the channel (1[0-9]{3}|2000) ms' 2 &&
  ok "429's Retry-After held the queue" || bad "Retry-After honoured" "$(grep -i 'rate limited' "$T/bot.log")"

# --- 401: said in chat and in the log --------------------------------------------
ctl fail '{"method":"GET","status":401,"count":1}' >/dev/null
say '/ticket create refused one'
out_has 'could not open a ServiceNow ticket for chat:console:[^ ]*: ServiceNow answered HTTP 401: User Not Authenticated' &&
  ok "401 said in chat" || bad "401 in chat" "$(tail -5 "$T/bot.out")"
contains "401 names the fix" "$(tail -3 "$T/bot.out")" "check tickets.servicenow's user and password"
wait_log "$T/bot.log" 'level=error comp=tickets .*HTTP 401' 5 && ok "401 logged" || bad "401 logged" "$(grep 401 "$T/bot.log")"
equals "its row is failed" "$(sqlite3 "$db" "SELECT state FROM tickets WHERE short_description = 'refused one'")" failed

# --- alerts: a route with ticket: true, acknowledgement, resolution ----------------
BP=$(bot_port "$T/bot.log")
H="http://127.0.0.1:$BP/hooks"
TOKEN=hook-token
: >"$T/bot.out"
equals "critical alert taken" "$(hook '{"name":"DiskFull","host":"db-7","severity":"critical","summary":"/var at 97%"}')" 200
out_has 'Ticket INC0010005 opened' 30 && ok "the route opened a ticket, announced under the alert" ||
  bad "route ticket" "$(cat "$T/bot.out")"
inc=$(state | jq -c '.incidents[] | select(.number == "INC0010005")')
contains "alert ticket: correlation id is the group's" "$(jq -r .correlation_id <<<"$inc")" "alert:"
contains "alert ticket: short description is the group's title" "$(jq -r .short_description <<<"$inc")" "DiskFull"
contains "alert ticket: description lists the alert" "$(jq -r .description <<<"$inc")" "/var at 97%"
AID=$(sqlite3 "$db" "SELECT id FROM alerts WHERE labels LIKE '%DiskFull%' LIMIT 1")
say "/ack $AID"
for _ in $(seq 100); do
  [ "$(state | jq -r '.incidents[] | select(.number == "INC0010005") | .journal | length')" = 1 ] && break; sleep 0.1
done
contains "acknowledgement is a work note" "$(state | jq -r '.incidents[] | select(.number == "INC0010005") | .journal[0].text')" \
  "acknowledged by @olga in chat"
equals "resolved alert taken" "$(hook '{"name":"DiskFull","host":"db-7","severity":"critical","status":"resolved"}')" 200
for _ in $(seq 150); do
  [ "$(state | jq -r '.incidents[] | select(.number == "INC0010005") | .state')" = 6 ] && break; sleep 0.1
done
inc=$(state | jq -c '.incidents[] | select(.number == "INC0010005")')
equals "the group's resolution resolves the ticket" "$(jq -r .state <<<"$inc")" 6
equals "with the configured close code" "$(jq -r .close_code <<<"$inc")" "Solved (Permanently)"
contains "and close notes" "$(jq -r .close_notes <<<"$inc")" "Every alert of the group resolved"
wait_for_row "SELECT state FROM tickets WHERE number = 'INC0010005'" 6 && ok "row says resolved" ||
  bad "row resolved" "$(sqlite3 "$db" "SELECT * FROM tickets WHERE number = 'INC0010005'")"
equals "it fires again: the same ticket" "$(hook '{"name":"DiskFull","host":"db-7","severity":"critical"}')" 200
sleep 3
equals "no second ticket for the group" "$(incidents '.short_description | test("DiskFull")')" 1

# The Create ticket button on an alert of a route without ticket: true.
: >"$T/bot.out"
equals "warning alert taken" "$(hook '{"name":"SlowQueries","host":"db-7","severity":"warning"}')" 200
out_has 'SlowQueries on db-7' 20 && ok "warning alert posted" || bad "warning alert" "$(cat "$T/bot.out")"
BID=$(sqlite3 "$db" "SELECT id FROM alerts WHERE labels LIKE '%SlowQueries%' LIMIT 1")
say "/ticket alert $BID"
out_has 'Ticket INC0010006 opened' 30 && ok "the button opens a ticket" || bad "button ticket" "$(cat "$T/bot.out")"
say "/ticket alert $BID"
out_has "Alert #$BID's group already has ticket INC0010006" && ok "a second click finds it" ||
  bad "second click" "$(tail -3 "$T/bot.out")"

# --- the fake down: the ticket waits, then opens -----------------------------------
kill "$fake_pid"; wait "$fake_pid" 2>/dev/null
: >"$T/bot.out"
say '/ticket create while ServiceNow is down'
out_has 'Opening a ServiceNow ticket.*' && sleep 3
wait_log "$T/bot.log" 'servicenow .*not delivered' 5 && ok "down: the try is logged" || bad "down logged" "$(tail -5 "$T/bot.log")"
equals "a ticket waiting for ServiceNow leaves the bot ready" \
  "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$BP/readyz")" 200
OLDPORT=$PORT
start_fake "$FAKE" --user svc-opsbot --password 'pw-!s3cret' --port "$OLDPORT"
out_has 'Ticket INC0010001 opened' 30 && ok "opened once ServiceNow is back" || bad "after the outage" "$(tail -5 "$T/bot.out")"
equals "the new ServiceNow has it once" "$(incidents '.short_description == "while ServiceNow is down"')" 1

# --- a bot killed while its create was in flight: the restart finds it ---------------
ctl slow '{"ms":8000,"count":1,"method":"POST"}' >/dev/null
say '/ticket create across a restart'
for _ in $(seq 100); do [ "$(incidents '.short_description == "across a restart"')" = 1 ] && break; sleep 0.1; done
kill -9 "$bot_pid"; wait "$bot_pid" 2>/dev/null
bot_pid=
: >"$T/bot.out"
start
out_has 'Ticket INC0010002 \(already open\)' 30 && ok "restart: the ticket the killed bot made is found" ||
  bad "restart dedup" "$(cat "$T/bot.out")" "$(grep -i servicenow "$T/bot.log" | tail -5)"
sleep 1
equals "restart: still one incident" "$(incidents '.short_description == "across a restart"')" 1
equals "restart: one POST in all" "$(state | jq -r '[.requests[] | select(.method == "POST")] | length')" 2
# --- a reload to an OAuth token from a file: the next calls carry it ----------------
printf 'snow-bearer-token\n' >"$T/token"
chmod 600 "$T/token"
sed -i 's|"user": "svc-opsbot", "password_file": "[^"]*"|"token_file": "'"$T/token"'"|' "$T/cfg.json"
kill -HUP "$bot_pid"
wait_log "$T/bot.log" 'msg="config reloaded' 10 && ok "reloaded" || bad "reload" "$(tail -3 "$T/bot.log")"
say '/ticket create with a token'
out_has 'Ticket INC0010003 opened' 30 && ok "opened with the token" || bad "token" "$(tail -3 "$T/bot.out")"
equals "the reload switched to bearer auth" "$(state | jq -r '.requests[-1].auth')" bearer
say '/ticket create login fails with password=hunter2 on db-1'
out_has 'Ticket INC0010004 opened' 30 && ok "opened one with a secret in it" || bad "secret ticket" "$(tail -3 "$T/bot.out")"
inc=$(state | jq -c '.incidents[] | select(.number == "INC0010004")')
contains "the ticket says what was typed" "$(jq -r .short_description <<<"$inc")" "login fails with password="
lacks "a secret typed into chat never reaches ServiceNow" "$inc" hunter2
lacks "nor the tickets table" "$(sqlite3 "$db" 'SELECT short_description FROM tickets')" hunter2
lacks "the token never reaches the log" "$(cat "$T/bot.log" "$T/bot.out")" 'snow-bearer-token'
lacks "the password never reaches the log" "$(cat "$T/bot.log" "$T/bot.out")" 'pw-!s3cret'

exec 3>&-
assert_done
