#!/usr/bin/env bash
# Integration: the read-only web page in a real browser (Debian's headless
# Chromium). The bot runs with fixture hosts (web1 OK, db1 CRIT, down1
# unreachable), a runbook library, and data seeded the way it arrives:
# hostile alerts through the webhook, /health and /sod typed on the
# console (host_state, disk_samples, a checklist run), /ack; an incident
# row with notes, a linked alert and an RCA draft, and older checklist
# runs and disk samples written into the store (the incident commands are
# another part's; the store's v8 tables are what the page reads).
#   1. Access: 401 without the token, a ?token= link answers 303 with
#      the cookie and the address without it, cookie and bearer let in, a
#      wrong token does not; the trusted proxy's header only from its
#      address; --check-config refuses web.enabled with neither.
#   2. Each page loaded by Chromium (--dump-dom): its content is there,
#      hostile labels, host output and notes are text, and no element they
#      tried to inject (script, img, b, i) exists.
#   3. /incidents/ID.md and /runbooks/NAME as text/markdown; no path made
#      of "..", an encoded "/", a dot file or a symlink leaves runbooks.dir.
#   4. Screenshots render: valid PNGs of the asked size, not blank.
# usage: web.sh OPSBOT SOURCE_DIR
set -u
BOT=$(realpath "$1")
SRC=$(realpath "$2")
. "$SRC/tests/integration/lib-assert.sh"

