-- title: Records per day by source (gaps show as missing bars)
-- page: overview
-- chart: stacked
-- description: Every source per UTC day: server logins per origin (Login History, Event Monitoring, LoginEvent), client requests per host, API activity per event type and Okta events. A source missing on a day is a gap in the evidence (coverage-gap findings name them).
SELECT day, 'logins: ' || origin AS source, sum(logins) AS records
FROM v_login_daily
WHERE day_ms BETWEEN coalesce(:since, 0) - 86399999 AND coalesce(:until, 9e15)
GROUP BY day, origin
UNION ALL
SELECT day, 'requests: ' || coalesce(host, '?'), sum(requests)
FROM v_request_daily
WHERE day_ms BETWEEN coalesce(:since, 0) - 86399999 AND coalesce(:until, 9e15)
GROUP BY day, host
UNION ALL
SELECT strftime('%Y-%m-%d', (time / 86400000) * 86400, 'unixepoch'), 'API: ' || coalesce((SELECT value FROM strings WHERE id = event_type), '?'), count(*)
FROM api_activity
WHERE time BETWEEN coalesce(:since, 0) AND coalesce(:until, 9e15)
GROUP BY time / 86400000, event_type
UNION ALL
SELECT strftime('%Y-%m-%d', (time / 86400000) * 86400, 'unixepoch'), 'Okta events', count(*)
FROM idp_events
WHERE time BETWEEN coalesce(:since, 0) AND coalesce(:until, 9e15)
GROUP BY time / 86400000
ORDER BY 1, 2;
