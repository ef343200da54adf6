/// The database layout. Fact tables are narrow: integer UTC milliseconds and symbols into
/// `strings`; the `v_*` views resolve them into readable columns (documented in README).
public enum Schema {
    public static let version = 12

    static let tables = """
    CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS strings(id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE);
    CREATE TABLE IF NOT EXISTS runs(
        id INTEGER PRIMARY KEY, started_at INTEGER NOT NULL, finished_at INTEGER,
        tool_version TEXT NOT NULL, arguments TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS sources(
        id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),
        path TEXT NOT NULL, sha256 TEXT NOT NULL, bytes INTEGER NOT NULL, format TEXT NOT NULL,
        timezone TEXT, rows_read INTEGER NOT NULL, rows_stored INTEGER NOT NULL,
        duplicates INTEGER NOT NULL, rejects INTEGER NOT NULL,
        first_time INTEGER, last_time INTEGER, ingested_at INTEGER NOT NULL, repaired INTEGER NOT NULL DEFAULT 0,
        positions TEXT NOT NULL DEFAULT 'line');
    CREATE INDEX IF NOT EXISTS sources_sha ON sources(sha256);
    CREATE TABLE IF NOT EXISTS rejects(
        source_id INTEGER NOT NULL REFERENCES sources(id), line INTEGER NOT NULL,
        reason TEXT NOT NULL, excerpt TEXT NOT NULL, token_login INTEGER NOT NULL DEFAULT 0, time INTEGER,
        PRIMARY KEY(source_id, line)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS repairs(
        source_id INTEGER NOT NULL REFERENCES sources(id), line INTEGER NOT NULL, field TEXT NOT NULL,
        kind TEXT NOT NULL, PRIMARY KEY(source_id, line, field)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS login_contexts(
        id INTEGER PRIMARY KEY, origin INTEGER NOT NULL, precision_ms INTEGER NOT NULL,
        login_type INTEGER, subtype INTEGER, flow INTEGER NOT NULL, flow_basis INTEGER NOT NULL,
        status INTEGER, outcome INTEGER NOT NULL, failure_class INTEGER, login_url INTEGER,
        country INTEGER, tls INTEGER, cipher INTEGER, browser INTEGER, platform INTEGER,
        api_type INTEGER, api_version INTEGER, client_version INTEGER, auth_method INTEGER, uri INTEGER,
        UNIQUE(origin, precision_ms, login_type, subtype, flow, flow_basis, status, outcome, failure_class,
               login_url, country, tls, cipher, browser, platform, api_type, api_version, client_version,
               auth_method, uri));
    CREATE TABLE IF NOT EXISTS logins(
        time INTEGER NOT NULL, key INTEGER NOT NULL, source_id INTEGER NOT NULL, line INTEGER NOT NULL,
        context INTEGER NOT NULL, org INTEGER, user_id INTEGER, username INTEGER, app INTEGER,
        source_ip INTEGER, history_id TEXT, login_key TEXT, request_id TEXT, app_via INTEGER,
        PRIMARY KEY(time, key)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS findings(
        fingerprint TEXT PRIMARY KEY, rule TEXT NOT NULL, severity TEXT NOT NULL,
        first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, app TEXT, user TEXT, host TEXT,
        source_ip TEXT, message TEXT NOT NULL, count INTEGER NOT NULL, evidence TEXT NOT NULL,
        first_run INTEGER, last_run INTEGER, users TEXT NOT NULL DEFAULT '[]', user_count INTEGER NOT NULL DEFAULT 0,
        grain INTEGER NOT NULL DEFAULT 0, cause TEXT, recurrence_of TEXT);
    -- v10: what each week's evaluation found of a cause; `findings` are episodes built from them (FindingsTable).
    CREATE TABLE IF NOT EXISTS finding_parts(
        cause TEXT NOT NULL, week INTEGER NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL,
        first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, app TEXT, user TEXT, host TEXT, source_ip TEXT,
        message TEXT NOT NULL, count INTEGER NOT NULL, evidence TEXT NOT NULL, users TEXT NOT NULL, user_count INTEGER NOT NULL,
        PRIMARY KEY(cause, week)) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS finding_parts_week ON finding_parts(week);
    -- v11: a login's second export (an ELF Login row whose Login History twin holds the login; LoginTwins).
    CREATE TABLE IF NOT EXISTS login_twins(
        time INTEGER NOT NULL, key INTEGER NOT NULL, source_id INTEGER NOT NULL, line INTEGER NOT NULL,
        canonical_time INTEGER NOT NULL, canonical_key INTEGER NOT NULL, PRIMARY KEY(time, key)) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS login_twins_canonical ON login_twins(canonical_time, canonical_key);
    CREATE TABLE IF NOT EXISTS analysed_weeks(week INTEGER PRIMARY KEY, analysed_at INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS matches(
        login_time INTEGER NOT NULL, login_key INTEGER NOT NULL, request_time INTEGER NOT NULL,
        request_key INTEGER NOT NULL, offset_ms INTEGER NOT NULL,
        PRIMARY KEY(login_time, login_key)) WITHOUT ROWID;
    -- v4: no index on the request side (it cost a third of correlation's writes); a
    -- request's pair is found in login_time ± the match window.
    DROP INDEX IF EXISTS matches_request;
    \(dailyTables(temporary: false))
    CREATE TABLE IF NOT EXISTS user_directory(user_id TEXT PRIMARY KEY, username TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS alerts(
        fingerprint TEXT PRIMARY KEY, posted_at INTEGER NOT NULL, run_id INTEGER, destination TEXT NOT NULL,
        last_seen INTEGER, severity TEXT) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS clock_offsets(
        host TEXT NOT NULL, hour INTEGER NOT NULL, estimator TEXT NOT NULL, median_ms INTEGER NOT NULL,
        samples INTEGER NOT NULL, spread_ms INTEGER NOT NULL, PRIMARY KEY(host, hour, estimator)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS token_requests(
        time INTEGER NOT NULL, key INTEGER NOT NULL, precision_ms INTEGER NOT NULL,
        source_id INTEGER NOT NULL, line INTEGER NOT NULL,
        host INTEGER, integration INTEGER, provider INTEGER, token_url INTEGER, grant_type INTEGER,
        flow INTEGER, client_id INTEGER, iss INTEGER, sub INTEGER, aud INTEGER,
        iat INTEGER, nbf INTEGER, exp INTEGER, jti TEXT, http_status INTEGER,
        outcome INTEGER NOT NULL, failure_class INTEGER, error INTEGER, error_description INTEGER,
        error_code INTEGER, error_summary INTEGER, error_id TEXT, auth_scheme INTEGER,
        server_date INTEGER, issued_at INTEGER, instance_url INTEGER, org_id INTEGER, user_id INTEGER,
        token_fingerprint TEXT, assertion_fingerprint TEXT, secret_fingerprint TEXT,
        duration_ms INTEGER, source_ip INTEGER, extra TEXT,
        PRIMARY KEY(time, key)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS api_activity(
        time INTEGER NOT NULL, key INTEGER NOT NULL, precision_ms INTEGER NOT NULL,
        source_id INTEGER NOT NULL, line INTEGER NOT NULL, event_type INTEGER NOT NULL,
        org INTEGER, user_id INTEGER, username INTEGER, app INTEGER, app_id INTEGER,
        method INTEGER, resource INTEGER, entity INTEGER, status INTEGER, rows INTEGER,
        client_ip INTEGER, delegated_user INTEGER, delegated_user_id INTEGER, session_type INTEGER,
        login_key TEXT, session_key TEXT, request_id TEXT,
        user_agent INTEGER, client_name INTEGER, api_family INTEGER, query_fingerprint TEXT,
        job_id TEXT, batch_id TEXT, job_state INTEGER, operation INTEGER, records_failed INTEGER,
        PRIMARY KEY(time, key)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS incidents(
        id TEXT PRIMARY KEY, severity TEXT NOT NULL, title TEXT NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
        apps TEXT NOT NULL, users TEXT NOT NULL, ips TEXT NOT NULL, hosts TEXT NOT NULL, sessions TEXT NOT NULL,
        findings TEXT NOT NULL, rules TEXT NOT NULL, api_calls INTEGER NOT NULL, records_read INTEGER NOT NULL,
        entities TEXT NOT NULL, bulk_jobs TEXT NOT NULL, narrative TEXT NOT NULL, blast TEXT NOT NULL,
        records TEXT NOT NULL DEFAULT '[]', first_run INTEGER, last_run INTEGER, recurrence_of TEXT,
        to_do TEXT NOT NULL DEFAULT '', agents TEXT NOT NULL DEFAULT '[]', countries TEXT NOT NULL DEFAULT '[]') WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS triage(
        seq INTEGER PRIMARY KEY, incident_id TEXT NOT NULL, time INTEGER NOT NULL, state TEXT NOT NULL,
        note TEXT NOT NULL, by TEXT NOT NULL, severity TEXT NOT NULL, findings TEXT NOT NULL DEFAULT '[]');
    CREATE INDEX IF NOT EXISTS triage_incident ON triage(incident_id);
    CREATE TABLE IF NOT EXISTS incident_findings(fingerprint TEXT PRIMARY KEY, incident_id TEXT NOT NULL) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS incident_findings_incident ON incident_findings(incident_id);
    CREATE TABLE IF NOT EXISTS idp_events(
        time INTEGER NOT NULL, key INTEGER NOT NULL, precision_ms INTEGER NOT NULL,
        source_id INTEGER NOT NULL, line INTEGER NOT NULL, provider INTEGER NOT NULL,
        uuid TEXT, event_type INTEGER, severity INTEGER, actor_id INTEGER, actor_type INTEGER,
        actor_name INTEGER, client_ip INTEGER, user_agent INTEGER, outcome INTEGER NOT NULL,
        outcome_reason INTEGER, failure_class INTEGER, grant_type INTEGER, flow INTEGER,
        request_uri INTEGER, transaction_id TEXT, display_message INTEGER,
        session_fingerprint TEXT, dt_hash TEXT, api_token_id TEXT, client_id INTEGER,
        as_number INTEGER, as_org INTEGER, isp INTEGER, is_proxy INTEGER, targets INTEGER,
        root_session_fingerprint TEXT, root_api_token_id TEXT, terminated_session INTEGER,
        body_hash INTEGER, conflict_source INTEGER, conflict_line INTEGER,
        PRIMARY KEY(time, key)) WITHOUT ROWID;
    """

