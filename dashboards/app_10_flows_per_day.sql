-- title: Logins per day by flow
-- page: app
-- chart: stacked
-- description: The app's server logins per UTC day and flow; a new colour is a flow the app did not use before.
SELECT substr(time_utc, 1, 10) AS day, flow, count(*) AS logins
FROM v_logins
WHERE app = :app AND time_ms BETWEEN coalesce(:since, 0) AND coalesce(:until, 9e15)
GROUP BY day, flow
ORDER BY day, flow;
