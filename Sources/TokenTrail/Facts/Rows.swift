/// Fact rows as the analysis reads them: raw integers (times, symbol ids; 0 for NULL),
/// streamed in time order from the primary key, never collected.
public struct LoginRow: Sendable {
    public var time: Int64 = 0, key: Int64 = 0, sourceId: Int64 = 0, line: Int64 = 0
    public var context: Int64 = 0, app: Int64 = 0, userId: Int64 = 0, username: Int64 = 0, sourceIp: Int64 = 0
    public var org: Int64 = 0
}

public struct RequestRow: Sendable {
    public var time: Int64 = 0, key: Int64 = 0, sourceId: Int64 = 0, line: Int64 = 0
    public var host: Int64 = 0, integration: Int64 = 0, provider: Int64 = 0, tokenUrl: Int64 = 0, flow: Int64 = 0
    public var clientId: Int64 = 0, iss: Int64 = 0, sub: Int64 = 0, aud: Int64 = 0, userId: Int64 = 0
    public var outcome: Int64 = 0, failureClass: Int64 = 0, errorCode: Int64 = 0, authScheme: Int64 = 0
    public var error: Int64 = 0, errorDescription: Int64 = 0
    public var iat: Int64?, exp: Int64?, serverDate: Int64?, durationMs: Int64?
}

/// A time-ordered cursor over `logins` in [from, to], optionally only some contexts.
struct LoginCursor {
    private let statement: Statement

    init(_ db: Database, from: Int64, to: Int64, contexts: [Int64]? = nil) throws {
        let filter = contexts.map { " AND context IN (\($0.map(String.init).joined(separator: ",")))" } ?? ""
        statement = try db.prepare("""
            SELECT time, key, source_id, line, context, app, user_id, username, source_ip, org FROM logins
            WHERE time BETWEEN ? AND ?\(filter) ORDER BY time, key
            """)
        try statement.bind([.integer(from), .integer(to)])
    }

    mutating func next() throws -> LoginRow? {
        guard try statement.step() else { return nil }
        let s = statement
        return LoginRow(time: s.int(at: 0), key: s.int(at: 1), sourceId: s.int(at: 2), line: s.int(at: 3), context: s.int(at: 4),
                        app: s.int(at: 5), userId: s.int(at: 6), username: s.int(at: 7), sourceIp: s.int(at: 8), org: s.int(at: 9))
    }

    static func forEach(_ db: Database, from: Int64, to: Int64, contexts: [Int64]? = nil, _ body: (LoginRow) throws -> Bool) throws {
        var cursor = try LoginCursor(db, from: from, to: to, contexts: contexts)
        while let row = try cursor.next() { if try !body(row) { return } }
    }
}

/// A time-ordered cursor over `token_requests` in [from, to]; `condition` is trusted SQL.
struct RequestCursor {
    private let statement: Statement

    init(_ db: Database, from: Int64, to: Int64, condition: String = "") throws {
        statement = try db.prepare("""
            SELECT time, key, source_id, line, host, integration, provider, token_url, flow, client_id, iss, sub, aud, user_id,
                   outcome, failure_class, error_code, auth_scheme, iat, exp, server_date, duration_ms, error, error_description
            FROM token_requests WHERE time BETWEEN ? AND ?\(condition.isEmpty ? "" : " AND " + condition) ORDER BY time, key
            """)
        try statement.bind([.integer(from), .integer(to)])
    }

    mutating func next() throws -> RequestRow? {
        guard try statement.step() else { return nil }
        let s = statement
        func optional(_ i: Int32) -> Int64? { s.isNull(at: i) ? nil : s.int(at: i) }
        return RequestRow(time: s.int(at: 0), key: s.int(at: 1), sourceId: s.int(at: 2), line: s.int(at: 3), host: s.int(at: 4),
                          integration: s.int(at: 5), provider: s.int(at: 6), tokenUrl: s.int(at: 7), flow: s.int(at: 8),
                          clientId: s.int(at: 9), iss: s.int(at: 10), sub: s.int(at: 11), aud: s.int(at: 12), userId: s.int(at: 13),
                          outcome: s.int(at: 14), failureClass: s.int(at: 15), errorCode: s.int(at: 16), authScheme: s.int(at: 17),
                          error: s.int(at: 22), errorDescription: s.int(at: 23),
                          iat: optional(18), exp: optional(19), serverDate: optional(20), durationMs: optional(21))
    }

    static func forEach(_ db: Database, from: Int64, to: Int64, condition: String = "", _ body: (RequestRow) throws -> Bool) throws {
        var cursor = try RequestCursor(db, from: from, to: to, condition: condition)
        while let row = try cursor.next() { if try !body(row) { return } }
    }
}
