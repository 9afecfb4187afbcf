#!/bin/bash
# Builds the runtime and its C++ tests with ThreadSanitizer, then with AddressSanitizer +
# UndefinedBehaviorSanitizer, outside Bazel's configuration (so it needs no --config and does
# not rebuild anything else), and runs them. Passing means no data race, no memory error and
# no undefined behaviour was seen in the pool, the driver and the 4-threads test.
# Usage (Bazel passes these): sanitizers_test.sh CATCH_MAIN_CC RUNTIME_H SOURCES...
set -euo pipefail
catch_main=$PWD/$1
include=$PWD/$(dirname "$(dirname "$2")")
shift 2
root=$PWD
tmp=${TEST_TMPDIR:-$(mktemp -d)}
export TEST_TMPDIR=$tmp

for san in thread address,undefined; do
  out=$tmp/${san%%,*}
  mkdir -p "$out"
  pids=()
  /usr/bin/clang++-19 -std=c++17 -O1 -g -fsanitize=$san -c "$catch_main" -o "$out/catch_main.o" & pids+=($!)
  for src in "$@"; do
    obj=$out/$(basename "$src").o
    case $src in
      *.c) /usr/bin/clang-19 -std=c11 -O1 -g -fsanitize=$san -fno-sanitize-recover=all -I"$include" -c "$src" -o "$obj" & ;;
      *.cc) /usr/bin/clang++-19 -std=c++17 -O1 -g -fsanitize=$san -fno-sanitize-recover=all -I"$root" -I"$include" \
              -c "$src" -o "$obj" & ;;
      *) continue ;;
    esac
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  /usr/bin/clang++-19 -fsanitize=$san "$out"/*.o -lpthread -o "$out/runtime_tests"
  echo "== -fsanitize=$san"
  TSAN_OPTIONS=halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 "$out/runtime_tests"
done
