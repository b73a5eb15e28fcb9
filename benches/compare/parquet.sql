-- Flat CloudTrail Parquet: one column per top-level member, what `to_parquet --layout flat` writes, with
-- the same compression (zstd level 1, to_parquet's default). DuckDB writes one unsorted, unpartitioned
-- file; to_parquet also sorts by eventTime, partitions and keeps what the columns cannot hold.
COPY (
    SELECT unnest(r) FROM (SELECT unnest(Records) AS r FROM read_json('{files}'))
) TO '{out}' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1);
