#!/usr/bin/env bash
# The Debian package: built with CPack in its own small build dir (prefix
# /usr, no tests, no benches), installed into this machine, run
# (--version, --check-config on the installed config as the opsbot user),
# removed (config kept) and purged (nothing left). Needs root and dpkg;
# exits 77 (ctest: skipped) without them, saying why.
# Usage: package.sh SOURCE_DIR BUILD_DIR VERSION
set -euo pipefail
src=$1 build=$2 version=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" -eq 0 ] || skip "installing a package needs root"
for t in dpkg dpkg-deb dpkg-shlibdeps cpack; do
	command -v "$t" >/dev/null || skip "$t not found (scripts/deps.sh test)"
done
if dpkg-query -W -f='${Status}' opsbot 2>/dev/null | grep -q 'installed'; then
	skip "an opsbot package is already installed on this machine"
fi
[ -e /etc/opsbot ] && skip "/etc/opsbot exists: not this test's to remove"
[ -e /var/lib/opsbot ] && skip "/var/lib/opsbot exists: not this test's to remove"

# Leave the machine as found, whatever happens.
installed=0
cleanup() { [ "$installed" -eq 1 ] && dpkg --purge opsbot >/dev/null 2>&1 || true; }
trap cleanup EXIT

pkg=$build/pkg-deb
cmake -S "$src" -B "$pkg" -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_C_COMPILER=gcc \
	-DOPSBOT_BUILD_TESTS=OFF -DOPSBOT_BUILD_BENCH=OFF >/dev/null
cmake --build "$pkg" --target opsbot -j2 >/dev/null
rm -f "$pkg"/opsbot_*.deb
(cd "$pkg" && cpack -G DEB >/dev/null)
deb=$(ls "$pkg"/opsbot_"$version"_*.deb 2>/dev/null) ||
	fail "no opsbot_${version}_*.deb from cpack"

# Depends comes from the binary (dpkg-shlibdeps), not from a hand list.
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libwebsockets libcjson libcurl libsqlite3 libedit; do
	grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "package version"
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)
grep -qx /etc/opsbot/opsbot.json <<<"$conffiles" ||
	fail "/etc/opsbot/opsbot.json is not a conffile"

dpkg -i "$deb" >/dev/null || fail "dpkg -i failed"
installed=1
getent passwd opsbot >/dev/null || fail "postinst did not create the opsbot user"
[ "$(stat -c %U:%G:%a /var/lib/opsbot)" = opsbot:opsbot:750 ] ||
	fail "/var/lib/opsbot is $(stat -c %U:%G:%a /var/lib/opsbot)"
[ "$(/usr/bin/opsbot --version | sed -nE '1s/^opsbot ([^ ]+).*/\1/p')" = "$version" ] ||
	fail "installed opsbot --version: $(/usr/bin/opsbot --version)"
# As the unit's ExecStartPre runs it: the opsbot user, no token.
runuser -u opsbot -- env -i PATH=/usr/bin:/bin \
	/usr/bin/opsbot --check-config /etc/opsbot/opsbot.json ||
	fail "installed config fails --check-config as opsbot"
grep -qx 'ExecStart=/usr/bin/opsbot --config /etc/opsbot/opsbot.json' \
	/usr/lib/systemd/system/opsbot.service || fail "installed unit's ExecStart"
# Enabled (not started: a fresh install has no token).
if command -v deb-systemd-helper >/dev/null; then
	[ -L /etc/systemd/system/multi-user.target.wants/opsbot.service ] ||
		fail "the unit is not enabled"
fi
# An upgrade (here the same version again) keeps an edited config and the
# store, and leaves the unit enabled.
echo '// edited by the admin' >>/etc/opsbot/opsbot.json
touch /var/lib/opsbot/opsbot.db
dpkg -i "$deb" >/dev/null || fail "dpkg -i over the installed package failed"
grep -qx '// edited by the admin' /etc/opsbot/opsbot.json ||
	fail "an upgrade replaced the edited config"
[ -f /var/lib/opsbot/opsbot.db ] || fail "an upgrade removed the store"
if command -v deb-systemd-helper >/dev/null; then
	[ -L /etc/systemd/system/multi-user.target.wants/opsbot.service ] ||
		fail "the unit is not enabled after an upgrade"
fi

files=$(dpkg -L opsbot)
# (Listed, not looked up with man -w: container images often keep dpkg
# from unpacking /usr/share/man.)
for f in /usr/share/man/man8/opsbot.8 /usr/share/man/man5/opsbot.json.5 \
	/usr/lib/sysusers.d/opsbot.conf /usr/lib/tmpfiles.d/opsbot.conf; do
	grep -qx "$f" <<<"$files" || fail "the package lacks $f"
done

# Remove keeps the config (a conffile) and the state; purge takes all.
dpkg -r opsbot >/dev/null || fail "dpkg -r failed"
[ ! -e /usr/bin/opsbot ] || fail "/usr/bin/opsbot left after remove"
[ -f /etc/opsbot/opsbot.json ] || fail "remove deleted the config"
dpkg --purge opsbot >/dev/null || fail "dpkg --purge failed"
installed=0
for p in /etc/opsbot /var/lib/opsbot /usr/share/doc/opsbot \
	/etc/systemd/system/multi-user.target.wants/opsbot.service \
	/etc/systemd/system/opsbot.service; do
	[ ! -e "$p" ] && [ ! -L "$p" ] || fail "$p left after purge"
done
while IFS= read -r f; do
	[ -d "$f" ] && continue		# shared dirs such as /usr/bin stay
	[ ! -e "$f" ] || fail "$f left after purge"
done <<<"$files"
dpkg-query -W opsbot >/dev/null 2>&1 && fail "dpkg still knows opsbot"
echo "ok: opsbot $version packaged, installed, run, removed and purged"
