/// Where a finding's `file:line`s come from: given by its rule, or a ticket of the shared
/// evidence pass that runs after every rule (`Facts.resolveEvidence`).
public struct EvidenceTicket: Hashable, Sendable {
    enum Table: Sendable { case logins, requests }
    let table: Table, request: Int, bucket: Int
}

public enum Evidence: ExpressibleByArrayLiteral, Sendable {
    case lines([String])
    case pending(EvidenceTicket)
    public init(arrayLiteral elements: String...) { self = .lines(elements) }
}

