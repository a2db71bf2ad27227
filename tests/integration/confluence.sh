#!/usr/bin/env bash
# Integration: /runbook QUERY with Confluence beside the library, against
# tests/fakes/fake-confluence (Confluence's documented search resource):
# its pages after the library's, in the configured spaces only, with the
# CQL and basic auth Confluence expects; a quote typed in chat stays in
# the CQL string; and when Confluence refuses the token, answers too
# slowly or is gone, the library's answer stands and says so.
# usage: confluence.sh OPSBOT FAKE-CONFLUENCE SOURCE
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-confluence "$@"
SRC=$(realpath "$3")
pass=0
fail=0

start_fake "$FAKE" --user bot@example.com --token conf-s3cret
[ -n "$PORT" ] || { bad "fake-confluence started" "$(cat "$T/fake.log")"; assert_done; exit 1; }
printf 'conf-s3cret\n' >"$T/confluence.token"
chmod 600 "$T/confluence.token"
cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data" },
  "chat": { "console": { "user": "vera" } },
  "users": [ { "name": "vera", "platform": "console", "roles": ["viewer"] } ],
  "alerts": { "checks": { "enabled": false } },
  "runbooks": { "dir": "$SRC/tests/fixtures/runbooks",
    "confluence": { "url": "http://127.0.0.1:$PORT/wiki/",
      "spaces": ["OPS", "KT"], "user": "bot@example.com",
      "token_file": "$T/confluence.token", "timeout": "2s" } } }
JSON
out=$("$BOT" --check-config "$T/opsbot.json" 2>&1)
contains "the config checks" "$out" "opsbot.json: ok"

mkfifo "$T/in"
"$BOT" --config "$T/opsbot.json" <"$T/in" >"$T/out" 2>"$T/err" &
bot_pid=$!
exec 3>"$T/in"

# Waits until the bot's output has TEXT N times (default 1), at most 30 s.
wait_out() { # TEXT [N]
  local n=${2:-1} deadline=$((SECONDS + 30))
  while [ "$(grep -cF -- "$1" "$T/out" 2>/dev/null)" -lt "$n" ]; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.05
  done
}
# What the bot printed from the Nth "Runbooks for" on.
answer() { awk -v n="$1" '/Runbooks for/ { k++ } k >= n' "$T/out"; }
last() { curl -sf "$C/last"; }

# --- both sources: the library's first, then Confluence's ------------------
printf '/runbook restart payment\n' >&3
wait_out "(Confluence)" || bad "Confluence's pages listed" "$(cat "$T/out")"
out=$(answer 1)
contains "the library's match" "$out" "1. Restart the payment gateway — payment-gateway.md"
contains "Confluence's page, linked under _links.base" "$out" \
  "2. Payment gateway restart — http://127.0.0.1:$PORT/wiki/spaces/OPS/pages/98 (Confluence)"
contains "its excerpt, the match marked" "$out" "How to *restart* the payment gateway"
lacks "another space's page is not asked for" "$out" "Restart your payment card"
lacks "no warning when it answered" "$out" "did not answer"
equals "the CQL Confluence reads" "$(last | jq -r .cql)" \
  'text ~ "restart payment" AND space in ("OPS","KT") AND type = page'
equals "basic auth with the account and the token file" "$(last | jq -r .auth)" \
  "Basic $(printf 'bot@example.com:conf-s3cret' | base64)"
lacks "the token never reaches the log" "$(cat "$T/data/opsbot.log")" "conf-s3cret"

# --- a quote typed in chat stays inside the CQL string ---------------------
printf '%s\n' "/runbook card 'x\"y OR space = HR'" >&3
wait_out "Runbooks for" 2 || bad "answered" "$(cat "$T/out")"
wait_for_search() { # N
  local deadline=$((SECONDS + 30))
  while [ "$(last | jq -r .searches)" -lt "$1" ]; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.05
  done
}
wait_for_search 2 || bad "the second search reached the fake" "$(last)"
equals "the quote is escaped, no clause added" "$(last | jq -r .cql)" \
  'text ~ "card x\"y OR space = HR" AND space in ("OPS","KT") AND type = page'
lacks "the HR space stays out" "$(answer 2)" "Restart your payment card"

# --- Confluence refuses the token: the library answers, and says so ---------
curl -sf -X POST "$C/mode" -d '{"mode": "401"}' >/dev/null
printf '/runbook restart payment\n' >&3
wait_out "Confluence did not answer" || bad "the refusal is said" "$(answer 3)"
out=$(answer 3)
contains "the library still answers" "$out" "Restart the payment gateway — payment-gateway.md"
contains "why Confluence is missing" "$out" "it refused the token (HTTP 401)"

# --- too slow: the answer comes at the timeout, not when Confluence does ----
curl -sf -X POST "$C/mode" -d '{"mode": "slow", "slow_ms": 25000}' >/dev/null
start=$SECONDS
printf '/runbook disk\n' >&3
wait_out "Confluence did not answer" 2 || bad "the timeout is said" "$(answer 4)"
took=$((SECONDS - start))
out=$(answer 4)
contains "the library's match" "$out" "Free disk space on a database host — disk-full.md"
contains "Confluence timed out" "$out" "Confluence did not answer: no answer within 2 s"
if [ "$took" -lt 20 ]; then ok "answered before Confluence did ($took s)"; else bad "answered before Confluence did" "$took s"; fi

# --- gone: the same --------------------------------------------------------
kill "$fake_pid"; wait "$fake_pid" 2>/dev/null; fake_pid=
printf '/runbook nightly\n' >&3
wait_out "Confluence did not answer" 3 || bad "a Confluence that is down is said" "$(answer 5)"
out=$(answer 5)
contains "the library answers without Confluence" "$out" "nightly-batch.md"
equals "every /runbook audited ok" \
  "$(sqlite3 "$T/data/opsbot.db" "SELECT count(*) FROM audit WHERE command LIKE '/runbook%' AND outcome = 'ok'")" 5

exec 3>&-
wait "$bot_pid"; rc=$?; bot_pid=
equals "the bot exits 0 at the end of input" "$rc" 0
assert_done
