#!/usr/bin/env bash
# Measures Coop at scale: for each size, generates a program (seed 1), then times `coop check`
# and `coop report --format json` from .coop source and from a CSV ledger, each run repeated and
# the median kept, with the peak memory of the run (GNU time's maximum resident set size).
#
#   scripts/measure.sh [SIZES...]      # default: 1000 10000 100000 1000000
#
# Needs GNU time (/usr/bin/time). Prints a Markdown table: seconds, MB/s of source, orders/s,
# peak MiB (GNU time's KiB / 1024), and the page faults per order (the kernel's minor faults:
# memory the allocator gave back and took again shows there first, as in docs/performance.md's
# ninth and tenth sessions).
# Writes nothing but its scratch directory (removed at the end).
set -euo pipefail

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000 1000000)
repeats=${REPEATS:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$here/target}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

cargo build --release --quiet --manifest-path "$here/Cargo.toml"
coop="$target/release/coop"
as_of=2026-12-31

# median of the numbers on standard input
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "| orders | input | command | seconds (median of $repeats) | MB/s | orders/s | peak MiB | faults/order |"
echo "|---:|---|---|---:|---:|---:|---:|---:|"
for orders in "${sizes[@]}"; do
  for input in coop ledger; do
    directory="$scratch/$orders-$input"
    flag=()
    [ "$input" = ledger ] && flag=(--ledger)
    "$coop" generate -o "$directory" --orders "$orders" "${flag[@]}" 2>/dev/null
    bytes=$(cat "$directory"/* | wc -c)
    for command in check report; do
      arguments=("$command" "$directory" --as-of "$as_of")
      [ "$command" = report ] && arguments+=(--format json)
      : > "$scratch/times"
      : > "$scratch/memory"
      : > "$scratch/faults"
      for _ in $(seq "$repeats"); do
        # check exits 1: generated programs have denied orders on purpose.
        /usr/bin/time -f "%e %M %R" -o "$scratch/run" "$coop" "${arguments[@]}" >/dev/null 2>&1 || true
        # GNU time says first when the command failed; the figures are on the last line.
        read -r seconds kilobytes faults < <(tail -n 1 "$scratch/run")
        echo "$seconds" >> "$scratch/times"
        echo "$kilobytes" >> "$scratch/memory"
        echo "$faults" >> "$scratch/faults"
      done
      seconds=$(median < "$scratch/times")
      peak=$(median < "$scratch/memory")
      faults=$(median < "$scratch/faults")
      awk -v o="$orders" -v i="$input" -v c="$command" -v s="$seconds" -v b="$bytes" -v k="$peak" -v f="$faults" \
        'BEGIN { if (s > 0) printf "| %d | %s | %s | %.2f | %.1f | %.0f | %.0f | %.2f |\n", o, i, c, s, b / 1e6 / s, o / s, k / 1024, f / o;
                 else printf "| %d | %s | %s | < 0.01 | | | %.0f | %.2f |\n", o, i, c, k / 1024, f / o }'
    done
  done
done
