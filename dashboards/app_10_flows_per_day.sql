-- title: Logins per day by flow
-- page: app
-- chart: stacked
-- description: The app's server logins per UTC day and flow; a new colour is a flow the app did not use before.
SELECT day, flow, sum(logins) AS logins
FROM v_login_daily
WHERE app = :app AND day_ms BETWEEN coalesce(:since, 0) - 86399999 AND coalesce(:until, 9e15)
GROUP BY day, flow
ORDER BY day, flow;
