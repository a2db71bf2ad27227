#!/usr/bin/env bash
# The install tree: DESTDIR=$tmp cmake --install BUILD puts every file
# where GNUInstallDirs says, the unit's paths match the prefix, the
# installed config passes --check-config with no token, the man pages
# render with the sections a reader looks for, and the unit verifies
# (systemd-analyze, where the machine has it; its security score is
# printed for the record).
# Usage: install.sh BUILD_DIR PREFIX BINDIR CONFDIR MANDIR DOCDIR UNITDIR
#        SYSUSERSDIR TMPFILESDIR   (all absolute, as configured)
set -euo pipefail
build=$1 prefix=$2 bindir=$3 confdir=$4 mandir=$5 docdir=$6 unitdir=$7
sysusersdir=$8 tmpfilesdir=$9
fail() { echo "FAIL: $*" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
DESTDIR=$root cmake --install "$build" >"$tmp/install.log" ||
	{ cat "$tmp/install.log" >&2; fail "cmake --install failed"; }
# DESTDIR-safe: nothing outside the staging root was written.
grep -E '^-- (Installing|Up-to-date): ' "$tmp/install.log" |
	grep -v -- " $root/" && fail "installed outside DESTDIR"

for f in "$bindir/opsbot" "$confdir/opsbot.json" "$mandir/man8/opsbot.8" \
	"$mandir/man5/opsbot.json.5" "$unitdir/opsbot.service" \
	"$sysusersdir/opsbot.conf" "$tmpfilesdir/opsbot.conf" \
	"$docdir/opsbot.example.json" "$docdir/LICENSE" "$docdir/CHANGELOG.md"; do
	[ -f "$root$f" ] || fail "missing $f"
done
[ -x "$root$bindir/opsbot" ] || fail "$bindir/opsbot not executable"
v=$("$root$bindir/opsbot" --version) || fail "installed --version"
grep -q '^opsbot ' <<<"$v" || fail "installed --version: $v"

# The unit runs what was installed, on the installed config.
unit=$root$unitdir/opsbot.service
grep -qE '@[A-Z_]+@' "$unit" && fail "unit has an unconfigured @VAR@"
grep -qx "ExecStart=$bindir/opsbot --config $confdir/opsbot.json" "$unit" ||
	fail "ExecStart does not match the prefix: $(grep ^ExecStart= "$unit")"
grep -qx "ExecStartPre=$bindir/opsbot --check-config $confdir/opsbot.json" "$unit" ||
	fail "ExecStartPre does not match the prefix"
grep -qx "EnvironmentFile=-$confdir/env" "$unit" || fail "EnvironmentFile path"
for k in Type=notify User=opsbot StateDirectory=opsbot WatchdogSec=30s 'ExecReload=kill -HUP $MAINPID' \
	ProtectSystem=strict ProtectHome=yes NoNewPrivileges=yes PrivateTmp=yes \
	CapabilityBoundingSet= SystemCallFilter=@system-service \
	'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' LockPersonality=yes \
	MemoryDenyWriteExecute=yes RestrictNamespaces=yes; do
	grep -qxF -- "$k" "$unit" || fail "unit lacks $k"
done
# Descriptors: the bot raises its soft limit to this hard one at start;
# without it 1,024 connections exhaust it (issue 11).
nofile=$(sed -n 's/^LimitNOFILE=//p' "$unit")
[[ "$nofile" =~ ^[0-9]+$ ]] && [ "$nofile" -ge 4096 ] ||
	fail "unit lacks LimitNOFILE= (4096 or more): '$nofile'"
grep -qxF StateDirectoryMode=0700 "$unit" || fail "unit lacks StateDirectoryMode=0700"
grep -qE '^u opsbot - .* /var/lib/opsbot ' "$root$sysusersdir/opsbot.conf" ||
	fail "sysusers.d entry for opsbot"
grep -qE '^d /var/lib/opsbot 0750 opsbot opsbot' "$root$tmpfilesdir/opsbot.conf" ||
	fail "tmpfiles.d entry for /var/lib/opsbot"

# The installed config: commented, and valid on a machine with no token.
cfg=$root$confdir/opsbot.json
grep -q '^//' "$cfg" || fail "installed config has no comments"
grep -qE '@[A-Z_]+@' "$cfg" && fail "installed config has an unconfigured @VAR@"
env -i PATH="$PATH" "$root$bindir/opsbot" --check-config "$cfg" ||
	fail "installed config fails --check-config without tokens"

# The man pages render, with their key sections.
render() { MANWIDTH=80 man -l "$1" 2>"$tmp/man.err" | col -b; }
if command -v man >/dev/null; then
	page=$(render "$root$mandir/man8/opsbot.8")
	[ -s "$tmp/man.err" ] && fail "opsbot.8 warnings: $(cat "$tmp/man.err")"
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS ENVIRONMENT SIGNALS \
		'EXIT STATUS' FILES 'SEE ALSO'; do
		grep -qx "$s" <<<"$page" || fail "opsbot(8) lacks $s"
	done
	grep -q -- '--check-config FILE' <<<"$page" ||
		fail "opsbot(8) does not document --check-config"
	grep -qF "$confdir/opsbot.json" <<<"$page" ||
		fail "opsbot(8) does not name $confdir/opsbot.json"
	page=$(render "$root$mandir/man5/opsbot.json.5")
	[ -s "$tmp/man.err" ] && fail "opsbot.json.5 warnings: $(cat "$tmp/man.err")"
	for s in NAME DESCRIPTION SECRETS SECTIONS EXAMPLE 'SEE ALSO'; do
		grep -qx "$s" <<<"$page" || fail "opsbot.json(5) lacks $s"
	done
	for k in bot chat alerts roles users hosts remote schedules checklists; do
		grep -qE "^       $k( |\$)" <<<"$page" ||
			fail "opsbot.json(5) does not describe section $k"
	done
else
	echo "skip: man not installed (scripts/deps.sh test installs man-db)"
fi

# systemd-analyze verify on the unit as installed: its paths are pointed
# into the staging root (verify checks that ExecStart= is executable and
# that Documentation= man pages exist).
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$tmp/units"
	sed "s|$prefix/|$root$prefix/|g; s|$confdir|$root$confdir|g" "$unit" \
		>"$tmp/units/opsbot.service"
	MANPATH=$root$mandir:$(manpath 2>/dev/null || true) \
		systemd-analyze verify "$tmp/units/opsbot.service" >"$tmp/verify" 2>&1 ||
		{ cat "$tmp/verify" >&2; fail "systemd-analyze verify failed"; }
	# Lines about the machine (no systemd as PID 1) are not the unit's.
	if [ -n "$(grep -v -e 'sysinit.target' -e 'Failed to ' "$tmp/verify")" ]; then
		cat "$tmp/verify" >&2
		fail "systemd-analyze verify complained"
	fi
	score=$(systemd-analyze security --offline=true "$unit" 2>/dev/null |
		sed -nE 's/.*Overall exposure level for opsbot.service: ([0-9.]+).*/\1/p')
	echo "systemd-analyze security: exposure $score (0 safest, 10 unsafe)"
	[ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 3.0) }' ||
		fail "exposure score ${score:-unknown} is above 3.0"
else
	echo "skip: systemd-analyze not on this machine"
fi
echo "ok: install tree under $prefix"