    /// ISO 8601 UTC text for an epoch-ms column.
    /// The daily rollups and their views. `temporary`: the same in the connection's TEMP
    /// schema, which shadows the stored ones, so a reader (`report`) rolls up its own period
    /// without writing the database.
    static func dailyTables(temporary: Bool) -> String {
        let kind = temporary ? "TEMP TABLE" : "TABLE", schema = temporary ? "temp." : ""
        return """
        CREATE \(kind) IF NOT EXISTS login_daily(
            day INTEGER NOT NULL, origin INTEGER, app INTEGER, user INTEGER, flow INTEGER, flow_basis INTEGER, outcome INTEGER,
            failure_class INTEGER, status INTEGER, logins INTEGER NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS \(schema)login_daily_day ON login_daily(day);
        CREATE \(kind) IF NOT EXISTS login_network_daily(
            day INTEGER NOT NULL, app INTEGER NOT NULL, source_ip INTEGER, flow INTEGER, user INTEGER,
            logins INTEGER NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS \(schema)login_network_daily_app ON login_network_daily(app, day);
        CREATE \(kind) IF NOT EXISTS request_daily(
            day INTEGER NOT NULL, host INTEGER, integration INTEGER, client_id INTEGER, flow INTEGER, outcome INTEGER,
            failure_class INTEGER, error INTEGER, error_description INTEGER, error_code INTEGER, requests INTEGER NOT NULL, first INTEGER NOT NULL,
            last INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS \(schema)request_daily_day ON request_daily(day);
        """
    }

