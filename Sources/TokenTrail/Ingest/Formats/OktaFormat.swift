/// Okta System Log events (`/api/v1/logs`): a JSON array or JSON lines.
enum OktaFormat {
    static func recognizes(_ object: [String: JSONValue]) -> Bool {
        object["eventType"] != nil && (object["published"] != nil || object["uuid"] != nil)
    }

    /// The event inside one level of a SIEM archive's wrapper (`{"okta": {…}}`, as Wazuh
    /// stores it), when that is all the object holds: unambiguous, so read rather than refused.
    static func unwrapped(_ object: [String: JSONValue]) -> [String: JSONValue]? {
        guard object.count == 1, let inner = object["okta"]?.object, recognizes(inner) else { return nil }
        return inner
    }
}

final class OktaIngester {
    private let ctx: FileContext
    private lazy var spans = SpanOktaFields.paths()

    init(ctx: FileContext) { self.ctx = ctx }

    func ingest(_ o: [String: JSONValue], line: Int, raw: UnsafeRawBufferPointer) throws {
        try ingest(TreeOktaFields(object: o), line: line, raw: raw)
    }

    /// One JSON line read straight from its bytes; false when the line is left to the parser
    /// (bytes that are not UTF-8, a hook delivery's `data`, anything `JSONPathSpans` declines).
    func ingestFast(line: Int, raw: UnsafeRawBufferPointer) throws -> Bool {
        guard JSONSpanReader.isUTF8(raw) else { return false }
        // A line without its own eventType (a SIEM's wrapper around the event) goes to the router.
        guard spans.read(raw), spans[OktaPath.data.rawValue] == nil, spans[OktaPath.eventType.rawValue] != nil else { return false }
        try ingest(SpanOktaFields(bytes: raw, spans: spans), line: line, raw: raw)
        return true
    }

    private func ingest<F: OktaFields>(_ fields: F, line: Int, raw: UnsafeRawBufferPointer) throws {
        try ctx.rejectingRow(line: line, raw: raw) {
            var r = try record(fields, line: line)
            var hasher = ctx.store.dedup.hasher()
            if let uuid = r.uuid { hasher.combine(uuid) } else { hasher.combine(raw) }
            r.key = r.uuid != nil ? hasher.finalize() : ctx.keyWithOccurrence(time: r.time, identity: hasher.finalize())
            r.bodyHash = Self.bodyHash(r, ctx: ctx)
            try ctx.add(r)
        }
    }

    /// What was stored of an event, as one number: the same event exported twice (an array,
    /// a hook delivery, pretty-printed) has the same; an edited one does not.
    static func bodyHash(_ r: IdpEventRecord, ctx: FileContext) -> Int64 {
        var h = ctx.store.dedup.hasher()
        for symbol in [r.eventType, r.severity, r.actorId, r.actorType, r.actorName, r.clientIp, r.userAgent, r.outcome,
                       r.outcomeReason, r.grantType, r.requestUri, r.displayMessage, r.clientId, r.targets,
                       r.asNumber, r.asOrg, r.isp, r.isProxy ?? -1, r.terminatedSession ?? 0] { h.combine(symbol) }
        for text in [r.transactionId, r.sessionFingerprint, r.dtHash, r.apiTokenId, r.rootSessionFingerprint, r.rootApiTokenId] {
            h.combine(text ?? "\u{0}")
        }
        return h.finalize()
    }

