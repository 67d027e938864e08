#!/usr/bin/env bash
# Runs every Go fuzz target of the module, one at a time, for the duration
# given as the first argument (default 10s). Targets are found with
# `go test -list`, in the packages whose tests declare a Fuzz function.
# An input that makes a target fail is written by go test under the
# package's testdata/fuzz, where it becomes a regression case.
set -euo pipefail

fuzztime="${1:-10s}"
cd "$(dirname "$0")/.."

# Only packages with a fuzz function need a test binary built for -list.
mapfile -t dirs < <(git ls-files --cached --others --exclude-standard '*_test.go' \
  | xargs -r grep -l '^func Fuzz' | xargs -r -n1 dirname | sort -u)

ran=0
for dir in "${dirs[@]}"; do
  pkg="./${dir}"
  mapfile -t targets < <(go test -list '^Fuzz' -run '^$' "$pkg" | grep '^Fuzz' || true)
  for target in "${targets[@]}"; do
    echo "Fuzzing ${target} in ${pkg} for ${fuzztime}"
    go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime"
    ran=$((ran + 1))
  done
done

echo "Fuzzed ${ran} target(s) for ${fuzztime} each"