    static func dailyViews(temporary: Bool) -> String {
        let view = temporary ? "TEMP VIEW" : "VIEW", schema = temporary ? "temp." : ""
        return """
        DROP VIEW IF EXISTS \(schema)v_login_daily;
        CREATE \(view) v_login_daily AS SELECT strftime('%Y-%m-%d', d.day * 86400, 'unixepoch') AS day, d.day * 86400000 AS day_ms,
            \(s("d.origin", as: "origin")), \(s("d.app", as: "app")),
            coalesce((SELECT u.username FROM user_directory u WHERE u.user_id = (SELECT value FROM strings WHERE id = d.user)),
                     (SELECT value FROM strings WHERE id = d.user)) AS user,
            \(s("d.flow", as: "flow")), \(s("d.flow_basis", as: "flow_basis")), \(s("d.outcome", as: "outcome")),
            \(s("d.failure_class", as: "failure_class")), \(s("d.status", as: "status")),
            d.logins, \(iso("d.first")) AS first_utc, \(iso("d.last")) AS last_utc
          FROM \(schema)login_daily d;
        DROP VIEW IF EXISTS \(schema)v_login_network_daily;
        CREATE \(view) v_login_network_daily AS SELECT strftime('%Y-%m-%d', d.day * 86400, 'unixepoch') AS day, d.day * 86400000 AS day_ms,
            \(s("d.app", as: "app")), d.app AS app_id, \(s("d.source_ip", as: "source_ip")), \(s("d.flow", as: "flow")),
            coalesce((SELECT u.username FROM user_directory u WHERE u.user_id = (SELECT value FROM strings WHERE id = d.user)),
                     (SELECT value FROM strings WHERE id = d.user)) AS user,
            d.logins, \(iso("d.first")) AS first_utc, \(iso("d.last")) AS last_utc
          FROM \(schema)login_network_daily d;
        DROP VIEW IF EXISTS \(schema)v_request_daily;
        CREATE \(view) v_request_daily AS SELECT strftime('%Y-%m-%d', d.day * 86400, 'unixepoch') AS day, d.day * 86400000 AS day_ms,
            \(s("d.host", as: "host")), \(s("d.integration", as: "integration")), \(s("d.client_id", as: "client_id")),
            \(s("d.flow", as: "flow")), \(s("d.outcome", as: "outcome")), \(s("d.failure_class", as: "failure_class")),
            \(s("d.error", as: "error")), \(s("d.error_description", as: "error_description")),
            \(s("d.error_code", as: "error_code")), d.requests, \(iso("d.first")) AS first_utc, \(iso("d.last")) AS last_utc
          FROM \(schema)request_daily d;
        """
    }

