/// Okta System Log events (`/api/v1/logs`): a JSON array or JSON lines.
enum OktaFormat {
    static func recognizes(_ object: [String: JSONValue]) -> Bool {
        object["eventType"] != nil && (object["published"] != nil || object["uuid"] != nil)
    }
}

final class OktaIngester {
    private let ctx: FileContext

    init(ctx: FileContext) { self.ctx = ctx }

    func ingest(_ o: [String: JSONValue], line: Int, raw: UnsafeRawBufferPointer) throws {
        try ctx.rejectingRow(line: line, raw: raw) {
            var r = try record(o, line: line)
            var hasher = ctx.store.dedup.hasher()
            if let uuid = r.uuid { hasher.combine(uuid) } else { hasher.combine(raw) }
            r.key = r.uuid != nil ? hasher.finalize() : ctx.keyWithOccurrence(time: r.time, identity: hasher.finalize())
            try ctx.add(r)
        }
    }

    private func intern(_ value: JSONValue?, _ field: String = "value") throws -> Symbol { try ctx.intern(value, field: field) }

    func record(_ o: [String: JSONValue], line: Int) throws -> IdpEventRecord {
        let v = ctx.vocabulary
        var r = IdpEventRecord()
        r.line = line
        r.provider = v.okta
        guard let published = o["published"]?.string, let time = TimeParser.parse(published), time.hasZone else {
            throw RowReject("missing or unparseable \"published\" (expected ISO 8601 UTC like 2026-11-21T06:04:01.102Z)")
        }
        r.time = time.epochMs
        r.precisionMs = time.precisionMs
        r.uuid = o["uuid"]?.text
        r.eventType = try intern(o["eventType"])
        r.severity = try intern(o["severity"])
        let actor = o["actor"]
        r.actorId = try intern(actor?["id"])
        r.actorType = try intern(actor?["type"])
        r.actorName = try intern(actor?["alternateId"] ?? actor?["displayName"])
        let client = o["client"]
        r.clientIp = try intern(client?["ipAddress"])
        r.userAgent = try ctx.freeText(client?["userAgent"]?["rawUserAgent"]?.text, field: "client.userAgent.rawUserAgent")
        let result = o["outcome"]?["result"]?.text?.uppercased() ?? ""
        let reason = o["outcome"]?["reason"]?.text
        r.outcomeReason = try ctx.freeText(reason, field: "outcome.reason")
        switch result {
        case "SUCCESS", "ALLOW": r.outcome = v.outcome(.success)
        case "FAILURE", "DENY": r.outcome = v.outcome(.failure)
        default: r.outcome = v.outcome(.unknown)
        }
        if result == "FAILURE" || result == "DENY" {
            r.failureClass = v.failure(FailureClass.classify(reason ?? ""))
        }
        // Okta's rate-limit events are refusals whatever their outcome says.
        if (o["eventType"]?.string ?? "").hasPrefix("system.operation.rate_limit") {
            r.outcome = v.outcome(.failure)
            r.failureClass = v.failure(.rateLimited)
        }
        let debug = o["debugContext"]?["debugData"]
        let grantType = debug?["grantType"]?.text
        r.grantType = try ctx.interner.intern(grantType)
        if let grantType, let flow = FlowClassifier.flow(forGrantType: grantType) { r.flow = v.flow(flow) }
        r.requestUri = try ctx.freeText(debug?["requestUri"]?.text, field: "debugContext.debugData.requestUri")
        r.transactionId = o["transaction"]?["id"]?.text
        r.displayMessage = try ctx.freeText(o["displayMessage"]?.text, field: "displayMessage")
        // Session and token fields: a session id identifies a live session, so only its fingerprint is kept.
        r.sessionFingerprint = o["authenticationContext"]?["externalSessionId"]?.text.flatMap { $0.isEmpty || $0 == "unknown" ? nil : Fingerprint.of($0) }
        r.dtHash = ctx.text(debug?["dtHash"]?.text, field: "debugContext.debugData.dtHash")
        r.apiTokenId = ctx.text(o["transaction"]?["detail"]?["requestApiTokenId"]?.text, field: "transaction.detail.requestApiTokenId")
        r.clientId = try intern(client?["id"], "client.id")
        let security = o["securityContext"]
        r.asNumber = try intern(security?["asNumber"], "securityContext.asNumber")
        r.asOrg = try ctx.freeText(security?["asOrg"]?.text, field: "securityContext.asOrg")
        r.isp = try ctx.freeText(security?["isp"]?.text, field: "securityContext.isp")
        r.isProxy = security?["isProxy"].flatMap { value -> Int64? in
            if case .bool(let b) = value { return b ? 1 : 0 }
            return nil
        }
        if let targets = o["target"]?.array, !targets.isEmpty {
            let kept: [JSONValue] = targets.map { t in
                .object(["id": t["id"] ?? .null, "type": t["type"] ?? .null, "displayName": t["displayName"] ?? .null])
            }
            r.targets = try ctx.freeText(JSONValue.array(kept).serialized, field: "target")
        }
        return r
    }
}
