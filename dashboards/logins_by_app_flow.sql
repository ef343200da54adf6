-- title: Logins by app × flow × outcome
-- chart: table
-- description: Every server-side login grouped by connected app, flow (with how sure the flow is) and outcome.
SELECT origin, coalesce(app, '(no app recorded)') AS app, flow, flow_basis, outcome,
       count(*) AS logins, min(time_utc) AS first_utc, max(time_utc) AS last_utc
FROM v_logins
GROUP BY origin, app, flow, flow_basis, outcome
ORDER BY origin, app, flow, outcome;
