#!/bin/bash
# runtime.bc is what codegen links into every artifact: check that it exists, defines the
# driver with hidden visibility, needs no C++ runtime, and that an artifact-shaped shared
# object built from it (fake_artifact.c) depends on libc alone, exports only its own entry
# points, and runs from a plain C program.
# Usage: runtime_bc_test.sh RUNTIME_BC RUNTIME_H FAKE_ARTIFACT_C FAKE_APP_C
set -euo pipefail
bc=$PWD/$1
include=$PWD/$(dirname "$(dirname "$2")")
artifact_c=$PWD/$3
app_c=$PWD/$4
tmp=${TEST_TMPDIR:-$(mktemp -d)}

fail() { echo "FAIL: $*" >&2; exit 1; }

[[ -s $bc ]] || fail "$bc is missing or empty"
/usr/bin/llvm-nm-19 "$bc" > "$tmp/nm.txt"
for sym in kiln_rt_run kiln_rt_create kiln_rt_destroy kiln_rt_last_error kiln_rt_parallel_for \
           kiln_rt_exec_parallel_for kiln_rt_check_input kiln_rt_prepare_output kiln_rt_map_weights; do
  grep -Eq "^-+ T $sym\$" "$tmp/nm.txt" || fail "runtime.bc does not define $sym"
done
if grep -E ' U (_Z|__cxa_|__gxx_|_Unwind_|__tls_get_addr)' "$tmp/nm.txt"; then
  fail "runtime.bc needs the C++ runtime or TLS helpers (above)"
fi
/usr/bin/llvm-dis-19 "$bc" -o "$tmp/runtime.ll"
grep -q '^define hidden .*@kiln_rt_run(' "$tmp/runtime.ll" || fail "kiln_rt_run is not hidden"
if grep -E '^define (dso_local )?[a-z]' "$tmp/runtime.ll" | grep -Ev '^define (hidden|internal|private)'; then
  fail "runtime.bc defines visible functions (above)"
fi

cd "$tmp"
/usr/bin/clang-19 -O2 -fPIC -c "$bc" -o runtime.o
/usr/bin/clang-19 -O2 -fPIC -std=c11 -Wall -Werror -I"$include" -c "$artifact_c" -o artifact.o
/usr/bin/clang-19 -shared --ld-path=/usr/bin/ld.lld-19 artifact.o runtime.o -o libfake.so
needed=$(/usr/bin/llvm-readelf-19 -d libfake.so | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
for lib in $needed; do
  case $lib in
    libc.so.6|libm.so.6|libpthread.so.0|libdl.so.2) ;;
    *) fail "libfake.so depends on $lib (all: $needed)" ;;
  esac
done
exported=$(/usr/bin/llvm-nm-19 -D --defined-only libfake.so | awk '{print $3}' | sort | tr '\n' ' ')
[[ $exported == "fake_create fake_destroy fake_last_error fake_run " ]] || fail "libfake.so exports: $exported"

/usr/bin/clang-19 -std=c11 -Wall -Werror -I"$include" "$app_c" -L. -lfake -Wl,-rpath,"$tmp" -o app
./app
echo "PASS: runtime.bc ok; libfake.so needs: $needed"
