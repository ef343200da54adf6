-- title: Client token requests by host
-- page: overview
-- chart: table
-- description: What the integrations' own logs recorded: requests per host, flow and outcome, with the most common failure.
SELECT coalesce(host, '?') AS host, coalesce(integration, '?') AS integration, coalesce(flow, '?') AS flow, outcome,
       sum(requests) AS requests, max(failure_class) AS a_failure_class
FROM v_request_daily
WHERE day_ms BETWEEN coalesce(:since, 0) - 86399999 AND coalesce(:until, 9e15)
GROUP BY host, integration, flow, outcome
ORDER BY host, flow, outcome;
