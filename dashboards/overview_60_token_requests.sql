-- title: Client token requests by host
-- page: overview
-- chart: table
-- description: What the integrations' own logs recorded: requests per host, flow and outcome, with the most common failure class and how many requests had it.
WITH period AS (
  SELECT * FROM v_request_daily WHERE day_ms BETWEEN coalesce(:since, 0) - 86399999 AND coalesce(:until, 9e15)
), failures AS (
  SELECT host, integration, flow, outcome, failure_class, sum(requests) AS n FROM period
  WHERE failure_class IS NOT NULL GROUP BY host, integration, flow, outcome, failure_class
)
SELECT coalesce(t.host, '?') AS host, coalesce(t.integration, '?') AS integration, coalesce(t.flow, '?') AS flow, t.outcome,
       sum(t.requests) AS requests,
       coalesce((SELECT f.failure_class || ' (' || f.n || ')' FROM failures f
                 WHERE f.host IS t.host AND f.integration IS t.integration AND f.flow IS t.flow AND f.outcome IS t.outcome
                 ORDER BY f.n DESC, f.failure_class LIMIT 1), '') AS most_common_failure
FROM period t
GROUP BY t.host, t.integration, t.flow, t.outcome
ORDER BY 1, 3, 4;
