#!/usr/bin/env bash
# Instructions per fixed-base exponentiation, constant-time against variable-time, per backend
# and group size, counted by callgrind (repeatable under load): prints a Markdown table.
# Run from the repository root: bash core/examples/fixed_base_cost.sh [N]
set -euo pipefail
n="${1:-100}"
cargo build --release -p dsmpc-core --features gmp --example fixed_base_cost >&2
bin=target/release/examples/fixed_base_cost
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
count() {
  valgrind --tool=callgrind --callgrind-out-file="$tmp/out" "$bin" "$@" >/dev/null 2>"$tmp/err"
  grep -E '^summary:|^totals:' "$tmp/out" | head -1 | awk '{print $2}'
}
echo "| backend | |p| | CT instr/exp | VT instr/exp | CT/VT |"
echo "|---|---:|---:|---:|---:|"
for backend in num gmp; do
  for bits in 1024 2048 3072 4096; do
    base=$(count "$backend" "$bits" none "$n")
    ct=$(count "$backend" "$bits" ct "$n")
    vt=$(count "$backend" "$bits" vt "$n")
    awk -v b="$backend" -v p="$bits" -v z="$base" -v c="$ct" -v v="$vt" -v n="$n" 'BEGIN {
      c1 = (c - z) / n; v1 = (v - z) / n;
      printf "| %s | %d | %.0f | %.0f | %.2fx |\n", b, p, c1, v1, c1 / v1 }'
  done
done
