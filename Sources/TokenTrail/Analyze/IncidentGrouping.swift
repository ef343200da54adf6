/// Which findings are about the same thing (DESIGN.md, Incidents). Two findings are linked
/// when they cite the same record or session, or share an (app, source IP) or (app, user)
/// pair with activity no more than 24 h apart; incidents are the linked groups, taken
/// transitively. Findings at `seed` and above make incidents; those below only join the
/// incident they are linked to (a hygiene note never glues two incidents together), or stay
/// on their own. A pair links only findings of the same cause: a stolen key and a slow clock
/// on the same integration are two incidents, unless they cite the same records. Nor does a
/// pair link the findings of two client hosts: etl-01's unpaired request and etl-02's slow
/// clock, both the ERP app as its user, are two hosts' problems (a finding that names no host,
/// a server-side one, links with either).
struct IncidentGrouping {
    struct Member {
        let finding: Finding
        let cause: Cause
        let records: EvidenceRecords
    }

    static let seed = Severity.medium
    static let pairWindowMs: Int64 = 24 * 3_600_000

    /// Each group's member indices (in input order), groups ordered by their first member.
    static func groups(_ members: [Member]) -> [[Int]] {
        var sets = DisjointSets(members.count)
        let seeds = members.indices.filter { members[$0].finding.severity >= seed }
        var exact: [String: Int] = [:]                       // record or session → first seed citing it
        var paired: [String: [Int]] = [:]                    // pair → seeds with it
        for i in seeds {
            for key in exactKeys(members[i]) {
                if let j = exact[key] { sets.union(i, j) } else { exact[key] = i }
            }
            for key in pairKeys(members[i]) { paired[key, default: []].append(i) }
        }
        // A pair links findings whose spans come within 24 h: one sweep per pair and client
        // host (host-less findings in each), in time order.
        for (_, list) in paired where list.count > 1 {
            let hosts = Set(list.compactMap { members[$0].finding.host })
            let sweeps = hosts.count <= 1 ? [list] : hosts.sorted().map { h in list.filter { members[$0].finding.host.map { $0 == h } ?? true } }
            for sweep in sweeps where sweep.count > 1 {
                let ordered = sweep.sorted { members[$0].finding.firstSeen < members[$1].finding.firstSeen }
                var anchor = ordered[0], reach = members[ordered[0]].finding.lastSeen
                for k in ordered.dropFirst() {
                    let f = members[k].finding
                    if f.firstSeen <= reach + pairWindowMs {
                        sets.union(anchor, k)
                        reach = max(reach, f.lastSeen)
                    } else {
                        (anchor, reach) = (k, f.lastSeen)
                    }
                }
            }
        }
        var byRoot: [Int: [Int]] = [:]
        for i in seeds { byRoot[sets.find(i), default: []].append(i) }
        // The others join the most severe (then earliest) incident they are linked to.
        for i in members.indices where members[i].finding.severity < seed {
            var candidates: Set<Int> = []
            for key in exactKeys(members[i]) { if let j = exact[key] { candidates.insert(sets.find(j)) } }
            let f = members[i].finding
            for key in pairKeys(members[i]) {
                for j in paired[key] ?? [] {
                    let g = members[j].finding
                    if let a = f.host, let b = g.host, a != b { continue }
                    if f.firstSeen <= g.lastSeen + pairWindowMs && g.firstSeen <= f.lastSeen + pairWindowMs { candidates.insert(sets.find(j)) }
                }
            }
            let best = candidates.min { a, b in
                let (x, y) = (byRoot[a] ?? [], byRoot[b] ?? [])
                let sx = x.map { members[$0].finding.severity }.max() ?? .info, sy = y.map { members[$0].finding.severity }.max() ?? .info
                return sx != sy ? sx > sy : (x.first ?? 0) < (y.first ?? 0)
            }
            if let best { byRoot[best, default: []].append(i) }
        }
        return byRoot.values.map { $0.sorted() }.sorted { $0[0] < $1[0] }
    }

    /// Keys that are the same thing whatever the time: a cited record, a session.
    static func exactKeys(_ m: Member) -> [String] {
        m.finding.evidence.map { "r\u{1F}" + $0 } + m.records.sessions.sorted().map { "s\u{1F}" + $0 }
    }

    /// (app, source IP) and (app, user) of the finding itself, within its cause.
    static func pairKeys(_ m: Member) -> [String] {
        guard let app = m.finding.app, !app.isEmpty else { return [] }
        let prefix = m.cause.rawValue + "\u{1F}" + app + "\u{1F}"
        var keys: [String] = []
        if let ip = m.finding.sourceIp, !ip.isEmpty { keys.append("ip\u{1F}" + prefix + ip) }
        var users = Set(m.finding.users.map(\.name))
        if let user = m.finding.user { users.insert(user) }
        for user in users.sorted() where !user.isEmpty { keys.append("user\u{1F}" + prefix + user) }
        return keys
    }
}

/// Union-find with path halving.
struct DisjointSets {
    private var parent: [Int]
    init(_ n: Int) { parent = Array(0..<n) }

    mutating func find(_ x: Int) -> Int {
        var x = x
        while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
        return x
    }

    mutating func union(_ a: Int, _ b: Int) {
        let (ra, rb) = (find(a), find(b))
        if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
    }
}
