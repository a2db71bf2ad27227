#!/usr/bin/env bash
# Integration: remediation with a human in the loop, end to end. An alert
# arrives on the generic webhook; its route's "remediate" puts a
# Remediate… button on the Slack message (the fake Slack); a click shows
# the exact command line and a single-use Confirm button; the Confirm
# click runs the custom command over a real sshd on loopback. A viewer's
# click is refused, a hostile label never reaches a shell, and the audit
# has each step.
# usage: remediate.sh OPSBOT FAKE_SLACK SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-rm "$1" "$2"
SRC=$(realpath "$3")
# shellcheck source=lib-sshd.sh
. "$SRC/tests/integration/lib-sshd.sh"
on_cleanup lib_sshd_cleanup
WAIT_FOR_S=20

sshd_start "$T/sshd" || { echo "FAIL sshd did not start"; echo "0 passed, 1 failed"; exit 1; }
mkdir -p "$T/bin"
cat >"$T/bin/restart-if-down" <<SH
#!/bin/sh
printf '%s\n' "\$@" >>"$T/restarted.args"
echo "\$1 was down; restarted"
SH
chmod +x "$T/bin/restart-if-down"

start_fake "$FAKE"
TOKEN=gen-secret-token-123
cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data" },
  "users": [ { "name": "jdoe", "platform": "slack", "id": "U0456", "roles": ["operator"] },
             { "name": "vic", "platform": "slack", "id": "U0VIEW", "roles": ["viewer"] },
             { "name": "remediation", "platform": "*", "id": "remediation", "roles": ["operator"] } ],
  "remote": { "timeout": "8s", "connect_timeout": "4s",
              "known_hosts": "$SSHD_KNOWN_HOSTS", "control_persist": "5s" },
  "hosts": [ { "name": "web1", "transport": "ssh", "address": "127.0.0.1",
               "port": $SSHD_PORT, "user": "$SSHD_USER",
               "identity_file": "$SSHD_KEY", "tags": ["web"] } ],
  "custom_commands": [
    { "name": "restart-if-down", "help": "Restarts a shop service if it is down.",
      "hosts": ["web"], "role": "operator", "confirm": true,
      "run": "$T/bin/restart-if-down {service}",
      "params": [ { "name": "host", "type": "host" },
                  { "name": "service", "type": "choice",
                    "choices": ["shop", "shop-worker"] } ] } ],
  "alerts": { "listen": "127.0.0.1:0", "token": "$TOKEN",
              "checks": { "enabled": false },
              "route": { "channels": ["slack:#ops-alerts"],
                         "group_by": ["alertname", "host", "service"],
                         "group_wait": "1s", "group_interval": "2s",
                         "repeat_interval": "1h",
                         "routes": [ { "match": { "alertname": "ShopDown" },
                                       "remediate": "/restart-if-down {host} {service}" },
                                     { "match": { "alertname": "ShopDownAuto" },
                                       "remediate": "/restart-if-down {host} {service}",
                                       "remediate_auto": true, "remediate_every": "10m" } ] } } }
JSON
slack_env
run_bot "$T/opsbot.json" "$T/bot.err" || bad "the bot listens" "$(tail -5 "$T/bot.err")"
wait_for '.connections_open >= 1' || bad "bot connects" "$(tail -5 "$T/bot.err")"
DB="$T/data/opsbot.db"
# Presses a button of value VALUE as USER (jdoe), in the alerts' channel;
# prints the response URL its answer goes to.
clickv() { # VALUE [USER NAME]
  ctl click "$(jq -cn --arg v "$1" --arg u "${2:-U0456}" --arg n "${3:-jdoe}" \
    '{value: $v, user: $u, user_name: $n, channel: "C0ALERTS"}')" | jq -r .response_url
}

# --- the alert proposes the fix ----------------------------------------------
code=$(hook '{"name":"ShopDown","host":"web1","severity":"critical","labels":{"service":"shop"},"summary":"shop is down"}')
equals "the alert is taken" "$code" 200
wait_for '[.posts[] | select(.text | test("ShopDown"))] | length >= 1' ||
  bad "the alert is posted" "$(state | jq -c .posts)" "$(tail -5 "$T/bot.err")"
s=$(state)
post=$(jq -c '[.posts[] | select(.text | test("ShopDown"))][0]' <<<"$s")
contains "the message proposes the fix" "$(jq -r '.text, (.blocks | tostring)' <<<"$post")" 'Proposed: /restart-if-down \"web1\" \"shop\"'
btn=$(jq -c '[.blocks[]? | select(.type == "actions") | .elements[] | select(.action_id == "alert_remediate")][0]' <<<"$post")
equals "with a Remediate… button" "$(jq -r '.text.text' <<<"$btn")" "Remediate…"
value=$(jq -r '.value' <<<"$btn")
equals "whose value is the command line" "$value" '/restart-if-down "web1" "shop"'

# --- a viewer's click is refused --------------------------------------------
url=$(clickv "$value" U0VIEW vic)
wait_for "[.responses[] | select(.url == \"$url\")] | length >= 1" || true
contains "a viewer may not run it" "$(state | jq -r --arg u "$url" '.responses[] | select(.url == $u) | .body.text')" "/restart-if-down needs role operator"
[ -e "$T/restarted.args" ] && bad "nothing ran for the viewer" "$(cat "$T/restarted.args")" || ok "nothing ran for the viewer"

