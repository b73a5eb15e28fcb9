#!/usr/bin/env python3
"""Builds the fuzz campaign's seed corpora from the project's own fixtures.

    python3 fuzz/seeds.py OUT_DIR

writes OUT_DIR/<seed set>/ for the targets (see fuzz/README.md for which target takes which set):

- records: single corpus records (< 1.5 KB) and every rule-pack fixture event, one per file;
- jsonl:   the records, plus JSON Lines files of three records each;
- reader:  single records, JSON Lines, {"Records":[...]} envelopes, each also gzip-compressed (one member
           and two members), and the bundled sample's smaller real-shape .json.gz deliveries;
- sigma:   the SigmaHQ CloudTrail rules shipped as test data.

Deterministic (a fixed seed), so that a campaign can be repeated.
"""
import glob
import gzip
import json
import os
import random
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def corpus_records():
    records = []
    for path in sorted(glob.glob(f"{ROOT}/cloudtrail-model/tests/data/corpus/*.jsonl")):
        for line in open(path, encoding="utf-8"):
            line = line.strip()
            if not line:
                continue
            value = json.loads(line)
            if os.path.basename(path) == "panther_expectations.jsonl":
                value = value.get("event", value)
            records.append(value)
    return records


def pack_events():
    events = []
    for path in sorted(glob.glob(f"{ROOT}/cloudtrail-detect/tests/data/pack/*.jsonl")):
        for line in open(path, encoding="utf-8"):
            if line.strip():
                events.append(json.loads(line)["event"])
    return events


def write(directory, name, data):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as out:
        out.write(data)


def main(out):
    rng = random.Random(7)
    compact = lambda value: json.dumps(value, separators=(",", ":")).encode()
    small = [r for r in corpus_records() if len(json.dumps(r)) < 1500]
    singles = rng.sample(small, min(120, len(small)))
    for i, event in enumerate(pack_events()):
        for seeds in ("records", "jsonl"):
            write(f"{out}/{seeds}", f"pack-{i}.json", compact(event))
    for i, record in enumerate(singles):
        for seeds in ("records", "jsonl", "reader"):
            write(f"{out}/{seeds}", f"record-{i}.json", compact(record))
    for i in range(40):
        three = rng.sample(small, 3)
        lines = b"\n".join(compact(r) for r in three) + b"\n"
        envelope = compact({"Records": three})
        write(f"{out}/jsonl", f"lines-{i}.jsonl", lines)
        write(f"{out}/reader", f"lines-{i}.jsonl", lines)
        write(f"{out}/reader", f"envelope-{i}.json", envelope)
        if i < 20:
            half = len(envelope) // 2
            write(f"{out}/reader", f"envelope-{i}.json.gz", gzip.compress(envelope, 6, mtime=0))
            write(f"{out}/reader", f"lines-{i}.jsonl.gz", gzip.compress(lines, 6, mtime=0))
            write(f"{out}/reader", f"members-{i}.json.gz",
                  gzip.compress(envelope[:half], 6, mtime=0) + gzip.compress(envelope[half:], 6, mtime=0))
    for path in sorted(glob.glob(f"{ROOT}/examples/data/AWSLogs/**/*.json.gz", recursive=True)):
        if os.path.getsize(path) < 8000:
            shutil.copy(path, f"{out}/reader/")
    rules = sorted(glob.glob(f"{ROOT}/cloudtrail-detect/tests/data/sigma/**/*.yml", recursive=True))
    for i, path in enumerate(rules):
        write(f"{out}/sigma", f"{i}-{os.path.basename(path)}", open(path, "rb").read())
    for seeds in ("records", "jsonl", "reader", "sigma"):
        print(f"{seeds}: {len(os.listdir(f'{out}/{seeds}'))} files")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
