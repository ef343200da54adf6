-- title: Failed requests by cause
-- page: host
-- chart: table
-- description: What the token endpoint (or Okta) answered when the host's requests failed; tokentrail timeline --host lists each one with its file:line.
SELECT coalesce(failure_class, 'other') AS cause, coalesce(error, error_code) AS error, error_description, sum(requests) AS requests,
       min(first_utc) AS first_utc, max(last_utc) AS last_utc
FROM v_request_daily
WHERE host = :host AND outcome = 'failure' AND day_ms BETWEEN coalesce(:since, 0) - 86399999 AND coalesce(:until, 9e15)
GROUP BY cause, error, error_description
ORDER BY requests DESC;
