#!/usr/bin/env bash
# The docs the code leans on are the project's own: no comment cites a
# file outside the repository, and every "docs/protocols.md §N.M" the
# code cites names a section that exists there. And JSON is built with
# cJSON only.
SRC=${1:?usage: docs-check.sh SOURCE_DIR}
cd "$SRC" || exit 1
fail=0
files=$(git ls-files '*.c' '*.h' '*.sh' '*.md' 2>/dev/null || find . -name '*.[ch]' -o -name '*.sh' -o -name '*.md')
out=$(grep -n 'PROTOCOLS\.md' $files | grep -v '^docs/protocols.md:')
if [ -n "$out" ]; then
  echo "not ok - citations of a file outside the repository:"; echo "$out"; fail=1
else
  echo "ok - no citation of a file outside the repository"
fi
# JSON is built with cJSON, never by hand: no "\"key\":" inside a
# printf-family call or a buffer append in the product's code.
src=$(git ls-files 'bot/*.c' 'adapters/*.c' 'commands/*.c' 'config/*.c' 2>/dev/null)
out=$(grep -nE '(printf|buf_add[sf]?|xasprintf)\(.*\\"[A-Za-z_]+\\":' $src)
if [ -n "$out" ]; then
  echo "not ok - JSON built by hand (use cJSON):"; echo "$out"; fail=1
else
  echo "ok - no JSON built by hand in the product's code"
fi
n=0
while IFS= read -r sec; do
  n=$((n + 1))
  if ! grep -q "<a id=\"s$sec\"></a>" docs/protocols.md; then
    echo "not ok - docs/protocols.md has no section $sec"; fail=1
  fi
done < <(grep -oh 'docs/protocols.md §[0-9][0-9.]*' $files | sed 's/.*§//; s/\.$//' | sort -u)
echo "ok - $n cited section(s) checked"
[ "$n" -gt 0 ] || { echo "not ok - no citation found: the check would be empty"; fail=1; }
if [ $fail -eq 0 ]; then echo "3 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit $fail
