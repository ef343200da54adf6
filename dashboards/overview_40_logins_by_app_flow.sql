-- title: Logins by app × flow × outcome
-- page: overview
-- chart: table
-- description: Every server-side login grouped by connected app, flow (with how sure the flow is: subtype, login_type, client_log, policy, inferred) and outcome.
SELECT coalesce(app, '(no app recorded)') AS app, flow, flow_basis, outcome, sum(logins) AS logins,
       min(first_utc) AS first_utc, max(last_utc) AS last_utc
FROM v_login_daily
WHERE day_ms BETWEEN coalesce(:since, 0) - 86399999 AND coalesce(:until, 9e15)
GROUP BY app, flow, flow_basis, outcome
ORDER BY app, flow, outcome;
