# Shared helpers of the CLI's shell tests: source it, call `expect`, end with `summary`.
failures=0
checks=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect CODE PATTERN -- COMMAND...: runs COMMAND, checks its exit code and that its combined
# output matches the extended regex PATTERN.
expect() {
  local code=$1 pattern=$2
  shift 3
  checks=$((checks + 1))
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [ "$rc" -ne "$code" ]; then
    fail "'$*' exited $rc, expected $code. Output:"; echo "$out" | head -20
  elif ! grep -Eq -- "$pattern" <<<"$out"; then
    fail "'$*' output does not match /$pattern/. Output:"; echo "$out" | head -20
  fi
}

# Prints "N passed, M failed" and returns non-zero on any failure.
summary() {
  echo "$((checks - failures)) passed, $failures failed"
  [ "$failures" -eq 0 ]
}
