#!/usr/bin/env bash
# Wall time and peak RSS of `report` against `hunt` over the same generated tree, run alternately, medians
# printed with the load average before and after (the figures the report's README section quotes).
#
#   examples/report/bench/report_vs_hunt.sh                 # ~1M records under target/compare, 3 runs each
#   examples/report/bench/report_vs_hunt.sh --tree DIR --runs 5
#
# The tree is the one benches/compare.sh makes (generate --seed 1, 3 accounts x 5 regions x 24 days).
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
target="$(realpath -m "${CARGO_TARGET_DIR:-target}")"
records=1000000
runs=3
tree=""
while [ $# -gt 0 ]; do
    case "$1" in
        --tree) tree="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --records) records="$2"; shift 2 ;;
        *) echo "usage: $0 [--tree DIR] [--runs N] [--records N]" >&2; exit 2 ;;
    esac
done
cargo build --release --quiet -p examples --example hunt --example generate
cargo build --release --quiet -p report-example --example report
bin="$target/release/examples"
if [ -z "$tree" ]; then
    tree="$target/compare/tree-$records-3x5x24"
    if [ ! -d "$tree/AWSLogs" ]; then
        echo "generating $records records into $tree" >&2
        "$bin/generate" "$tree" --records "$records" --seed 1 --accounts 3 \
            --regions us-east-1,us-west-2,eu-west-1,eu-central-1,ap-southeast-1 --days 24
    fi
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq "$runs"); do
    for tool in hunt report; do
        if [ "$tool" = hunt ]; then
            cmd=("$bin/hunt" "$tree" --format jsonl)
        else
            cmd=("$bin/report" "$tree" -o "$out/report.html")
        fi
        /usr/bin/time -f "%e %M" -o "$out/time" "${cmd[@]}" >/dev/null 2>"$out/stderr" \
            || { cat "$out/stderr" >&2; exit 1; }
        read -r wall rss <"$out/time"
        echo "$tool $wall $rss" >>"$out/runs"
        echo "run $run: $tool ${wall}s $((rss / 1024)) MiB" >&2
    done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
hunt_wall="$(awk '$1 == "hunt" {print $2}' "$out/runs" | median)"
report_wall="$(awk '$1 == "report" {print $2}' "$out/runs" | median)"
hunt_rss="$(awk '$1 == "hunt" {print $3}' "$out/runs" | median)"
report_rss="$(awk '$1 == "report" {print $3}' "$out/runs" | median)"
echo "tree: $tree ($(find "$tree" -name '*.json.gz' | wc -l) files), $runs runs each, alternating, $(nproc) cores"
echo "load average before: $load_before; after: $load_after"
echo "hunt:   median wall ${hunt_wall}s, peak RSS $((${hunt_rss%.*} / 1024)) MiB"
echo "report: median wall ${report_wall}s, peak RSS $((${report_rss%.*} / 1024)) MiB"
awk -v r="$report_wall" -v h="$hunt_wall" 'BEGIN {printf "report / hunt: %.2fx (target: at most 1.5x)\n", r / h}'
