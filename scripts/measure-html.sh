#!/usr/bin/env bash
# Measures the HTML report of a large program: generates it (seed 1), writes its report with the
# release binary, and times how long headless Chromium takes to show the page (three loads, each
# in a new tab: the load event and the first frame drawn after it), with the page's size.
#
#   scripts/measure-html.sh [ORDERS]      # default: 1000000
#
# Needs Chromium (`apt-get install chromium`). Writes nothing but its scratch directory (removed at
# the end). docs/performance.md records what it printed.
set -euo pipefail

orders=${1:-1000000}
here=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$here/target}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

cargo build --release --quiet --manifest-path "$here/Cargo.toml"
coop="$target/release/coop"
"$coop" generate -o "$scratch/program" --orders "$orders" 2>/dev/null
start=$(date +%s.%N)
"$coop" report "$scratch/program" --as-of 2026-12-31 --format html -o "$scratch/report.html" 2>/dev/null || true
end=$(date +%s.%N)
awk -v o="$orders" -v s="$start" -v e="$end" -v b="$(wc -c < "$scratch/report.html")" \
  'BEGIN { printf "%d orders: report written in %.1f s, %.2f MB\n", o, e - s, b / 1e6 }'
COOP_MEASURE_PAGE="$scratch/report.html" cargo test --quiet --manifest-path "$here/Cargo.toml" \
  --test browser -- --ignored --nocapture time_to_show_a_report_page 2>&1 | grep '^run '
