-- title: Token requests per day by outcome
-- page: host
-- chart: stacked
-- description: The host's token requests per UTC day, as its own log recorded them.
SELECT day, outcome, sum(requests) AS requests
FROM v_request_daily
WHERE host = :host AND day_ms BETWEEN coalesce(:since, 0) - 86399999 AND coalesce(:until, 9e15)
GROUP BY day, outcome
ORDER BY day, outcome;
