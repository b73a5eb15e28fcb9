-- Records by userIdentity.type, "(none)" when absent: what `stats` reports.
SELECT coalesce(json_extract_string(r, '$.userIdentity.type'), '(none)') AS identity_type, count(*) AS records
FROM (SELECT unnest(Records) AS r FROM read_json('{files}', maximum_depth = 2))
GROUP BY ALL
ORDER BY records DESC;
