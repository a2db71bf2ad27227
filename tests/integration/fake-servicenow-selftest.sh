#!/usr/bin/env bash
# Self-test of tests/fakes/fake-servicenow.c: starts the fake on loopback
# and checks its Table API with curl: basic and bearer auth and the 401
# body, create (201, Location, {"result"}), lookup by sysparm_query with
# sysparm_limit and sysparm_fields, read by sys_id and its 404, PATCH with
# work notes kept as a journal and a resolve, injected 403/429 (with
# Retry-After)/503, and the slow mode whose request takes effect before
# its late answer. Needs curl and jq.
# usage: fake-servicenow-selftest.sh FAKE_SERVICENOW_BIN
set -u
if [ $# -ne 1 ]; then
  echo "usage: fake-servicenow-selftest.sh FAKE_SERVICENOW_BIN" >&2
  exit 2
fi
FAKE=$(realpath "$1")
. "$(dirname "${BASH_SOURCE[0]}")/lib-assert.sh"
for t in curl jq; do
  command -v $t >/dev/null || { bad "$t is not installed"; assert_done; exit; }
done
T=$(mktemp -d /tmp/fake-snow-st.XXXXXX)
FPID=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  [ -n "$FPID" ] && kill "$FPID" 2>/dev/null
  wait 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

"$FAKE" "$T/port" --user bot --password pw --token tok 2>"$T/fake.log" &
FPID=$!
for _ in $(seq 200); do [ -s "$T/port" ] && break; sleep 0.05; done
B="http://127.0.0.1:$(cat "$T/port")"
TB="$B/api/now/table/incident"

# req CURL-ARGS...: prints the HTTP status; body in $T/body, headers in $T/hdr
req() { curl -s -m 5 -o "$T/body" -D "$T/hdr" -w '%{http_code}' "$@"; }
body() { cat "$T/body"; }
ctl() { curl -s -m 5 -X POST -H 'Content-Type: application/json' --data-binary "${2:-{\}}" "$B/_control/$1" >/dev/null; }
state() { curl -s -m 5 "$B/_control/state"; }
J=(-H 'Content-Type: application/json' -H 'Accept: application/json')

equals "no auth: 401" "$(req "${J[@]}" "$TB")" 401
equals "401 body is the documented error shape" \
  "$(body | jq -r '.status + "|" + .error.message')" "failure|User Not Authenticated"
equals "wrong password: 401" "$(req -u bot:nope "${J[@]}" "$TB")" 401

equals "create: 201" "$(req -u bot:pw "${J[@]}" -X POST \
  --data-binary '{"short_description":"disk full","correlation_id":"alert:g1","category":"data"}' \
  "$TB?sysparm_fields=sys_id,number,state,correlation_id")" 201
SYS=$(body | jq -r .result.sys_id)
equals "create: sys_id is 32 hex digits" "$(echo "$SYS" | grep -cE '^[0-9a-f]{32}$')" 1
equals "create: number and state" "$(body | jq -r '.result.number + " " + .result.state')" "INC0010001 1"
equals "create: sysparm_fields picks the fields" "$(body | jq -r '.result | keys | join(",")')" \
  "correlation_id,number,state,sys_id"
contains "create: Location names the record" "$(tr -d '\r' <"$T/hdr")" "location: $TB/$SYS"

equals "lookup by correlation_id: 200" "$(req -H "Authorization: Bearer tok" "${J[@]}" \
  "$TB?sysparm_query=correlation_id%3Dalert%3Ag1&sysparm_limit=1&sysparm_fields=sys_id,number")" 200
equals "lookup finds it" "$(body | jq -r '.result[0].sys_id')" "$SYS"
req -u bot:pw "${J[@]}" "$TB?sysparm_query=correlation_id%3Dnone&sysparm_limit=1" >/dev/null
equals "lookup of an unknown key: empty result" "$(body | jq -c .result)" "[]"
equals "wrong bearer: 401" "$(req -H "Authorization: Bearer nope" "${J[@]}" "$TB")" 401

equals "read by sys_id: 200" "$(req -u bot:pw "${J[@]}" "$TB/$SYS")" 200
equals "read by sys_id: category" "$(body | jq -r .result.category)" data
equals "unknown sys_id: 404" "$(req -u bot:pw "${J[@]}" "$TB/0123")" 404
equals "404 body" "$(body | jq -r '.status + "|" + .error.message')" "failure|No Record found"

req -u bot:pw "${J[@]}" -X PATCH --data-binary '{"work_notes":"acknowledged by alice"}' "$TB/$SYS" >/dev/null
equals "PATCH: 200" "$(req -u bot:pw "${J[@]}" -X PATCH \
  --data-binary '{"state":"6","close_code":"Solved (Permanently)","close_notes":"disk cleaned"}' "$TB/$SYS")" 200
equals "resolved" "$(body | jq -r '.result.state + "|" + .result.close_code')" "6|Solved (Permanently)"
equals "work notes journalled" "$(state | jq -r '.incidents[0].journal[0].text')" "acknowledged by alice"

ctl fail '{"method":"POST","status":429,"retry_after":7,"count":1}'
equals "injected 429" "$(req -u bot:pw "${J[@]}" -X POST --data-binary '{}' "$TB")" 429
contains "429 carries Retry-After" "$(tr -d '\r' <"$T/hdr")" "retry-after: 7"
equals "429 body" "$(body | jq -r .status)" failure
equals "after the 429: created" "$(req -u bot:pw "${J[@]}" -X POST --data-binary '{}' "$TB")" 201
ctl fail '{"method":"PATCH","status":403,"count":1}'
equals "injected 403" "$(req -u bot:pw "${J[@]}" -X PATCH --data-binary '{}' "$TB/$SYS")" 403
equals "403 body" "$(body | jq -r .error.message)" "Operation Failed"
ctl fail '{"method":"*","status":503,"count":1}'
equals "injected 503" "$(req -u bot:pw "${J[@]}" "$TB/$SYS")" 503

ctl slow '{"ms":1500,"count":1,"method":"POST"}'
equals "slow POST: a GET is not slowed" "$(req -m 1 -u bot:pw "${J[@]}" "$TB/$SYS")" 200
equals "slow: the client gives up" "$(req -m 0.5 -u bot:pw "${J[@]}" -X POST \
  --data-binary '{"correlation_id":"slow:1"}' "$TB")" 000
equals "slow: the record exists all the same" \
  "$(state | jq -r '[.incidents[] | select(.correlation_id == "slow:1")] | length')" 1
equals "slow mode used up" "$(req -u bot:pw "${J[@]}" "$TB/$SYS")" 200
equals "every API call recorded with its auth" \
  "$(state | jq -r '[.requests[].auth] | unique | join(",")')" "bad-basic,bad-bearer,basic,bearer,none"
kill -0 "$FPID" 2>/dev/null && ok "fake still running" || bad "fake died" "$(tail -5 "$T/fake.log")"
assert_done
