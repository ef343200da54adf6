-- title: Findings by severity
-- page: overview
-- chart: bars
-- description: Findings active in the period (first or last seen inside it), most severe first; the findings page has each one with its evidence.
SELECT severity, count(*) AS findings
FROM findings
WHERE last_seen >= coalesce(:since, 0) AND first_seen <= coalesce(:until, 9e15)
GROUP BY severity
ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END;
