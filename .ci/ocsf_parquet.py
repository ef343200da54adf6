"""The OCSF export into Parquet with DuckDB, partitioned by day (docs/ocsf.md), then a query
over the Parquet: what Athena, Trino, Spark or Security Lake would read. Run by .ci/run."""
import os
import sys
import duckdb

src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)
for cls in ["authentication", "api_activity", "detection_finding", "incident_finding"]:
    duckdb.sql(f"""
        COPY (SELECT * FROM read_ndjson_auto('{src}/{cls}/*/*.ndjson', hive_partitioning = true, union_by_name = true))
        TO '{dst}/{cls}' (FORMAT parquet, PARTITION_BY (eventDay), OVERWRITE_OR_IGNORE)
    """)
print(duckdb.sql(f"""
    SELECT service.name AS app, status, count(*) AS logins
    FROM read_parquet('{dst}/authentication/*/*.parquet', hive_partitioning = true)
    GROUP BY ALL ORDER BY logins DESC LIMIT 8
"""))
print(duckdb.sql(f"SELECT severity, count(*) AS incidents FROM read_parquet('{dst}/incident_finding/*/*.parquet') GROUP BY ALL ORDER BY min(severity_id) DESC"))