    /// A record's evidence, `file:line`, or `file#n` where a file's records share lines (a
    /// compact JSON array: n is the record's number in the file; `sources.positions` says which).
    public static func evidence(_ source: String, _ line: String) -> String {
        "\(source).path || CASE \(source).positions WHEN 'record' THEN '#' ELSE ':' END || \(line)"
    }

    static func iso(_ column: String) -> String {
        "strftime('%Y-%m-%dT%H:%M:%fZ', \(column) / 1000.0, 'unixepoch')"
    }

    /// A login's flow basis: a JWT bearer login inferred from a blank subtype (or from the
    /// policy), or a token login whose export has no subtype (`not_exported`), that `matches`
    /// pairs with the client's own request reads `client_log`.
    static func basis(context c: String, login l: String) -> String {
        """
        CASE WHEN \(c).flow IN (SELECT id FROM strings WHERE value IN ('jwt_bearer', 'oauth_unknown'))
              AND \(c).flow_basis IN (SELECT id FROM strings WHERE value IN ('inferred', 'policy', 'not_exported', 'unknown_subtype'))
              AND EXISTS (SELECT 1 FROM matches m WHERE m.login_time = \(l).time AND m.login_key = \(l).key)
             THEN 'client_log' ELSE (SELECT value FROM strings WHERE id = \(c).flow_basis) END
        """
    }

    /// A login's flow: an `oauth_unknown` login paired with a client request takes the
    /// request's grant (the client log settles what the export did not record).
    static func flow(context c: String, login l: String) -> String {
        """
        CASE WHEN \(c).flow = (SELECT id FROM strings WHERE value = 'oauth_unknown')
             THEN coalesce((SELECT (SELECT value FROM strings WHERE id = t.flow) FROM matches m
                              JOIN token_requests t ON t.time = m.request_time AND t.key = m.request_key
                             WHERE m.login_time = \(l).time AND m.login_key = \(l).key), 'oauth_unknown')
             ELSE (SELECT value FROM strings WHERE id = \(c).flow) END
        """
    }

    /// The ids of those contexts (JWT bearer, basis inferred or policy), as a SQL list, for
    /// queries that group on raw ids and test `matches` only where it can change the basis.
    static func upgradableContexts(_ db: Database) throws -> String {
        try db.rows("""
            SELECT id FROM login_contexts WHERE flow IN (SELECT id FROM strings WHERE value IN ('jwt_bearer', 'oauth_unknown'))
              AND flow_basis IN (SELECT id FROM strings WHERE value IN ('inferred', 'policy', 'not_exported', 'unknown_subtype'))
            """).compactMap { $0[0].int }.map(String.init).joined(separator: ",")
    }

