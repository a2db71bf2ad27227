#!/usr/bin/env bash
# The exit codes are one list, the same everywhere: opsbot --help, the
# README, opsbot(8) and docs/operations.md each give every code with the
# same words, and no other code; the codes the source exits with
# (bot_fatal) are in the list.
# usage: docs-exitcodes.sh /path/to/opsbot /path/to/source
set -u
BOT=$(realpath "$1")
SRC=$(realpath "$2")
pass=0
fail=0
. "$SRC/tests/integration/lib-assert.sh"

# The list: code, then the words every place uses for it.
codes=(0 1 2 3 4 5)
words=("stopped normally" "invalid config" "wrong usage" "could not start"
  "credentials refused by a chat platform" "audit chain broken")

# Each place as one line of text: man macros and markdown made plain.
help=$("$BOT" --help | sed -n '/^Exit codes:/,/^$/p' | tr '\n' ' ')
readme=$(awk '/^- \*\*Exit codes\*\*:/ { on = 1; sub(/^- \*\*Exit codes\*\*: /, ""); print; next }
  on && /^  / { print; next } { on = 0 }' "$SRC/README.md" | tr '\n' ' ')
man=$(sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$SRC/dist/opsbot.8" |
  grep -v '^\.SH\|^\.TP' | sed 's/^\.B //; s/\\-/-/g' | tr '\n' ' ')
ops=$(sed -n '/^## Exit codes/,$p' "$SRC/docs/operations.md" |
  sed -n 's/^| \([0-9]\) | /\1 /p' | tr '\n' ' ')

for place in help readme man ops; do
  text=${!place}
  text=$(tr 'A-Z' 'a-z' <<<"$text" | tr -s ' ' | sed 's/wrong usage of the command line/wrong usage/g')
  if [ -z "$text" ]; then bad "$place lists the exit codes" "found no list"; continue; fi
  for i in "${!codes[@]}"; do
    c=${codes[$i]} w=${words[$i]}
    if grep -qE "(^|[^0-9])$c[ :|,]+$w" <<<"$text"; then
      ok "$place: $c $w"
    else
      bad "$place: $c $w" "in: $text"
    fi
  done
  extra=$(grep -oE '(^|[ ,(])[6-9][ :|,]+[a-z]' <<<"$text" || true)
  equals "$place: no other code" "$extra" ""
done

# The codes the bot stops with are in the list.
used=$(grep -rhoE 'bot_fatal\([^,]+, *[0-9]+' "$SRC/bot" "$SRC/adapters" |
  sed -E 's/.*, *//' | sort -u | tr '\n' ' ')
for c in $used; do
  if [[ " ${codes[*]} " == *" $c "* ]]; then ok "bot_fatal code $c is listed"; else bad "bot_fatal code $c is listed" "not in ${codes[*]}"; fi
done
assert_done
