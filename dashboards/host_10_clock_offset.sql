-- title: Clock offset per hour (seconds; positive: the host is behind)
-- page: host
-- chart: line
-- description: The host's clock against Salesforce's, by the response Date header and by paired server logins; iat_lag is request time minus the assertion's iat. A step is a clock that drifted.
SELECT hour_utc, estimator, round(median_ms / 1000.0, 1) AS seconds
FROM v_clock_offsets
WHERE host = :host AND hour_ms BETWEEN coalesce(:since, 0) - 3599999 AND coalesce(:until, 9e15)
ORDER BY hour_utc, estimator;
