-- title: Token requests per day by outcome
-- page: host
-- chart: stacked
-- description: The host's token requests per UTC day, as its own log recorded them.
SELECT substr(time_utc, 1, 10) AS day, outcome, count(*) AS requests
FROM v_token_requests
WHERE host = :host AND time_ms BETWEEN coalesce(:since, 0) AND coalesce(:until, 9e15)
GROUP BY day, outcome
ORDER BY day, outcome;
