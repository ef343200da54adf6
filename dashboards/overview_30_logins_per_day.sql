-- title: Server logins per day by outcome
-- page: overview
-- chart: stacked
-- description: Login History and Event Monitoring logins per UTC day; a dip to zero is a missing export, a red bar a failure wave.
SELECT day, outcome, sum(logins) AS logins
FROM v_login_daily
WHERE day_ms BETWEEN coalesce(:since, 0) - 86399999 AND coalesce(:until, 9e15)
GROUP BY day, outcome
ORDER BY day, outcome;
