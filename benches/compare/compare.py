#!/usr/bin/env python3
"""Runs the project's examples and DuckDB / jq on the same CloudTrail tree, alternately and several times
each, and prints median wall time, peak RSS and ratios. Called by benches/compare.sh, which builds the
examples and installs DuckDB and jq.

Tasks (each tool does the same work):
  count      records by userIdentity.type       stats --json | DuckDB read_json(maximum_depth=2)+unnest | jq
  hunt       the hunting notebook's seven rules  hunt --format jsonl (whole built-in pack) | DuckDB SQL
  parquet    flat CloudTrail Parquet              to_parquet --layout flat | DuckDB COPY ... (FORMAT parquet)
             (and to_parquet --layout ocsf, against the flat layout); files written and partition
             directories are counted for each

The generated tree spreads the records over 3 accounts x 5 regions x 24 days (360 delivery
partitions), the shape of a small organisation trail; --accounts, --regions, --days change it.
  inflate    the floor: only decompress the files (2 processes of zcat)
"""
import argparse
import glob
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, stdout=subprocess.DEVNULL, env=None, shell=False):
    """Runs a command; returns (wall seconds, peak RSS in MiB of the process tree's largest member)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, env=env, shell=shell)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"command failed ({status}): {cmd}\n{err[-2000:]}")
    # ru_maxrss is in KiB on Linux; for a shell pipeline it is the largest child (RUSAGE_CHILDREN of the shell).
    return wall, usage.ru_maxrss / 1024.0


def duckdb_cmd(sql_file, tree, threads, out=None):
    script = os.path.join(HERE, "duckdb_task.py")
    cmd = [sys.executable, script, sql_file, tree, str(threads)]
    if out:
        cmd.append(out)
    return cmd


def tasks(args, tree, threads):
    bins = args.bin_dir
    logs = os.path.join(tree, "AWSLogs") if os.path.isdir(os.path.join(tree, "AWSLogs")) else tree
    out_dir = os.path.join(args.work_dir, "out")
    ours_threads = ["--threads", str(threads)]
    return {
        "count": [
            ("cloudtrail stats", [os.path.join(bins, "stats"), logs, "--json", *ours_threads]),
            ("duckdb", duckdb_cmd(os.path.join(HERE, "count.sql"), tree, threads)),
            # zcat and jq in one pipeline: two processes, as many as the machine's cores here.
            ("jq", f"find {tree} -name '*.json.gz' -print0 | xargs -0 zcat | jq -r '.Records[] | (.userIdentity.type // \"(none)\")' | sort | uniq -c"),
        ],
        "hunt": [
            ("cloudtrail hunt", [os.path.join(bins, "hunt"), logs, "--format", "jsonl", *ours_threads]),
            ("duckdb", duckdb_cmd(os.path.join(HERE, "hunt.sql"), tree, threads)),
        ],
        "parquet": [
            ("cloudtrail to_parquet", [os.path.join(bins, "to_parquet"), logs, os.path.join(out_dir, "ours"), "--layout", "flat", *ours_threads]),
            ("duckdb", duckdb_cmd(os.path.join(HERE, "parquet.sql"), tree, threads, os.path.join(out_dir, "duckdb.parquet"))),
            # Not in the row check: the OCSF mapping reports what OCSF cannot hold (Insights events, ...).
            ("cloudtrail to_parquet ocsf", [os.path.join(bins, "to_parquet"), logs, os.path.join(out_dir, "ours"), "--layout", "ocsf", *ours_threads]),
        ],
        "inflate": [
            ("zcat (floor)", f"find {tree} -name '*.json.gz' -print0 | xargs -0 -P {threads} -n 64 zcat > /dev/null"),
        ],
    }


def measure(args, tree, threads):
    table = {}
    plan = tasks(args, tree, threads)
    for _ in range(args.runs):
        for task, tools in plan.items():
            if args.only and task not in args.only:
                continue
            if not any(os.path.exists(cmd[0]) for name, cmd in tools if name.startswith("cloudtrail") and isinstance(cmd, list)) and any(n.startswith("cloudtrail") for n, _ in tools):
                print(f"  {task}: skipped, the project's example for it is not built", file=sys.stderr)
                continue
            rows_written = {}
            for name, cmd in tools:
                shutil.rmtree(os.path.join(args.work_dir, "out"), ignore_errors=True)
                os.makedirs(os.path.join(args.work_dir, "out"), exist_ok=True)
                wall, rss = run(cmd, shell=isinstance(cmd, str))
                table.setdefault((task, name), []).append((wall, rss))
                print(f"  {task:8} {name:24} {wall:8.2f} s {rss:8.0f} MiB", file=sys.stderr)
                if task == "parquet":
                    out = os.path.join(args.work_dir, "out")
                    files, dirs = parquet_files(out)
                    table.setdefault(("parquet files", name), []).append((files, dirs))
                    print(f"  {'':8} {'':24} {files} files in {dirs} partition directories ({files / max(dirs, 1):.2f} per directory)", file=sys.stderr)
                    if "ocsf" not in name:
                        rows_written[name] = parquet_rows(out)
            # Same work on both sides: every record in the Parquet output, zstd everywhere.
            if len(set(rows_written.values())) > 1:
                raise SystemExit(f"parquet: the tools wrote different outputs: {rows_written}")
    return table


def parquet_files(out_dir):
    """(Parquet files, directories holding them) under out_dir."""
    files = glob.glob(os.path.join(out_dir, "**", "*.parquet"), recursive=True)
    return len(files), len({os.path.dirname(f) for f in files})


def parquet_rows(out_dir):
    """(rows, codecs) of every Parquet file under out_dir, read with DuckDB in a child process: importing
    DuckDB here would grow this process, and Linux counts a forked child's peak RSS from its parent's."""
    pattern = os.path.join(out_dir, "**", "*.parquet")
    script = (
        "import duckdb, sys\n"
        "con = duckdb.connect()\n"
        "con.execute('SET enable_progress_bar = false')\n"
        "rows = con.execute(\"SELECT sum(num_rows) FROM parquet_file_metadata(?)\", [sys.argv[1]]).fetchone()[0]\n"
        "codecs = con.execute(\"SELECT list(DISTINCT compression) FROM parquet_metadata(?)\", [sys.argv[1]]).fetchone()[0]\n"
        "print(int(rows or 0), *sorted(codecs or []))\n"
    )
    out = subprocess.run([sys.executable, "-c", script, pattern], capture_output=True, text=True, check=True).stdout.split()
    return (int(out[0]), tuple(out[1:]))


def report(table, label):
    print(f"\n{label}")
    print(f"| task | tool | median wall (s) | peak RSS (MiB) | vs ours (time) | vs ours (RSS) |")
    print(f"|---|---|---:|---:|---:|---:|")
    by_task = {}
    files = {name: samples[-1] for (task, name), samples in table.items() if task == "parquet files"}
    for (task, name), samples in table.items():
        if task == "parquet files":
            continue
        by_task.setdefault(task, []).append((name, statistics.median(s[0] for s in samples), max(s[1] for s in samples)))
    for task, rows in by_task.items():
        ours = next((r for r in rows if r[0].startswith("cloudtrail")), None)
        for name, wall, rss in rows:
            if ours and not name.startswith("cloudtrail"):
                ratio_t = f"{wall / ours[1]:.1f}x slower" if wall >= ours[1] else f"{ours[1] / wall:.1f}x faster"
                ratio_m = f"{rss / ours[2]:.1f}x" if ours[2] > 0 else "-"
            else:
                ratio_t, ratio_m = "-", "-"
            print(f"| {task} | {name} | {wall:.2f} | {rss:.0f} | {ratio_t} | {ratio_m} |")
    for name, (count, dirs) in files.items():
        print(f"| parquet files | {name} | {count} files in {dirs} directories | {count / max(dirs, 1):.2f} per directory | | |")
    parquet = {name: wall for name, wall, _ in by_task.get("parquet", [])}
    if "cloudtrail to_parquet" in parquet and "cloudtrail to_parquet ocsf" in parquet:
        print(f"\nOCSF layout / flat layout time: {parquet['cloudtrail to_parquet ocsf'] / parquet['cloudtrail to_parquet']:.2f}x")


def ensure_tree(args, records):
    if args.tree:
        return args.tree
    tree = os.path.join(args.work_dir, f"tree-{records}-{args.accounts}x{len(args.regions.split(','))}x{args.days}")
    if not os.path.isdir(os.path.join(tree, "AWSLogs")):
        print(f"generating {records} records into {tree}", file=sys.stderr)
        subprocess.run([os.path.join(args.bin_dir, "generate"), tree, "--records", str(records), "--seed", "1",
                        "--accounts", str(args.accounts), "--regions", args.regions, "--days", str(args.days)], check=True)
    return tree


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin-dir", required=True, help="folder of the release examples")
    parser.add_argument("--work-dir", required=True, help="where trees and outputs go")
    parser.add_argument("--tree", help="reuse this tree instead of generating one")
    parser.add_argument("--records", type=int, default=1_000_000, help="records to generate (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each tool, alternating (default 3)")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="threads for every tool (default: all cores)")
    parser.add_argument("--only", nargs="*", help="tasks to run: count hunt parquet inflate")
    parser.add_argument("--accounts", type=int, default=3, help="accounts of the generated tree (default 3)")
    parser.add_argument("--regions", default="us-east-1,us-west-2,eu-west-1,eu-central-1,ap-southeast-1", help="regions of the generated tree, comma separated (default 5)")
    parser.add_argument("--days", type=int, default=24, help="delivery days of the generated tree (default 24)")
    parser.add_argument("--scaling", action="store_true", help="also run at 1 thread and at a quarter of the records")
    args = parser.parse_args()
    os.makedirs(args.work_dir, exist_ok=True)

    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
    print(f"machine: {os.cpu_count()} cores ({cpu}), {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB")
    tree = ensure_tree(args, args.records)
    files = glob.glob(os.path.join(tree, "**", "*.json.gz"), recursive=True)
    size = sum(os.path.getsize(f) for f in files)
    partitions = len({os.path.dirname(f) for f in files})
    print(f"tree: {tree}: {len(files)} files in {partitions} delivery partitions, {size / 2**20:.0f} MiB gzip")
    load = os.getloadavg()
    print(f"load average before: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    report(measure(args, tree, args.threads), f"{args.threads} threads, {args.records} records, median of {args.runs} runs")
    load = os.getloadavg()
    print(f"load average after: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    if args.scaling:
        report(measure(args, tree, 1), f"1 thread, {args.records} records, median of {args.runs} runs")
        if not args.tree:
            small = ensure_tree(args, args.records // 4)
            report(measure(args, small, args.threads), f"{args.threads} threads, {args.records // 4} records, median of {args.runs} runs")


if __name__ == "__main__":
    main()
