#!/usr/bin/env bash
# Integration: an incident's ServiceNow ticket, from the console against
# tests/fakes/fake-servicenow.c. /incident start, then /ticket incident
# ID opens a ticket with correlation id incident:ID (its number posted
# back); a second request finds it; /incident note, status and link
# become work notes; /incident close resolves it (state 6, close notes =
# the resolution). An incidents.auto_open rule with ticket: true opens
# the ticket with the incident, and the alert's link is a work note.
# usage: incident-ticket.sh OPSBOT FAKE_SERVICENOW
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup opsbot-inctkt "$@"
for t in curl jq sqlite3; do
  command -v $t >/dev/null || { bad "$t is not installed"; assert_done; exit; }
done
export OPSBOT_ALERTS_LISTEN=127.0.0.1:0

start_fake "$FAKE" --user svc-opsbot --password 'pw-inc'
printf 'pw-inc\n' >"$T/pw"
chmod 600 "$T/pw"
cat >"$T/cfg.json" <<END
{ "bot": { "data_dir": "$T/data", "log_file": "$T/bot.log", "shutdown_grace": "1s",
           "ready_outbox_age": "1s" },
  "chat": { "console": { "enabled": true, "user": "olga" },
            "outbox": { "max_backoff": "2s" } },
  "users": [ { "name": "olga", "platform": "console", "roles": ["operator"] } ],
  "alerts": { "checks": { "enabled": false }, "token": "hook-token",
    "route": { "channels": ["console"], "group_wait": "1s", "group_interval": "1s" } },
  "incidents": { "auto_open": [ { "match": { "alertname": "PayDown" },
    "channel": "console", "severity": 1, "ticket": true } ] },
  "tickets": { "servicenow": { "instance": "http://127.0.0.1:$PORT",
    "user": "svc-opsbot", "password_file": "$T/pw", "timeout": "2s" } } }
END

mkfifo "$T/in"
exec 3<>"$T/in"
"$BOT" --config "$T/cfg.json" <"$T/in" >>"$T/bot.out" 2>>"$T/bot.err" &
bot_pid=$!
wait_log "$T/bot.log" 'msg="ready in ' 15 || bad "bot ready" "$(tail -5 "$T/bot.err" "$T/bot.log")"
say() { printf '%s\n' "$1" >&3; }
out_has() { wait_log "$T/bot.out" "$1" "${2:-20}"; }
db="$T/data/opsbot.db"
tkt() { state | jq -c '[.incidents[] | select(.correlation_id == "incident:1")]'; }
# Polls the fake's ticket until jq FILTER on it is true (20 s).
tkt_until() { # FILTER
  local deadline=$((SECONDS + 20))
  while [ "$SECONDS" -lt "$deadline" ]; do
    [ "$(tkt | jq -r ".[0] | $1" 2>/dev/null)" = true ] && return 0
    sleep 0.1
  done
  return 1
}

say '/incident start Checkout is slow --severity 2'
out_has 'Incident #1: Checkout is slow' && ok "incident opened" || bad "incident opened" "$(cat "$T/bot.out")"

say '/ticket incident 1'
out_has 'Opening a ServiceNow ticket for incident #1' && ok "/ticket incident answered" || bad "/ticket incident" "$(tail -5 "$T/bot.out")"
out_has 'Ticket INC0010001 opened' 30 && ok "the number is posted back" || bad "number posted" "$(tail -5 "$T/bot.out")"
t=$(tkt | jq -c '.[0]')
equals "correlation id is the incident's" "$(jq -r .correlation_id <<<"$t")" "incident:1"
equals "short description is its title" "$(jq -r .short_description <<<"$t")" "Checkout is slow"
contains "description has the severity" "$(jq -r .description <<<"$t")" "Severity: SEV2"
contains "description has who opened it" "$(jq -r .description <<<"$t")" "Opened by: olga"
equals "the row's source is the incident" "$(sqlite3 "$db" "SELECT source || ' ' || source_id FROM tickets WHERE correlation_id = 'incident:1'")" "incident 1"

say '/ticket incident 1'
out_has 'Incident #1 already has ticket INC0010001' && ok "a second request finds it" || bad "second request" "$(tail -5 "$T/bot.out")"

say '/incident note restarted the payment gateway'
tkt_until '[.journal[].text] | any(test("Note by olga: restarted the payment gateway"))' &&
  ok "a note is a work note" || bad "note work note" "$(tkt)"
say '/incident status recovering, error rate falling'
tkt_until '[.journal[].text] | any(test("Status by olga: recovering, error rate falling"))' &&
  ok "a status line is a work note" || bad "status work note" "$(tkt)"
say '/incident close --resolution "rolled back release 42"'
tkt_until '(.state | tostring) == "6"' && ok "close resolves the ticket" || bad "resolved" "$(tkt)"
equals "close notes are the resolution" "$(tkt | jq -r '.[0].close_notes')" "rolled back release 42"
equals "one ticket for the incident" "$(tkt | jq -r length)" 1
equals "one POST in all" "$(state | jq -r '[.requests[] | select(.method == "POST")] | length')" 1

say '/ticket incident 1'
out_has 'cannot open a ticket: incident #1 is closed' && ok "a closed incident gets no ticket" || bad "closed" "$(tail -3 "$T/bot.out")"

# --- auto_open with ticket: true ------------------------------------------------
BP=$(bot_port "$T/bot.log")
H="http://127.0.0.1:$BP/hooks"
TOKEN=hook-token
equals "alert taken" "$(hook '{"name":"PayDown","host":"pay-1","severity":"critical"}')" 200
out_has 'Ticket INC0010002 opened' 30 && ok "the rule opened the incident's ticket" || bad "auto ticket" "$(tail -8 "$T/bot.out")"
t2() { state | jq -c '[.incidents[] | select(.correlation_id == "incident:2")]'; }
equals "its title is the incident's" "$(t2 | jq -r '.[0].short_description')" "PayDown on pay-1"
for _ in $(seq 100); do
  [ "$(t2 | jq -r '[.[0].journal[].text] | any(test("Alert #[0-9]+ linked by opsbot"))')" = true ] && break; sleep 0.1
done
equals "the alert's link is a work note" "$(t2 | jq -r '[.[0].journal[].text] | any(test("Alert #[0-9]+ linked by opsbot"))')" true
equals "one ticket for it" "$(t2 | jq -r length)" 1

exec 3>&-
assert_done
