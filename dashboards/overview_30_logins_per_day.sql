-- title: Server logins per day by outcome
-- page: overview
-- chart: stacked
-- description: Login History and Event Monitoring logins per UTC day; a dip to zero is a missing export, a red bar a failure wave.
SELECT substr(time_utc, 1, 10) AS day, outcome, count(*) AS logins
FROM v_logins
WHERE time_ms BETWEEN coalesce(:since, 0) AND coalesce(:until, 9e15)
GROUP BY day, outcome
ORDER BY day, outcome;
