# shellcheck shell=bash
# lib-assert.sh: the checks every integration script prints with. Source it;
# each check prints "ok   NAME" or "FAIL NAME" with what it expected and
# got, and counts into $pass and $fail. A script ends with assert_done.

pass=${pass:-0}
fail=${fail:-0}

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; shift; printf '    %s\n' "$@"; }
contains() { # name haystack needle
  if [[ "$2" == *"$3"* ]]; then ok "$1"; else bad "$1" "expected to contain: $3" "got: ${2:0:2000}"; fi
}
lacks() { # name haystack needle
  if [[ "$2" != *"$3"* ]]; then ok "$1"; else bad "$1" "expected NOT to contain: $3" "got: ${2:0:2000}"; fi
}
equals() { # name got expected
  if [[ "$2" == "$3" ]]; then ok "$1"; else bad "$1" "expected: $3" "got:      ${2:0:2000}"; fi
}
# The closing line the test runners read; fails when any check failed.
assert_done() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