    static func s(_ column: String, as name: String? = nil) -> String {
        "(SELECT value FROM strings WHERE id = \(column)) AS \(name ?? column)"
    }

    static var views: String {
        """
        DROP VIEW IF EXISTS v_logins;
        CREATE VIEW v_logins AS SELECT \(iso("l.time")) AS time_utc, l.time AS time_ms, c.precision_ms,
            \(s("c.origin", as: "origin")), \(s("l.org", as: "org")), \(s("l.user_id", as: "user_id")),
            \(s("l.username", as: "username")),
            coalesce((SELECT value FROM strings WHERE id = l.username),
                     (SELECT d.username FROM user_directory d WHERE d.user_id = (SELECT value FROM strings WHERE id = l.user_id)),
                     (SELECT value FROM strings WHERE id = l.user_id)) AS user,
            \(s("l.app", as: "app")), l.app AS app_id, \(s("l.app_via", as: "app_via")), \(s("c.login_type", as: "login_type")),
            \(s("c.subtype", as: "subtype")), \(flow(context: "c", login: "l")) AS flow, \(basis(context: "c", login: "l")) AS flow_basis,
            \(s("c.status", as: "status")), \(s("c.outcome", as: "outcome")), \(s("c.failure_class", as: "failure_class")),
            \(s("l.source_ip", as: "source_ip")), \(s("c.login_url", as: "login_url")), \(s("c.country", as: "country")),
            \(s("c.tls", as: "tls")), \(s("c.cipher", as: "cipher")), \(s("c.browser", as: "browser")),
            \(s("c.platform", as: "platform")), \(s("c.api_type", as: "api_type")), \(s("c.api_version", as: "api_version")),
            \(s("c.client_version", as: "client_version")), \(s("c.auth_method", as: "auth_method")), \(s("c.uri", as: "uri")),
            l.history_id, l.login_key, l.request_id, src.path AS source_path, l.line,
            \(evidence("src", "l.line")) AS evidence,
            (SELECT \(evidence("ts", "tw.line")) FROM login_twins tw JOIN sources ts ON ts.id = tw.source_id
              WHERE tw.canonical_time = l.time AND tw.canonical_key = l.key LIMIT 1) AS twin_evidence
          FROM logins l JOIN login_contexts c ON c.id = l.context JOIN sources src ON src.id = l.source_id;
        DROP VIEW IF EXISTS v_token_requests;
        CREATE VIEW v_token_requests AS SELECT \(iso("t.time")) AS time_utc, t.time AS time_ms, t.precision_ms,
            \(s("t.host", as: "host")), \(s("t.integration", as: "integration")), \(s("t.provider", as: "provider")),
            \(s("t.token_url", as: "token_url")), \(s("t.grant_type", as: "grant_type")), \(s("t.flow", as: "flow")),
            \(s("t.client_id", as: "client_id")), \(s("t.iss", as: "iss")), \(s("t.sub", as: "sub")), \(s("t.aud", as: "aud")),
            t.iat, t.nbf, t.exp, t.jti, t.http_status, \(s("t.outcome", as: "outcome")),
            \(s("t.failure_class", as: "failure_class")), \(s("t.error", as: "error")),
            \(s("t.error_description", as: "error_description")), \(s("t.error_code", as: "error_code")),
            \(s("t.error_summary", as: "error_summary")), t.error_id, \(s("t.auth_scheme", as: "auth_scheme")),
            \(iso("t.server_date")) AS server_date_utc, t.issued_at, \(s("t.instance_url", as: "instance_url")),
            \(s("t.org_id", as: "org_id")), \(s("t.user_id", as: "user_id")), t.token_fingerprint,
            t.assertion_fingerprint, t.secret_fingerprint, t.duration_ms, \(s("t.source_ip", as: "source_ip")),
            t.extra, src.path AS source_path, t.line, \(evidence("src", "t.line")) AS evidence
          FROM token_requests t JOIN sources src ON src.id = t.source_id;
        DROP VIEW IF EXISTS v_api_activity;
        CREATE VIEW v_api_activity AS SELECT \(iso("a.time")) AS time_utc, a.time AS time_ms,
            \(s("a.event_type", as: "event_type")), \(s("a.org", as: "org")), \(s("a.user_id", as: "user_id")),
            \(s("a.username", as: "username")), \(s("a.app", as: "app")), \(s("a.app_id", as: "app_id")),
            \(s("a.method", as: "method")), \(s("a.resource", as: "resource")), \(s("a.entity", as: "entity")),
            \(s("a.status", as: "status")), a.rows, \(s("a.client_ip", as: "client_ip")),
            \(s("a.delegated_user", as: "delegated_user")), \(s("a.delegated_user_id", as: "delegated_user_id")),
            \(s("a.session_type", as: "session_type")), a.login_key, a.session_key, a.request_id,
            \(s("a.user_agent", as: "user_agent")), \(s("a.client_name", as: "client_name")), \(s("a.api_family", as: "api_family")),
            a.query_fingerprint, a.job_id, a.batch_id, \(s("a.job_state", as: "job_state")), \(s("a.operation", as: "operation")),
            a.records_failed, src.path AS source_path, a.line, \(evidence("src", "a.line")) AS evidence
          FROM api_activity a JOIN sources src ON src.id = a.source_id;
        DROP VIEW IF EXISTS v_idp_events;
        CREATE VIEW v_idp_events AS SELECT \(iso("e.time")) AS time_utc, e.time AS time_ms,
            \(s("e.provider", as: "provider")), e.uuid, \(s("e.event_type", as: "event_type")),
            \(s("e.severity", as: "severity")), \(s("e.actor_id", as: "actor_id")), \(s("e.actor_type", as: "actor_type")),
            \(s("e.actor_name", as: "actor_name")), \(s("e.client_ip", as: "client_ip")),
            \(s("e.user_agent", as: "user_agent")), \(s("e.outcome", as: "outcome")),
            \(s("e.outcome_reason", as: "outcome_reason")), \(s("e.failure_class", as: "failure_class")),
            \(s("e.grant_type", as: "grant_type")), \(s("e.flow", as: "flow")), \(s("e.request_uri", as: "request_uri")),
            e.transaction_id, \(s("e.display_message", as: "display_message")),
            e.session_fingerprint, e.dt_hash, e.api_token_id, e.root_session_fingerprint, e.root_api_token_id, e.terminated_session, \(s("e.client_id", as: "client_id")),
            \(s("e.as_number", as: "as_number")), \(s("e.as_org", as: "as_org")), \(s("e.isp", as: "isp")), e.is_proxy,
            \(s("e.targets", as: "targets")), src.path AS source_path, e.line, \(evidence("src", "e.line")) AS evidence
          FROM idp_events e JOIN sources src ON src.id = e.source_id;
        DROP VIEW IF EXISTS v_matches;
        CREATE VIEW v_matches AS SELECT \(iso("m.login_time")) AS login_time_utc, \(iso("m.request_time")) AS request_time_utc,
            m.offset_ms, \(evidence("ls", "l.line")) AS login_evidence, \(evidence("rs", "t.line")) AS request_evidence
          FROM matches m JOIN logins l ON l.time = m.login_time AND l.key = m.login_key JOIN sources ls ON ls.id = l.source_id
          JOIN token_requests t ON t.time = m.request_time AND t.key = m.request_key JOIN sources rs ON rs.id = t.source_id;
        DROP VIEW IF EXISTS v_clock_offsets;
        CREATE VIEW v_clock_offsets AS SELECT host, \(iso("hour * 3600000")) AS hour_utc, hour * 3600000 AS hour_ms, estimator,
            median_ms, samples, spread_ms FROM clock_offsets;
        \(dailyViews(temporary: false))
        DROP VIEW IF EXISTS v_incidents;
        CREATE VIEW v_incidents AS SELECT id, severity, title, \(iso("first_seen")) AS first_seen_utc, \(iso("last_seen")) AS last_seen_utc,
            first_seen AS first_seen_ms, last_seen AS last_seen_ms, apps, users, ips, hosts, sessions,
            json_array_length(findings) AS finding_count, findings, rules, api_calls, records_read, entities, bulk_jobs,
            narrative, first_run, last_run
          FROM incidents;
        DROP VIEW IF EXISTS v_sources;
        CREATE VIEW v_sources AS SELECT id, path, sha256, bytes, format, timezone, rows_read, rows_stored,
            duplicates, rejects, repaired, twins, positions, \(iso("first_time")) AS first_time_utc, \(iso("last_time")) AS last_time_utc,
            \(iso("ingested_at")) AS ingested_at_utc, run_id, first_time AS first_time_ms, last_time AS last_time_ms
          FROM sources;
        DROP VIEW IF EXISTS v_rejects;
        CREATE VIEW v_rejects AS SELECT src.path AS source_path, r.line, r.reason, r.excerpt,
            r.token_login, \(evidence("src", "r.line")) AS evidence,
            coalesce(src.first_time, src.ingested_at) AS source_first_ms, coalesce(src.last_time, src.ingested_at) AS source_last_ms,
            coalesce(r.time, src.first_time, src.ingested_at) AS time_ms
          FROM rejects r JOIN sources src ON src.id = r.source_id;
        DROP VIEW IF EXISTS v_repairs;
        CREATE VIEW v_repairs AS SELECT src.path AS source_path, r.line, r.field, r.kind,
            \(evidence("src", "r.line")) AS evidence,
            coalesce(src.first_time, src.ingested_at) AS source_first_ms, coalesce(src.last_time, src.ingested_at) AS source_last_ms
          FROM repairs r JOIN sources src ON src.id = r.source_id;
        DROP VIEW IF EXISTS v_login_summary;
        CREATE VIEW v_login_summary AS SELECT
            (SELECT value FROM strings WHERE id = c.origin) AS origin,
            COALESCE((SELECT value FROM strings WHERE id = l.app), '(no app recorded)') AS app,
            \(flow(context: "c", login: "l")) AS flow,
            \(basis(context: "c", login: "l")) AS flow_basis,
            (SELECT value FROM strings WHERE id = c.outcome) AS outcome,
            count(*) AS logins, \(iso("min(l.time)")) AS first_utc, \(iso("max(l.time)")) AS last_utc
          FROM logins l JOIN login_contexts c ON c.id = l.context
          GROUP BY c.origin, l.app, 3, 4, c.outcome;
        """
    }

