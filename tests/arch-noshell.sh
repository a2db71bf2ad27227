#!/usr/bin/env bash
# Commands do not write shell: each remote script lives with the parser
# of its output in adapters/hosts/ (the probe kinds, probes.h), and the
# commands ask those for findings. Fails when a file under commands/
# quotes for the shell, writes a probe's script or sections itself, or
# holds a shell fragment in a string.
# usage: arch-noshell.sh /path/to/source
set -u
SRC=$(realpath "$1")
# Extended regexes, searched in code with the comments taken out.
pats=(
  'shquote'                  # quoting is for script builders
  '(->|\.)script\b'          # a probe's script is the hosts' business
  'probe_section(_begin)?\('  # sections are written and read by the kinds
  '"[^"]*df -P'
  '"systemctl '              # a script line (the preview only names it)
  '"[^"]*pgrep'
  '"[^"]*< /proc/'
  '"[^"]*2>(&1|/dev/null)'
  '"[^"]*[^|]\| '            # a pipe inside a string literal
  '"[^"]*(\|\| true|; true)'
  '"[^"]*(stat -c|tail -[nc]|grep -F|ps -e?o |autorep -j|sendevent -E F)'
  "\"[^\"]*printf '"
)
args=()
for pat in "${pats[@]}"; do args+=(-e "$pat"); done
fail=0
for f in "$SRC"/commands/*.c; do
  hits=$(perl -0pe 's{/\*.*?\*/}{}gs; s{//[^\n]*}{}g' "$f" |
    grep -nE "${args[@]}" | grep -vE '^[0-9]+:\s*\.(help|synopsis) = ' || true)
  if [ -n "$hits" ]; then
    echo "FAIL: ${f#"$SRC"/} writes shell:"
    sed 's/^/    /' <<<"$hits"
    fail=1
  fi
done
[ $fail -eq 0 ] && echo "ok: no shell text under commands/"
exit $fail
