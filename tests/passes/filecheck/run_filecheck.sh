#!/bin/bash
# Runs one FileCheck IR test: kiln opt on a .kir file, its output checked by LLVM's FileCheck
# against the `# CHECK:` lines of the same file.
#
#   run_filecheck.sh KILN FILE.kir
#
# Header lines of FILE.kir (comments, read here; the kir parser skips them):
#   # PASSES: a,b            first line, required: the pipeline for --passes=
#   # FLAGS: --verify-each   optional: more kiln opt flags
#   # EXPECT-EXIT: 1         optional: the exit status kiln opt must return (default 0)
# kiln opt's stdout and stderr both go to FileCheck, so errors and --print-ir-after output
# can be checked too.
set -u -o pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 KILN FILE.kir" >&2
  exit 2
fi
kiln="$1"
file="$2"
filecheck="${FILECHECK:-/usr/lib/llvm-19/bin/FileCheck}"

if [[ ! -x "$filecheck" ]]; then
  echo "error: FileCheck not found at $filecheck (Debian package llvm-19-tools; or set FILECHECK)" >&2
  exit 1
fi
if [[ ! -x "$kiln" ]]; then
  echo "error: kiln not found at $kiln" >&2
  exit 1
fi
if [[ ! -r "$file" ]]; then
  echo "error: cannot read test file $file" >&2
  exit 1
fi

first_line="$(head -n 1 "$file")"
if [[ ! "$first_line" =~ ^#[[:space:]]*PASSES:[[:space:]]*(.*)$ ]]; then
  echo "error: $file: the first line must be '# PASSES: name,name', got: $first_line" >&2
  exit 1
fi
passes="${BASH_REMATCH[1]}"
flags="$(sed -n 's/^#[[:space:]]*FLAGS:[[:space:]]*//p' "$file" | head -n 1)"
expect_exit="$(sed -n 's/^#[[:space:]]*EXPECT-EXIT:[[:space:]]*//p' "$file" | head -n 1)"
expect_exit="${expect_exit:-0}"

# shellcheck disable=SC2086  # FLAGS is a list of words
output="$("$kiln" opt "$file" --passes="$passes" $flags 2>&1)"
status=$?
if [[ "$status" != "$expect_exit" ]]; then
  echo "error: $file: kiln opt exited with $status, expected $expect_exit; its output:" >&2
  printf '%s\n' "$output" >&2
  exit 1
fi

printf '%s\n' "$output" | "$filecheck" "$file"
