#!/usr/bin/env bash
# Checks that Coop is linear in every dimension a hostile or careless model can grow: for each
# case, a model of size n and one of size 10n are generated, the release binary is timed on both
# (best of a few runs), and the ratio of the times is printed. A ratio above 11 fails the script.
#
#   scripts/scaling.sh            # every case
#   scripts/scaling.sh uses deep  # some cases: placeholders uses one-line deep periods token
#
# Needs python3 (to write the models). Writes nothing but its scratch directory (removed at the
# end). The sizes are chosen so the larger run takes a second or so on a 2-core machine.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$here/target}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
coop="$target/release/coop"
repeats=${REPEATS:-3}
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(placeholders uses one-line deep periods token)

# Writes the model of case $1 at size $2 into directory $3; prints the path to give coop.
generate() {
  python3 - "$1" "$2" "$3" <<'PYTHON'
import os, sys
case, size, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(out, exist_ok=True)
head = '''agency lead "Lead" { kind city jurisdiction US-WA }
agency buyer "Buyer" { kind city jurisdiction US-WA }
solicitation itb "Trucks" { lead lead method competitive_bid cooperative_use stated item truck "Truck" per truck }
contract c "Trucks" {
  awards itb
  supplier "Supplier"
  term 2024-01-01 to 2026-12-31
  price truck USD 100.00 per truck
}
'''
def order(i, price="100.00"):
    return f'order o{i} {{ buyer lead contract c date 2025-01-01 line truck 1 truck at USD {price} }}'
if case == "placeholders":
    # `size` lines of comment, then size/200 agency rules with five placeholders each at the
    # end of the file: the placeholders and the offset they stand at grow together, and what
    # else the file holds costs little.
    text = head + ("// " + "x" * 80 + "\n") * size
    for r in range(max(size // 200, 1)):
        text += (f'rule r{r} "r" {{ cite "c" for agency a require a.kind == city '
                 f'else warn "{{a.name}} {{a.title}} {{a.kind}} {{a.jurisdiction}} {{a.name}}" }}\n')
    open(f"{out}/m.coop", "w").write(text)
    print(f"{out}/m.coop")
elif case == "uses":
    # A main file that uses `size` files, each declaring one agency.
    os.makedirs(f"{out}/parts", exist_ok=True)
    main = head + "".join(f'use "parts/p{i}.coop"\n' for i in range(size))
    for i in range(size):
        open(f"{out}/parts/p{i}.coop", "w").write(f'agency a{i} "A{i}" {{ kind city jurisdiction US-WA }}\n')
    open(f"{out}/m.coop", "w").write(main)
    print(f"{out}/m.coop")
elif case == "one-line":
    # `size` orders priced above the contract, all on one line: one finding each.
    text = head + " ".join(order(i, "150.00") for i in range(size)) + "\n"
    open(f"{out}/m.coop", "w").write(text)
    print(f"{out}/m.coop")
elif case == "deep":
    # `size` directories, one inside the other, a file in each.
    path = out
    open(f"{path}/m.coop", "w").write(head)
    for i in range(size):
        path = os.path.join(path, "d")
        os.makedirs(path, exist_ok=True)
        open(f"{path}/a.coop", "w").write(f'agency a{i} "A{i}" {{ kind city jurisdiction US-WA }}\n')
    print(out)
elif case == "periods":
    # `size` contracts whose terms run from year 0 to 9999, under a monthly usage-report rule.
    text = head + 'rule monthly "r" { cite "c" for contract k oblige k.supplier report usage every month within 30 days to k.lead }\n'
    for i in range(size):
        text += (f'contract k{i} "K" {{ awards itb supplier "S" term 0000-01-01 to 9999-12-31 '
                 f'price truck USD 100.00 per truck }}\n')
    open(f"{out}/m.coop", "w").write(text)
    print(f"{out}/m.coop")
elif case == "token":
    # One bad token of `size` bytes.
    open(f"{out}/m.coop", "w").write(head + "x" * size + "\n")
    print(f"{out}/m.coop")
PYTHON
}

# The command each case times.
command_for() {
  case "$1" in
    periods) echo report --format json --as-of 2026-12-31 ;;
    *) echo check --as-of 2026-12-31 ;;
  esac
}

sizes_for() {
  case "$1" in
    placeholders) echo 20000 200000 ;;
    uses) echo 200 2000 ;;
    one-line) echo 4000 40000 ;;
    deep) echo 60 600 ;;
    periods) echo 4 40 ;;
    token) echo 1000000 10000000 ;;
  esac
}

# Best wall time of $repeats runs, in seconds, and the bytes written on the last run.
best_time() {
  local best=""
  for _ in $(seq "$repeats"); do
    local start end
    start=$(date +%s.%N)
    "$coop" "$@" > "$scratch/out" 2> "$scratch/err" || true
    end=$(date +%s.%N)
    best=$(echo "$start $end ${best:-1e9}" | awk '{ t = $2 - $1; print (t < $3 ? t : $3) }')
  done
  local bytes
  bytes=$(cat "$scratch/out" "$scratch/err" | wc -c)
  echo "$best $bytes"
}

failed=0
echo "| case | n | 10n | seconds at n | seconds at 10n | ratio | output bytes at n / 10n |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for case in "${cases[@]}"; do
  read -r small large <<< "$(sizes_for "$case")"
  small_path=$(generate "$case" "$small" "$scratch/$case-small")
  large_path=$(generate "$case" "$large" "$scratch/$case-large")
  read -r -a command <<< "$(command_for "$case")"
  read -r small_seconds small_bytes <<< "$(best_time "${command[0]}" "$small_path" "${command[@]:1}")"
  read -r large_seconds large_bytes <<< "$(best_time "${command[0]}" "$large_path" "${command[@]:1}")"
  # Times under 20 ms are mostly the process starting; the ratio is taken from 20 ms up.
  ratio=$(echo "$small_seconds $large_seconds" | awk '{ s = ($1 < 0.02 ? 0.02 : $1); printf "%.1f", $2 / s }')
  printf '| %s | %s | %s | %.3f | %.3f | %s | %s / %s |\n' \
    "$case" "$small" "$large" "$small_seconds" "$large_seconds" "$ratio" "$small_bytes" "$large_bytes"
  if awk -v ratio="$ratio" 'BEGIN { exit !(ratio > 11) }'; then
    echo "superlinear: $case takes ${ratio}x the time for 10x the input" >&2
    failed=1
  fi
  rm -rf "$scratch/$case-small" "$scratch/$case-large"
done
exit "$failed"
