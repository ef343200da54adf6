-- title: Logins whose flow the export does not tell
-- page: quality
-- chart: table
-- description: Token-endpoint logins from exports without a subtype column (not_exported: a Login History export without LoginSubType, an older ELF Login file), subtypes TokenTrail does not know (unknown_subtype: a new Salesforce label or a UI language; the raw label is shown), and ELF Login files with neither LOGIN_TYPE nor URI (flow unknown). Integration rules still judge the token logins; flow-drift and jwt-on-client-credentials-app do not. Add the column to the export, or tell us the label.
SELECT src.path AS source_path, b.value AS flow_basis, f.value AS flow,
       coalesce((SELECT value FROM strings WHERE id = c.login_type), '') AS login_type,
       coalesce((SELECT value FROM strings WHERE id = c.subtype), '') AS subtype,
       count(*) AS logins, src.path || ':' || min(l.line) AS first_line
FROM logins l JOIN login_contexts c ON c.id = l.context JOIN sources src ON src.id = l.source_id
JOIN strings b ON b.id = c.flow_basis JOIN strings f ON f.id = c.flow
WHERE l.time BETWEEN coalesce(:since, 0) AND coalesce(:until, 9e15) AND b.value IN ('not_exported', 'unknown_subtype')
GROUP BY l.source_id, c.flow_basis, c.flow, c.login_type, c.subtype
ORDER BY logins DESC;
