#!/usr/bin/env bash
# Side-by-side comparison of the project's examples against DuckDB and jq on the same CloudTrail tree, on
# this machine, in one run. Prints a table of median wall time, peak RSS and the ratio for each task.
#
#   benches/compare.sh                          # generate ~1M records under target/compare/tree-1000000, run
#   benches/compare.sh --tree DIR               # reuse an existing tree
#   benches/compare.sh --records 250000 --runs 5 --scaling
#
# Installs DuckDB (PyPI) and jq (Debian) when they are missing. See benches/compare/compare.py --help.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if ! python3 -c 'import duckdb' 2>/dev/null; then
    echo "installing duckdb from PyPI" >&2
    python3 -m pip install --quiet --disable-pip-version-check duckdb
fi
if ! command -v jq >/dev/null 2>&1; then
    echo "installing jq from Debian" >&2
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq jq >/dev/null;
    else sudo apt-get update -qq && sudo apt-get install -y -qq jq >/dev/null; fi
fi

echo "building the examples (release)" >&2
examples=()
for name in generate stats hunt to_parquet; do
    [ -f "examples/$name.rs" ] && examples+=(--example "$name")
done
cargo build --release --quiet "${examples[@]}"

target="${CARGO_TARGET_DIR:-$root/target}"
exec python3 "$root/benches/compare/compare.py" --bin-dir "$target/release/examples" --work-dir "$target/compare" "$@"
