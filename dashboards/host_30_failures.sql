-- title: Failed requests by cause
-- page: host
-- chart: table
-- description: What the token endpoint (or Okta) answered when the host's requests failed, with the first one's file:line.
SELECT coalesce(failure_class, 'other') AS cause, coalesce(error, error_code) AS error, error_description,
       count(*) AS requests, min(time_utc) AS first_utc, min(evidence) AS an_example
FROM v_token_requests
WHERE host = :host AND outcome = 'failure' AND time_ms BETWEEN coalesce(:since, 0) AND coalesce(:until, 9e15)
GROUP BY cause, error, error_description
ORDER BY requests DESC;
