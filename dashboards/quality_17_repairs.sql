-- title: Rows kept with repaired values
-- page: quality
-- chart: table
-- description: Rows stored with a value that differs from the file: bytes that are not UTF-8 (stored as U+FFFD), a value over 8 KiB (stored cut, with a marker), an optional value that could not be read or a masked address (dropped, e.g. an unparseable server_date, xxx.xxx.xxx.xxx), a credential stored as its fingerprint (redacted), or an event whose id was already stored with other content (conflict: an edited or corrupted export; the first is kept, this file:line is the other). The rows are analyzed like any other; a hostile byte cannot hide a login. Each line is a file:line and the field.
SELECT evidence, field, kind
FROM v_repairs
WHERE source_last_ms >= coalesce(:since, 0) AND source_first_ms <= coalesce(:until, 9e15)
ORDER BY source_path, line
LIMIT 200;