# --- an operator clicks: the prompt, then Confirm ---------------------------
url=$(clickv "$value")
wait_for "[.responses[] | select(.url == \"$url\")] | length >= 1" ||
  bad "the click is answered" "$(state | jq -c .responses)" "$(tail -5 "$T/bot.err")"
resp=$(state | jq -c --arg u "$url" '[.responses[] | select(.url == $u)][0]')
prompt=$(jq -r '.body.blocks | tostring' <<<"$resp")
contains "the click asks first" "$prompt" "Run /restart-if-down on web1?"
contains "showing the exact command line" "$prompt" "Confirm runs: $T/bin/restart-if-down 'shop'"
[ -e "$T/restarted.args" ] && bad "nothing runs before Confirm" "$(cat "$T/restarted.args")" || ok "nothing runs before Confirm"
confirm=$(jq -r '[.body.blocks[] | select(.type == "actions") | .elements[0]][0].value' <<<"$resp")
contains "with a single-use Confirm button" "$confirm" "confirm:"
url=$(clickv "$confirm")
wait_for "[.responses[] | select(.url == \"$url\")] | length >= 1" ||
  bad "the Confirm click is answered" "$(state | jq -c .responses)"
out=$(state | jq -r --arg u "$url" '.responses[] | select(.url == $u) | .body.blocks | tostring')
contains "Confirm runs it over ssh" "$out" "web1: exit 0"
contains "the script's answer is shown" "$out" "shop was down; restarted"
contains "and who confirmed it" "$out" "Confirmed by @jdoe at "
equals "the host got the service, once" "$(cat "$T/restarted.args" 2>/dev/null)" "shop"
url=$(clickv "$confirm")
wait_for "[.responses[] | select(.url == \"$url\")] | length >= 1" || true
contains "a second Confirm is told it was done" "$(state | jq -r --arg u "$url" '.responses[] | select(.url == $u) | .body.text')" "already done by @jdoe at "
equals "and runs nothing" "$(cat "$T/restarted.args" 2>/dev/null)" "shop"

# --- a hostile label reaches the command as a value, and is refused ---------
code=$(hook '{"name":"ShopDown","host":"web1","labels":{"service":"shop; touch '"$T"'/pwned"}}')
equals "the hostile alert is taken" "$code" 200
wait_for '[.posts[] | select(tostring | test("pwned"))] | length >= 1' ||
  bad "the hostile alert is posted" "$(state | jq -c .posts)"
value=$(state | jq -r '[.posts[] | select(tostring | test("pwned"))][0].blocks[]? | select(.type == "actions") | .elements[] | select(.action_id == "alert_remediate") | .value')
url=$(clickv "$value")
wait_for "[.responses[] | select(.url == \"$url\")] | length >= 1" || true
contains "the label is checked like typed input" "$(state | jq -r --arg u "$url" '.responses[] | select(.url == $u) | .body.text')" "service must be one of shop or shop-worker, got 'shop; touch"
[ -e "$T/pwned" ] && bad "a label never reaches a shell" "$T/pwned exists" || ok "a label never reaches a shell"

# --- remediate_auto: it runs by itself, once per host and interval -----------
: >"$T/restarted.args"
code=$(hook '{"name":"ShopDownAuto","host":"web1","labels":{"service":"shop-worker"}}')
equals "the auto alert is taken" "$code" 200
wait_for '[.posts[] | select(tostring | test("was down; restarted"))] | length >= 1' ||
  bad "the fix's answer is posted" "$(state | jq -c .posts)" "$(tail -5 "$T/bot.err")"
equals "the fix ran by itself over ssh" "$(cat "$T/restarted.args")" "shop-worker"
s=$(state)
parent=$(jq -r '[.posts[] | select(tostring | test("ShopDownAuto")) | select(.thread_ts == null)][0].ts' <<<"$s")
equals "its answer is in the alert's thread" "$(jq -r '[.posts[] | select(tostring | test("was down; restarted"))][0].thread_ts' <<<"$s")" "$parent"
contains "the alert's thread says it ran" "$(jq -r '[.posts[] | select(.thread_ts != null) | .text] | join(" ")' <<<"$s")" 'Remediation: running /restart-if-down "web1" "shop-worker" --confirm by itself (at most once every 10m on web1)'
equals "the run is audited as remediation's" "$(sqlite3 "$DB" "SELECT outcome || ' ' || user FROM audit WHERE command = '/restart-if-down \"web1\" \"shop-worker\" --confirm'")" "ok remediation"
equals "so is the note that it ran" "$(jq -r '[.posts[] | select(.text | test("Remediation: running"))][0].thread_ts' <<<"$s")" "$parent"
# The same route on the same host within remediate_every: not again.
code=$(hook '{"name":"ShopDownAuto","host":"web1","labels":{"service":"shop"}}')
wait_for '[.posts[] | select(tostring | test("ShopDownAuto")) | select(tostring | test("\\bshop\\b"))] | length >= 1' || true
sleep 3
equals "at most once per interval on a host" "$(cat "$T/restarted.args")" "shop-worker"

# --- the audit ----------------------------------------------------------------
equals "the prompt is audited as a click" "$(sqlite3 "$DB" "SELECT outcome || ' ' || via FROM audit WHERE command = '/restart-if-down \"web1\" \"shop\"' AND user = 'U0456'")" "unconfirmed click"
equals "the confirmed run is audited" "$(sqlite3 "$DB" "SELECT outcome || ' ' || via FROM audit WHERE command LIKE '%restart-if-down \"web1\" \"shop\" --confirm' ORDER BY id LIMIT 1")" "ok click"

assert_done
