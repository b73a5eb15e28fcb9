"""Runs one SQL file with DuckDB over a CloudTrail tree: duckdb_task.py SQL_FILE TREE THREADS [OUT].
The SQL uses {files} for the glob of .json.gz files and {out} for an output path."""
import sys

import duckdb

sql_file, tree, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
out = sys.argv[4] if len(sys.argv) > 4 else ""
sql = open(sql_file).read().format(files=f"{tree}/**/*.json.gz", out=out)
con = duckdb.connect()
con.execute(f"SET threads = {threads}")
# DuckDB 2.x prints a progress bar on long queries, which would mix with the rows printed below.
con.execute("SET enable_progress_bar = false")
con.execute("SET preserve_insertion_order = false")
rows = con.execute(sql).fetchall()
for row in rows:
    print(*row, sep="\t")
