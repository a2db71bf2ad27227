#!/usr/bin/env bash
# The layering as a check: every area is one static library (CMake gives
# each only the include directories of the libraries it links, so most
# wrong includes already fail the build); this script prints the graph
# the project allows and fails on any #include that crosses it, including
# one that a transitive include directory would let through.
# usage: arch-check.sh SOURCE_DIR
set -u
cd "${1:-.}" || exit 2

# area -> its directory (one directory per library).
declare -A DIR=(
	[util]=bot/util [store]=bot/store [config]=config [core]=bot
	[alerts]=bot/alerts [chat]=adapters/chat [hosts]=adapters/hosts
	[promql]=adapters/promql
	[commands]=commands
)
# area -> the areas it may include from (besides itself). main.c, the
# composition root, may include every area.
declare -A ALLOW=(
	[util]=""
	[store]="util"
	[config]="util"
	[core]="config store util"
	[alerts]="core store config util"
	[chat]="core config util"
	[hosts]="config util"
	[promql]="config util"
	[commands]="core alerts hosts promql store config util"
)
# Edges being removed (file:header), each with its reason; keep empty.
KNOWN=" "
ORDER="util store config core alerts chat hosts promql commands"

echo "allowed library graph (an area may include from the areas listed):"
for a in $ORDER; do
	printf '  %-9s -> %s\n' "$a" "${ALLOW[$a]:-(nothing of ours)}"
done
echo "  main.c    -> every area (the composition root)"

# Which area owns each header; a header name must be unique.
declare -A OWNER
bad=0
for a in $ORDER; do
	for h in "${DIR[$a]}"/*.h; do
		[ -e "$h" ] || continue
		n=${h##*/}
		if [ -n "${OWNER[$n]:-}" ]; then
			echo "FAIL $h: header name also in ${DIR[${OWNER[$n]}]}"
			bad=1
		fi
		OWNER[$n]=$a
	done
done

for a in $ORDER; do
	for f in "${DIR[$a]}"/*.[ch]; do
		[ -e "$f" ] || continue
		[ "$f" = bot/main.c ] && continue
		while IFS= read -r line; do
			n=${line#*\"}; n=${n%%\"*}
			o=${OWNER[$n]:-}
			[ -z "$o" ] && continue	# a system or generated header
			[ "$o" = "$a" ] && continue
			case " ${ALLOW[$a]} " in *" $o "*) continue ;; esac
			case "$KNOWN" in *" $f:$n "*)
				echo "note $f includes $n ($a -> $o): being removed"
				continue ;;
			esac
			echo "FAIL $f includes $n: $a may not depend on $o"
			bad=1
		done < <(grep -h '^#include "' "$f")
	done
done
[ $bad -eq 0 ] && echo "ok   every #include follows the graph"
exit $bad
