-- The hunting notebook's seven rules (DESIGN.md) as SQL, grouped per rule and entity (userIdentity.arn,
-- else 'source_ip:' || sourceIPAddress) with first/last seen and the event count: what `hunt` reports.
WITH records AS (
    SELECT unnest(Records) AS r FROM read_json('{files}', maximum_depth = 2)
), e AS (
    SELECT
        json_extract_string(r, '$.eventName') AS event_name,
        json_extract_string(r, '$.eventSource') AS event_source,
        lower(json_extract_string(r, '$.userAgent')) AS user_agent,
        json_extract_string(r, '$.userIdentity.type') AS identity_type,
        json_extract_string(r, '$.errorCode') AS error_code,
        lower(CAST(json_extract(r, '$.responseElements') AS VARCHAR)) AS response_elements,
        coalesce(nullif(json_extract_string(r, '$.userIdentity.arn'), ''),
                 'source_ip:' || json_extract_string(r, '$.sourceIPAddress')) AS entity,
        json_extract_string(r, '$.eventTime') AS event_time
    FROM records
), matches AS (
    SELECT 'suspicious_user_agent' AS rule, entity, event_time FROM e
        WHERE user_agent SIMILAR TO '.*(blackbox|blackarch|kali|parrot|pentoo|powershell).*'
    UNION ALL SELECT 'root_console_login', entity, event_time FROM e
        WHERE event_name = 'ConsoleLogin' AND identity_type = 'Root'
    UNION ALL SELECT 'console_signin_failure', entity, event_time FROM e
        WHERE event_source = 'signin.amazonaws.com' AND event_name = 'ConsoleLogin' AND response_elements LIKE '%fail%'
    UNION ALL SELECT 'secretsmanager_get_secret_value', entity, event_time FROM e
        WHERE event_name = 'GetSecretValue'
    UNION ALL SELECT 'assume_role_brute_force', entity, event_time FROM e
        WHERE event_source = 'sts.amazonaws.com'
          AND event_name IN ('AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity')
          AND error_code LIKE '%Denied%'
    UNION ALL SELECT 'cloudtrail_tampering', entity, event_time FROM e
        WHERE event_name IN ('DeleteTrail', 'StopLogging', 'UpdateTrail')
    UNION ALL SELECT 'guardduty_tampering', entity, event_time FROM e
        WHERE event_name IN ('DeleteDetector', 'DeleteMembers', 'DeletePublishingDestination', 'DisassociateMembers',
                             'DisassociateFromMasterAccount', 'RemoveTargets', 'StopMonitoringMembers')
)
SELECT rule, entity, min(event_time) AS first_seen, max(event_time) AS last_seen, count(*) AS events
FROM matches
GROUP BY rule, entity
ORDER BY rule, entity;