    func record<F: OktaFields>(_ o: F, line: Int) throws -> IdpEventRecord {
        let v = ctx.vocabulary
        var r = IdpEventRecord()
        r.line = line
        r.provider = v.okta
        guard let published = o.string(.published), let time = TimeParser.parse(published), time.hasZone else {
            throw RowReject("missing or unparseable \"published\" (expected ISO 8601 UTC like 2026-11-21T06:04:01.102Z)")
        }
        r.time = time.epochMs
        r.precisionMs = time.precisionMs
        r.uuid = o.text(.uuid)
        r.eventType = try o.symbol(.eventType, ctx: ctx, field: "value")
        r.severity = try o.symbol(.severity, ctx: ctx, field: "value")
        r.actorId = try o.symbol(.actorId, ctx: ctx, field: "value")
        r.actorType = try o.symbol(.actorType, ctx: ctx, field: "value")
        r.actorName = try o.symbol(o.present(.actorAlternateId) ? .actorAlternateId : .actorDisplayName, ctx: ctx, field: "value")
        r.clientIp = try ctx.interner.intern(ctx.address(o.text(.clientIp), field: "client.ipAddress"))
        r.userAgent = try o.freeText(.rawUserAgent, ctx: ctx, field: "client.userAgent.rawUserAgent")
        let result = o.text(.outcomeResult)?.uppercased() ?? ""
        let reason = o.text(.outcomeReason)
        r.outcomeReason = try ctx.freeText(reason, field: "outcome.reason")
        switch result {
        case "SUCCESS", "ALLOW": r.outcome = v.outcome(.success)
        case "FAILURE", "DENY": r.outcome = v.outcome(.failure)
        default: r.outcome = v.outcome(.unknown)
        }
        if result == "FAILURE" || result == "DENY" {
            r.failureClass = v.failure(FailureClass.classify(reason ?? ""))
        }
        // Okta's rate-limit and refresh-token-reuse events are refusals whatever their outcome says.
        let eventType = o.string(.eventType) ?? ""
        if eventType.hasPrefix("system.operation.rate_limit") {
            r.outcome = v.outcome(.failure)
            r.failureClass = v.failure(.rateLimited)
        } else if eventType.hasSuffix(".token.detect_reuse") {   // app.oauth2.token.detect_reuse, app.oauth2.as.token.detect_reuse
            r.outcome = v.outcome(.failure)
            r.failureClass = v.failure(.tokenReuse)
        }
        let grantType = o.text(.grantType)
        r.grantType = try ctx.interner.intern(grantType)
        if let grantType, let flow = FlowClassifier.flow(forGrantType: grantType) { r.flow = v.flow(flow) }
        r.requestUri = try o.freeText(.requestUri, ctx: ctx, field: "debugContext.debugData.requestUri")
        r.transactionId = o.text(.transactionId)
        r.displayMessage = try o.freeText(.displayMessage, ctx: ctx, field: "displayMessage")
        // Session and token fields: a session id identifies a live session, so only its fingerprint is kept.
        r.sessionFingerprint = o.text(.externalSessionId).flatMap { $0.isEmpty || $0 == "unknown" ? nil : Fingerprint.of($0) }
        r.dtHash = ctx.text(o.text(.dtHash), field: "debugContext.debugData.dtHash")
        r.apiTokenId = ctx.text(o.text(.requestApiTokenId), field: "transaction.detail.requestApiTokenId")
        r.rootSessionFingerprint = o.text(.rootSessionId).flatMap { $0 == "unknown" ? nil : Fingerprint.of($0) }
        r.rootApiTokenId = ctx.text(o.text(.rootApiTokenId), field: "transaction.detail.rootApiTokenId")
        // Identity Threat Protection ended the session itself: the action is Okta's own field,
        // never a free-text value a client sent (a user agent saying TERMINATE_SESSION is not one).
        if eventType == "policy.continuous_access.action",
           [o.text(.debugAction), reason].contains(where: { $0?.uppercased().contains("TERMINATE_SESSION") == true }) {
            r.terminatedSession = 1
        }
        r.clientId = try o.symbol(.clientId, ctx: ctx, field: "client.id")
        r.asNumber = try o.symbol(.asNumber, ctx: ctx, field: "securityContext.asNumber")
        r.asOrg = try o.freeText(.asOrg, ctx: ctx, field: "securityContext.asOrg")
        r.isp = try o.freeText(.isp, ctx: ctx, field: "securityContext.isp")
        r.isProxy = o.bool(.isProxy).map { $0 ? 1 : 0 }
        if let targets = o.targets(), !targets.isEmpty {
            let kept: [JSONValue] = targets.map { t in
                .object(["id": t["id"] ?? .null, "type": t["type"] ?? .null, "displayName": t["displayName"] ?? .null])
            }
            r.targets = try ctx.freeText(JSONValue.array(kept).serialized, field: "target")
        }
        return r
    }
}
