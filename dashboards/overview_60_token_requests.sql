-- title: Client token requests by host
-- page: overview
-- chart: table
-- description: What the integrations' own logs recorded: requests per host, flow and outcome, with the most common failure class and how many requests had it.
WITH period AS (
  -- One pass (window functions): a correlated subquery per group re-read the period for each
  -- of them, 90 s for a month of pods renamed at every rollout (3,353 hosts).
  SELECT * FROM v_request_daily WHERE day_ms BETWEEN coalesce(:since, 0) - 86399999 AND coalesce(:until, 9e15)
), classes AS (
  SELECT host, integration, flow, outcome, failure_class, sum(requests) AS n FROM period
  GROUP BY host, integration, flow, outcome, failure_class
), ranked AS (
  SELECT *, sum(n) OVER (PARTITION BY host, integration, flow, outcome) AS requests,
         row_number() OVER (PARTITION BY host, integration, flow, outcome ORDER BY failure_class IS NULL, n DESC, failure_class) AS rank
  FROM classes
)
SELECT coalesce(host, '?') AS host, coalesce(integration, '?') AS integration, coalesce(flow, '?') AS flow, outcome,
       requests, coalesce(failure_class || ' (' || n || ')', '') AS most_common_failure
FROM ranked WHERE rank = 1
ORDER BY 1, 3, 4;