T=$(mktemp -d /tmp/ob-web.XXXXXX)
bot_pid=
cleanup() {
  exec 3>&- 2>/dev/null
  [ -n "$bot_pid" ] && kill "$bot_pid" 2>/dev/null && wait "$bot_pid" 2>/dev/null
  if [ -n "${KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  # CI installs it (scripts/deps.sh test): a missing browser is a failure.
  echo "FAIL chromium is not installed (scripts/deps.sh test installs it)"
  echo "0 passed, 1 failed"
  exit 1
fi

TOKEN=web-token-7f3a
HOOK_TOKEN=hook-token-19c2
mkdir -p "$T/runbooks" "$T/data"
printf '# Restart the <b>payment</b> gateway\n\n1. `systemctl restart pay`\n' \
  >"$T/runbooks/restart-pay.md"
printf '# Hidden\n' >"$T/runbooks/.hidden.md"
printf 'outside-secret-4711\n' >"$T/outside.md"
ln -s "$T/outside.md" "$T/runbooks/link.md"

WEB_ON="{ \"enabled\": true, \"token\": \"$TOKEN\", \"trusted_proxy\": \"127.0.0.2\" }"
write_config() { # file [web object]
  cat >"$1" <<JSON
{
  "bot": { "data_dir": "$T/data", "timezone": "UTC", "log_level": "debug",
           "log_file": "$T/bot.log" },
  "chat": { "console": { "user": "olga" } },
  "users": [ { "name": "olga", "platform": "console", "roles": ["operator"] } ],
  "alerts": { "listen": "127.0.0.1:0", "token": "$HOOK_TOKEN",
              "checks": { "enabled": false } },
  "hosts": [
    { "name": "web1", "transport": "fixture", "tags": ["prod"],
      "fixture": "$SRC/tests/fixtures/remote/hosts/web1",
      "mounts": [ { "path": "/", "warn": 80, "crit": 90 } ],
      "services": [ "nginx" ] },
    { "name": "db1", "transport": "fixture", "tags": ["prod"],
      "fixture": "$SRC/tests/fixtures/remote/hosts/db1",
      "mounts": [ { "path": "/var/lib/postgresql", "warn": 75, "crit": 90 } ],
      "services": [ "postgresql" ] },
    { "name": "down1", "transport": "fixture",
      "fixture": "$SRC/tests/fixtures/remote/hosts/down1",
      "mounts": [ { "path": "/" } ] }
  ],
  "checklists": {
    "sod": { "title": "SOD", "checks": [
      { "title": "Services up", "kind": "services_running", "hosts": "prod" },
      { "title": "Disks under warning", "kind": "disk_below", "hosts": "prod" } ] }
  },
  "runbooks": { "dir": "$T/runbooks" },
  "web": ${2:-$WEB_ON}
}
JSON
}

# --- 1a. the config refuses an open page ----------------------------------------
write_config "$T/open.json" '{ "enabled": true }'
out=$(OPSBOT_WEB_TOKEN= "$BOT" --check-config "$T/open.json" 2>&1)
rc=$?
equals "--check-config: web.enabled alone is refused" "$rc" 1
contains "--check-config names the fix" "$out" "web.enabled needs web.token"

# --- the bot, its console on a pipe we hold open ---------------------------------
write_config "$T/opsbot.json"
mkfifo "$T/console"
"$BOT" --config "$T/opsbot.json" <"$T/console" >"$T/bot.out" 2>"$T/bot.err" &
bot_pid=$!
exec 3>"$T/console"
BP=
for _ in $(seq 400); do
  BP=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$T/bot.log" 2>/dev/null | head -1)
  [ -n "$BP" ] && break
  sleep 0.05
done
if [ -z "$BP" ]; then
  echo "FAIL the bot did not start"; tail -20 "$T/bot.log"; echo "0 passed, 1 failed"; exit 1
fi
U="http://127.0.0.1:$BP"
DB="$T/data/opsbot.db"

wait_sql() { # QUERY EXPECTED [SECONDS]
  local deadline=$((SECONDS + ${3:-60}))
  while [ "$SECONDS" -lt "$deadline" ]; do
    [ "$(sqlite3 "$DB" "$1" 2>/dev/null)" = "$2" ] && return 0
    sleep 0.1
  done
  return 1
}
hook() { # BODY
  curl -s -o /dev/null -w '%{http_code}' --max-time 30 -X POST "$U/hooks/generic" \
    -H 'Content-Type: application/json' -H "Authorization: Bearer $HOOK_TOKEN" \
    --data-binary "$1"
}

# --- seed: alerts through the webhook, commands on the console ---------------------
equals "hostile alert accepted" "$(hook '{"name":"<script>alert(1)</script>","host":"\"><img src=x onerror=alert(2)>","severity":"critical","labels":{"team":"<b>pay</b>","svc":"a\u0027b&c"},"annotations":{"summary":"<i>x</i>"}}')" 200
equals "second alert accepted" "$(hook '{"name":"DiskFull","host":"db1","severity":"warning"}')" 200
wait_sql "SELECT count(*) FROM alerts" 2 || bad "the two alerts are stored" "$(sqlite3 "$DB" 'SELECT * FROM alerts')"
DISK_ID=$(sqlite3 "$DB" "SELECT id FROM alerts WHERE alertname = 'DiskFull'")
HOSTILE_ID=$(sqlite3 "$DB" "SELECT id FROM alerts WHERE alertname LIKE '<script>%'")
echo "/ack $DISK_ID" >&3
echo "/health all" >&3
echo "/sod" >&3
wait_sql "SELECT acked_by IS NOT NULL FROM alerts WHERE id = $DISK_ID" 1 ||
  bad "/ack recorded" "$(tail -5 "$T/bot.out")"
wait_sql "SELECT count(*) FROM host_state" 3 || bad "/health recorded 3 hosts" "$(tail -5 "$T/bot.out")"
wait_sql "SELECT count(*) FROM checklist_runs" 1 || bad "/sod stored a run" "$(tail -5 "$T/bot.out")"

NOW=$(date +%s%3N)
H=3600000
D=$((24 * H))
# Older history: a week of disk use on web1's / (the newest is /health's),
# yesterday's passing SOD, a hostile host summary (as a log line would
# bring), and an incident with notes, the hostile alert linked, an RCA.
sqlite3 "$DB" <<SQL
INSERT INTO disk_samples (host, mount, at, used_pct) VALUES
  ('web1', '/', $((NOW - 6 * D)), 9), ('web1', '/', $((NOW - 5 * D)), 11),
  ('web1', '/', $((NOW - 4 * D)), 12), ('web1', '/', $((NOW - 3 * D)), 14),
  ('web1', '/', $((NOW - 2 * D)), 15), ('web1', '/', $((NOW - D)), 16),
  ('db1', '/var/lib/postgresql', $((NOW - 2 * D)), 70),
  ('db1', '/var/lib/postgresql', $((NOW - D)), 88);
INSERT INTO checklist_runs (name, started, finished, trigger, passed, total)
  VALUES ('sod', $((NOW - D)), $((NOW - D + 5000)), 'schedule', 2, 2),
         ('sod', $((NOW - 3 * D)), $((NOW - 3 * D + 5000)), 'schedule', 1, 2);
UPDATE host_state SET summary = summary || ' <script>alert(3)</script>' WHERE host = 'web1';
INSERT INTO incidents (id, title, severity, state, status, platform, channel,
  opened, opened_by, opened_by_name, rca)
  VALUES (42, 'Payments <em>down</em>', 1, 'open', 'mitigating', 'console', 'console',
  $((NOW - 2 * H)), 'olga', 'olga',
  '# RCA: Payments down

## Summary
Payments failed for 40 minutes.

## Timeline
- <script>alert(4)</script> restarted pay
');
INSERT INTO incident_notes (incident_id, at, who, who_name, kind, text) VALUES
  (42, $((NOW - 2 * H)), 'olga', 'olga', 'open', 'Payments down'),
  (42, $((NOW - H)), 'olga', 'olga', 'note', 'restarted <img src=x onerror=alert(5)> pay');
INSERT INTO incident_alerts (incident_id, alert_id, linked, linked_by)
  VALUES (42, $HOSTILE_ID, $NOW, 'olga');
SQL

# --- 1b. access -------------------------------------------------------------------
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$@"; }
equals "no token: 401" "$(code "$U/alerts")" 401
equals "wrong bearer: 401" "$(code -H 'Authorization: Bearer nope' "$U/alerts")" 401
equals "wrong ?token=: 401" "$(code "$U/alerts?token=nope")" 401
equals "bearer: 200" "$(code -H "Authorization: Bearer $TOKEN" "$U/alerts")" 200
hdrs=$(curl -s -D - -o /dev/null --max-time 30 "$U/hosts?token=$TOKEN")
contains "?token= link: 303" "$hdrs" "HTTP/1.1 303"
contains "?token= link: the cookie" "$hdrs" "set-cookie: opsbot_web=$TOKEN; Path=/; HttpOnly; SameSite=Strict"
contains "?token= link: to the address without it" "$hdrs" "location: /hosts"
contains "pages forbid script" "$hdrs" "content-security-policy: default-src 'none'"
equals "cookie: 200" "$(code -H "Cookie: a=1; opsbot_web=$TOKEN" "$U/hosts")" 200
equals "trusted proxy with the header: 200" \
  "$(code --interface 127.0.0.2 -H 'X-Forwarded-User: alice' "$U/hosts")" 200
equals "trusted proxy without the header: 401" "$(code --interface 127.0.0.2 "$U/hosts")" 401
equals "the header from another address: 401" "$(code -H 'X-Forwarded-User: alice' "$U/hosts")" 401

# --- 3. Markdown, and paths that try to leave runbooks.dir ---------------------------
A="Authorization: Bearer $TOKEN"
md=$(curl -s --max-time 30 -H "$A" "$U/incidents/42.md")
contains "RCA draft served as Markdown" "$md" "## Summary"
equals "RCA content type" "$(curl -s -o /dev/null -w '%{content_type}' -H "$A" "$U/incidents/42.md")" "text/markdown; charset=utf-8"
equals "no RCA for an unknown incident: 404" "$(code -H "$A" "$U/incidents/9999.md")" 404
equals "a bad incident id: 404" "$(code -H "$A" "$U/incidents/42abc")" 404
rb=$(curl -s --max-time 30 -H "$A" "$U/runbooks/restart-pay.md")
contains "runbook served as it is" "$rb" '1. `systemctl restart pay`'
for p in "/runbooks/../opsbot.json" "/runbooks/..%2Fopsbot.json" "/runbooks/%2e%2e/%2e%2e/etc/passwd" \
    "/runbooks/.hidden.md" "/runbooks/link.md" "/runbooks/" "/runbooks/..%2F..%2Foutside.md"; do
  body=$(curl -s --path-as-is --max-time 30 -H "$A" -w '\n%{http_code}' "$U$p")
  st=${body##*$'\n'}
  [ "$st" != 200 ] && [[ "$body" != *outside-secret-4711* ]] && [[ "$body" != *'"web"'* ]] &&
    [[ "$body" != *root:x:* ]] && ok "$p is not served ($st)" || bad "$p is not served" "got $st: ${body:0:300}"
done

# --- 2. the pages in Chromium --------------------------------------------------------
browse() { # OUT-PREFIX PATH [screenshot]: DOM to OUT.html (and OUT.png); retried once
  local try args
  args=(--headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars
        --user-data-dir="$T/chromium" --window-size=1280,900 --timeout=20000)
  for try in 1 2; do
    if [ -n "${3:-}" ]; then
      timeout 120 "$CHROMIUM" "${args[@]}" --screenshot="$T/$1.png" "$U$2?token=$TOKEN" \
        >/dev/null 2>>"$T/chromium.log"
    fi
    timeout 120 "$CHROMIUM" "${args[@]}" --dump-dom "$U$2?token=$TOKEN" >"$T/$1.html" \
      2>>"$T/chromium.log"
    grep -q '</html>' "$T/$1.html" && { [ -z "${3:-}" ] || [ -s "$T/$1.png" ]; } && return 0
  done
  return 1
}
# No element a string tried to inject: the page has no script and no img at
# all, and b, i or em only where a string asked for them is absent too.
clean() { # NAME FILE
  local dom
  dom=$(cat "$2")
  lacks "$1: no <script> element" "$dom" "<script"
  lacks "$1: no <img> element" "$dom" "<img"
  lacks "$1: no injected <b>" "$dom" "<b>pay"
  lacks "$1: no injected <i>" "$dom" "<i>x"
  lacks "$1: no injected <em>" "$dom" "<em>"
}

browse overview / || bad "chromium loaded /" "$(tail -5 "$T/chromium.log")"
dom=$(cat "$T/overview.html")
contains "/: the overview" "$dom" "<h1>Overview</h1>"
contains "/: alert counts" "$dom" '<div class="n crit">1</div>firing'
contains "/: host counts" "$dom" 'CRIT or unreachable'
contains "/: open incidents" "$dom" '<div class="n crit">1</div>open'
clean "/" "$T/overview.html"

browse alerts /alerts shot || bad "chromium loaded /alerts" "$(tail -5 "$T/chromium.log")"
dom=$(cat "$T/alerts.html")
contains "/alerts: the hostile name is text" "$dom" "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"
contains "/alerts: the hostile host is text" "$dom" '<td>"&gt;&lt;img src=x onerror=alert(2)&gt;</td>'
contains "/alerts: labels as text" "$dom" "team=&lt;b&gt;pay&lt;/b&gt;"
contains "/alerts: quotes and ampersands as text" "$dom" "svc=a'b&amp;c"
contains "/alerts: the acknowledged alert and who" "$dom" "acknowledged</span></td>"
contains "/alerts: who acknowledged" "$dom" "<td>@olga</td>"
contains "/alerts: severity" "$dom" '<span class="tag crit">critical</span>'
clean "/alerts" "$T/alerts.html"

browse hosts /hosts shot || bad "chromium loaded /hosts" "$(tail -5 "$T/chromium.log")"
dom=$(cat "$T/hosts.html")
contains "/hosts: web1 OK" "$dom" '<td class="host">web1 <span class="muted">#prod</span></td><td><span class="tag ok">OK</span>'
contains "/hosts: db1 CRIT" "$dom" '<span class="tag crit">CRIT</span>'
contains "/hosts: down1 unreachable" "$dom" '<span class="tag crit">UNREACHABLE</span>'
contains "/hosts: down1's reason" "$dom" "unreachable (ssh: connect to host down1 port 22: Connection refused)"
contains "/hosts: the summary" "$dom" "load 0.43 0.73 0.67 (4 cpu)"
contains "/hosts: hostile host output is text" "$dom" "&lt;script&gt;alert(3)&lt;/script&gt;"
contains "/hosts: a sparkline per mount" "$dom" '<svg class="spark" width="120" height="24"'
contains "/hosts: web1's / now" "$dom" '<b>17%</b> /</div>'
contains "/hosts: db1's mount now" "$dom" '<b>95%</b> /var/lib/postgresql</div>'
points=$(grep -o 'aria-label="disk use of /"><polyline[^>]*points="[^"]*"' "$T/hosts.html" | head -1 |
  sed 's/.*points="//; s/"$//' | wc -w)
equals "/hosts: web1's sparkline has its 7 samples" "$points" 7
clean "/hosts" "$T/hosts.html"

browse checklists /checklists || bad "chromium loaded /checklists" "$(tail -5 "$T/chromium.log")"
dom=$(cat "$T/checklists.html")
row=$(grep -o '<tr><td>sod</td>.*</tr>' "$T/checklists.html" | head -1)
contains "/checklists: today's /sod failed (red)" "$row" 'title="run 1">0/2</td></tr>'
contains "/checklists: yesterday passed (green)" "$row" '<td class="cell ok" title="run 2">2/2</td>'
contains "/checklists: three days ago failed (red)" "$row" '<td class="cell crit" title="run 3">1/2</td>'
contains "/checklists: days without a run are grey" "$row" '<td class="cell unknown" title="no run">'
clean "/checklists" "$T/checklists.html"

browse incidents /incidents || bad "chromium loaded /incidents" "$(tail -5 "$T/chromium.log")"
dom=$(cat "$T/incidents.html")
contains "/incidents: the incident" "$dom" '<a href="/incidents/42">Payments &lt;em&gt;down&lt;/em&gt;</a>'
contains "/incidents: severity and status" "$dom" "<td>SEV1</td>"
clean "/incidents" "$T/incidents.html"

browse incident /incidents/42 shot || bad "chromium loaded /incidents/42" "$(tail -5 "$T/chromium.log")"
dom=$(cat "$T/incident.html")
contains "/incidents/42: title as text" "$dom" "Payments &lt;em&gt;down&lt;/em&gt;"
contains "/incidents/42: the status" "$dom" "mitigating"
contains "/incidents/42: the open note" "$dom" "<b>open</b> olga: Payments down"
contains "/incidents/42: a hostile note is text" "$dom" "restarted &lt;img src=x onerror=alert(5)&gt; pay"
contains "/incidents/42: the linked alert fired" "$dom" "fired</span> alert #$HOSTILE_ID &lt;script&gt;alert(1)&lt;/script&gt;"
contains "/incidents/42: the RCA draft" "$dom" "## Summary"
contains "/incidents/42: the RCA's Markdown link" "$dom" 'href="/incidents/42.md"'
clean "/incidents/42" "$T/incident.html"

browse runbooks /runbooks || bad "chromium loaded /runbooks" "$(tail -5 "$T/chromium.log")"
dom=$(cat "$T/runbooks.html")
contains "/runbooks: the library" "$dom" '<a href="/runbooks/restart-pay%2Emd">Restart the &lt;b&gt;payment&lt;/b&gt; gateway</a>'
lacks "/runbooks: no dot file" "$dom" "Hidden"
clean "/runbooks" "$T/runbooks.html"

# --- 4. the screenshots ---------------------------------------------------------------
for s in alerts hosts incident; do
  f="$T/$s.png"
  magic=$(od -An -tx1 -N8 "$f" 2>/dev/null | tr -d ' \n')
  equals "$s.png: a PNG" "$magic" 89504e470d0a1a0a
  w=$(od -An -tu1 -j16 -N4 "$f" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
  h=$(od -An -tu1 -j20 -N4 "$f" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
  equals "$s.png: the window's size" "${w}x${h}" 1280x900
  size=$(stat -c %s "$f" 2>/dev/null || echo 0)
  # A blank 1280x900 PNG compresses to a few KB; a drawn page does not.
  [ "$size" -gt 15000 ] && ok "$s.png: not blank ($size bytes)" || bad "$s.png: not blank" "$size bytes"
done
[ -n "${WEB_SHOTS:-}" ] && cp "$T"/*.png "$WEB_SHOTS"/ 2>/dev/null

# --- /status says where the page is -------------------------------------------------------
echo "/status" >&3
deadline=$((SECONDS + 30))
while [ "$SECONDS" -lt "$deadline" ] && ! grep -q "^listener:" "$T/bot.out"; do sleep 0.1; done
contains "/status names the page" "$(grep '^listener:' "$T/bot.out")" "webhooks, the web page at /)"

# --- the page off: as if it were not there ------------------------------------------------
write_config "$T/opsbot.json" '{ "enabled": false }'
kill -HUP "$bot_pid"
deadline=$((SECONDS + 30))
while [ "$SECONDS" -lt "$deadline" ] && [ "$(code -H "$A" "$U/alerts")" != 404 ]; do sleep 0.1; done
equals "web.enabled false after a reload: 404" "$(code -H "$A" "$U/alerts")" 404
equals "the listener still answers /healthz" "$(code "$U/healthz")" 200

assert_done
