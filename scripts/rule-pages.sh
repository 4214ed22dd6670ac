#!/bin/sh
# Writes docs/rules/PACK.md for every shipped pack, from the pack itself: the pages are generated,
# never edited by hand (tests/packs.rs fails when a page differs from its pack). Run it after
# changing a pack in rules/.
set -eu
cd "$(dirname "$0")/.."
cargo build --quiet
for pack in rules/*.coop; do
  name=$(basename "$pack" .coop)
  ./target/debug/coop rules "$name" --format markdown -o "docs/rules/$name.md"
done
