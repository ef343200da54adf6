/// The clients (user agents, API client names, login browsers) and countries (the exports'
/// own country columns) an incident's records show: what a reviewer asks first about an
/// attacker ("python-requests from NL"), most frequent first.
extension Facts {
    public func clientsAndCountries(of records: [RecordRef]) throws -> (agents: [String], countries: [String]) {
        var agents: [Int64: Int] = [:], countries: [Int64: Int] = [:]
        let login = try db.prepare("SELECT c.browser, c.country FROM logins l JOIN login_contexts c ON c.id = l.context WHERE l.time = ? AND l.key = ?")
        let api = try db.prepare("SELECT user_agent, client_name FROM api_activity WHERE time = ? AND key = ?")
        let okta = try db.prepare("SELECT user_agent FROM idp_events WHERE time = ? AND key = ?")
        for record in records {
            let statement: Statement
            switch record.table {
            case .login: statement = login
            case .api: statement = api
            case .okta: statement = okta
            case .request: continue
            }
            try statement.bind([.integer(record.time), .integer(record.key)])
            if try statement.step() {
                if record.table == .login {
                    if statement.int(at: 0) != 0 { agents[statement.int(at: 0), default: 0] += 1 }
                    if statement.int(at: 1) != 0 { countries[statement.int(at: 1), default: 0] += 1 }
                } else {
                    for column in 0..<(record.table == .api ? 2 : 1) where statement.int(at: Int32(column)) != 0 { agents[statement.int(at: Int32(column)), default: 0] += 1 }
                }
            }
            statement.reset()
        }
        func ranked(_ counts: [Int64: Int]) throws -> [String] {
            try counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.compactMap { try names.name($0.key) }
                .filter { !Placeholder.isBlank($0) }.prefix(10).map { $0 }
        }
        return (try ranked(agents), try ranked(countries))
    }
}
