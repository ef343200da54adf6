-- title: Records per day by source (gaps show as missing bars)
-- page: overview
-- chart: stacked
-- description: Server logins per origin (Login History, Event Monitoring) and client requests per host, per UTC day: a source missing on a day is a gap in the evidence (coverage-gap findings name them).
SELECT day, 'logins: ' || origin AS source, sum(logins) AS records
FROM v_login_daily
WHERE day_ms BETWEEN coalesce(:since, 0) - 86399999 AND coalesce(:until, 9e15)
GROUP BY day, origin
UNION ALL
SELECT day, 'requests: ' || coalesce(host, '?'), sum(requests)
FROM v_request_daily
WHERE day_ms BETWEEN coalesce(:since, 0) - 86399999 AND coalesce(:until, 9e15)
GROUP BY day, host
ORDER BY 1, 2;