    /// Creates or upgrades the schema; refuses a database written by a newer TokenTrail.
    public static func migrate(_ db: Database) throws {
        try db.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768;")
        try db.transaction {
            try db.execute(tables)
            try addMissingColumns(db)
            try db.execute("CREATE INDEX IF NOT EXISTS findings_cause ON findings(cause)")
            // Almost every event has none: the conflicts of a file are found without a scan.
            try db.execute("CREATE INDEX IF NOT EXISTS idp_events_conflicts ON idp_events(conflict_source) WHERE conflict_source IS NOT NULL")
            try FindingsTable.migrateToParts(db)
            let existing = try db.scalar("SELECT value FROM meta WHERE key = 'schema_version'").int
            if let existing, existing > Int64(version) {
                throw SQLiteError(code: 1, message: "database schema version \(existing) is newer than this TokenTrail understands (\(version))", sql: nil)
            }
            try db.execute(views)
            _ = try db.rows("INSERT INTO meta(key, value) VALUES('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        [.text(String(version))])
        }
    }

    /// What a reader checks instead of migrating: the database is TokenTrail's and of this
    /// schema version. An older one is upgraded by the next scan (a writer), never by a reader.
    public static func check(_ db: Database) throws {
        let found = try? db.scalar("SELECT value FROM meta WHERE key = 'schema_version'").int
        guard let existing = found ?? nil else {
            throw InputError(path: db.path, "not a TokenTrail database (no schema version)")
        }
        if existing > Int64(version) {
            throw SQLiteError(code: 1, message: "database schema version \(existing) is newer than this TokenTrail understands (\(version))", sql: nil)
        }
        if existing < Int64(version) {
            throw InputError(path: db.path, "schema version \(existing), this TokenTrail reads \(version): run tokentrail scan on it once (with any input) to upgrade it")
        }
    }

    /// Columns added after a table first shipped (CREATE TABLE IF NOT EXISTS leaves old tables as they were).
    static let addedColumns: [(table: String, column: String, declaration: String)] = [
        ("sources", "repaired", "INTEGER NOT NULL DEFAULT 0"),
        ("sources", "positions", "TEXT NOT NULL DEFAULT 'line'"),
        ("rejects", "token_login", "INTEGER NOT NULL DEFAULT 0"),
        ("logins", "app_via", "INTEGER"),
        // v7: a finding is one cause with the users it covers; an alert remembers what it posted.
        ("findings", "users", "TEXT NOT NULL DEFAULT '[]'"),
        ("findings", "user_count", "INTEGER NOT NULL DEFAULT 0"),
        ("findings", "grain", "INTEGER NOT NULL DEFAULT 0"),
        ("alerts", "last_seen", "INTEGER"),
        // v7: what the 2025–26 attack rules read (API clients, Bulk jobs, Okta sessions).
        ("api_activity", "user_agent", "INTEGER"), ("api_activity", "client_name", "INTEGER"), ("api_activity", "api_family", "INTEGER"),
        ("api_activity", "query_fingerprint", "TEXT"), ("api_activity", "job_id", "TEXT"), ("api_activity", "batch_id", "TEXT"),
        ("api_activity", "job_state", "INTEGER"), ("api_activity", "operation", "INTEGER"), ("api_activity", "records_failed", "INTEGER"),
        ("idp_events", "session_fingerprint", "TEXT"), ("idp_events", "dt_hash", "TEXT"), ("idp_events", "api_token_id", "TEXT"),
        ("idp_events", "client_id", "INTEGER"), ("idp_events", "as_number", "INTEGER"), ("idp_events", "as_org", "INTEGER"),
        ("idp_events", "isp", "INTEGER"), ("idp_events", "is_proxy", "INTEGER"), ("idp_events", "targets", "INTEGER"),
        // v12: Okta lineage and Identity Threat Protection; one uuid with two bodies.
        ("idp_events", "root_session_fingerprint", "TEXT"), ("idp_events", "root_api_token_id", "TEXT"),
        ("idp_events", "terminated_session", "INTEGER"), ("idp_events", "body_hash", "INTEGER"),
        ("idp_events", "conflict_source", "INTEGER"), ("idp_events", "conflict_line", "INTEGER"),
        // v12: when a rejected row happened (its own time, else the record before it).
        ("rejects", "time", "INTEGER"),
        // v12: what to do, and the clients and countries an incident's records show.
        ("incidents", "to_do", "TEXT NOT NULL DEFAULT ''"), ("incidents", "agents", "TEXT NOT NULL DEFAULT '[]'"),
        ("incidents", "countries", "TEXT NOT NULL DEFAULT '[]'"), ("triage", "findings", "TEXT NOT NULL DEFAULT '[]'"),
        // v8: an incident's timeline rows (a build of v8 before them made the table without).
        ("incidents", "records", "TEXT NOT NULL DEFAULT '[]'"),
        // v10: findings are episodes of a cause (History); an incident that recurs names the earlier one.
        ("findings", "cause", "TEXT"), ("findings", "recurrence_of", "TEXT"), ("incidents", "recurrence_of", "TEXT"),
        ("alerts", "severity", "TEXT"),
        // v11: logins of a file that another export already had (stored once).
        ("sources", "twins", "INTEGER NOT NULL DEFAULT 0"),
    ]

    static func addMissingColumns(_ db: Database) throws {
        for added in addedColumns {
            let present = try db.scalar("SELECT count(*) FROM pragma_table_info(?) WHERE name = ?",
                                        [.text(added.table), .text(added.column)]).int ?? 0
            if present == 0 { try db.execute("ALTER TABLE \(added.table) ADD COLUMN \(added.column) \(added.declaration)") }
        }
    }

    /// The database's SipHash key for natural keys, made once from the system's RNG.
    public static func dedupKey(_ db: Database) throws -> DedupKey {
        if let stored = try db.scalar("SELECT value FROM meta WHERE key = 'dedup_key'").string {
            let parts = stored.split(separator: ":").compactMap { UInt64($0, radix: 16) }
            if parts.count == 2 { return DedupKey(key0: parts[0], key1: parts[1]) }
        }
        var rng = SystemRandomNumberGenerator()
        let key = DedupKey(key0: rng.next(), key1: rng.next())
        _ = try db.rows("INSERT INTO meta(key, value) VALUES('dedup_key', ?) ON CONFLICT(key) DO NOTHING",
                        [.text(String(key.key0, radix: 16) + ":" + String(key.key1, radix: 16))])
        return try dedupKey(db)
    }
}
