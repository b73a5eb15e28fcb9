-- Flat CloudTrail Parquet: one column per top-level member, what `to_parquet --layout flat` writes.
COPY (
    SELECT unnest(r) FROM (SELECT unnest(Records) AS r FROM read_json('{files}'))
) TO '{out}' (FORMAT parquet, COMPRESSION zstd);
