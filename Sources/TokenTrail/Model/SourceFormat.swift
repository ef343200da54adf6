/// Every export TokenTrail reads, as data. The raw value is the name stored in
/// `sources.format` (a contract: databases kept for months hold these names). Readers return
/// one of these, and everything that asks what a file was (coverage, twins, the correlator's
/// covered time, blast radii) asks this list, never a spelled-out name.
enum SourceFormat: String, CaseIterable, Sendable {
    // Salesforce Login History: API export (SOQL, Data Loader, `sf data query`), Setup downloads.
    case loginHistoryAPI = "login_history_api"
    case loginHistorySetupEnglish = "login_history_setup_en"
    case loginHistorySetupJapanese = "login_history_setup_ja"
    // Real-Time Event Monitoring records (SOQL CSV or JSON): LoginEvent, LogoutEvent/ApiEvent.
    case loginEvent = "login_event"
    case rtemActivity = "rtem_activity"
    // Event Monitoring log files (EventLogFile CSV), by event type.
    case elfLogin = "elf_login", elfLoginAs = "elf_loginas", elfLogout = "elf_logout", elfAPI = "elf_api"
    case elfRestAPI = "elf_restapi", elfAPITotalUsage = "elf_apitotalusage", elfBulkAPI = "elf_bulkapi"
    case elfBulkAPI2 = "elf_bulkapi2", elfOther = "elf_other"
    // Event Log Objects (LoginEventLog, ApiTotalUsageEventLog, …; SOQL CSV or JSON): the ELF
    // fields in PascalCase, read through the same alias table.
    case eloLogin = "elo_login", eloLoginAs = "elo_loginas", eloLogout = "elo_logout", eloAPI = "elo_api"
    case eloRestAPI = "elo_restapi", eloAPITotalUsage = "elo_apitotalusage", eloBulkAPI = "elo_bulkapi"
    case eloBulkAPI2 = "elo_bulkapi2", eloOther = "elo_other"
    // The identity provider's log and the integrations' own client logs.
    case oktaSystemLog = "okta_system_log"
    case tokenLog = "token_log"

    /// What a file of the format is evidence of.
    enum Kind: Sendable { case serverLogin, activity, clientLog, idpLog }

    var kind: Kind {
        switch self {
        case .loginHistoryAPI, .loginHistorySetupEnglish, .loginHistorySetupJapanese, .loginEvent, .elfLogin, .eloLogin: .serverLogin
        case .oktaSystemLog: .idpLog
        case .tokenLog: .clientLog
        default: .activity
        }
    }

    /// The `origin` its logins are stored under (`logins.origin`).
    var loginOrigin: String? {
        switch self {
        case .loginHistoryAPI, .loginHistorySetupEnglish, .loginHistorySetupJapanese: "login_history"
        case .loginEvent: "login_event"
        case .elfLogin, .eloLogin: "elf"
        default: nil
        }
    }

    /// The Event Monitoring event type (`Login`, `RestApi`, …) of an ELF file or Event Log Object.
    var eventType: String? {
        let name = rawValue
        guard name.hasPrefix("elf_") || name.hasPrefix("elo_") else { return nil }
        return Self.eventTypes.first { $0.lowercased() == name.dropFirst(4) }
    }

    /// Event Monitoring's two families: log files (ELF CSV) and Event Log Objects (SOQL).
    var isEventLogFile: Bool { rawValue.hasPrefix("elf_") }
    var isEventLogObject: Bool { rawValue.hasPrefix("elo_") }

    static let eventTypes = ["Login", "LoginAs", "Logout", "API", "RestApi", "ApiTotalUsage", "BulkApi", "BulkApi2", "Other"]

    /// The ELF file (`objects` false) or Event Log Object export of an event type.
    static func eventMonitoring(_ eventType: String, objects: Bool) -> SourceFormat {
        let type = eventTypes.contains(eventType) ? eventType : "Other"
        return SourceFormat(rawValue: (objects ? "elo_" : "elf_") + type.lowercased())!
    }

    /// The source whose silence means a collection stopped (`coverage-gap`, the incident's
    /// uncovered sources): exports that have rows every day in an org that produces them. One
    /// source whatever its shape (a Login History download is Login History; LoginEventLog is
    /// the ELF Login data). Sparse files (LoginAs, Logout, Bulk jobs) are none; client logs are
    /// covered per host.
    var coverage: String? {
        switch self {
        case .loginHistoryAPI, .loginHistorySetupEnglish, .loginHistorySetupJapanese: "Login History"
        case .elfLogin, .eloLogin: "ELF Login"
        case .loginEvent: "LoginEvent"
        case .elfAPI, .eloAPI: "ELF API"
        case .elfRestAPI, .eloRestAPI: "ELF RestApi"
        case .elfAPITotalUsage, .eloAPITotalUsage: "ELF ApiTotalUsage"
        case .elfOther, .eloOther: "ELF (other event types)"
        case .oktaSystemLog: "Okta System Log"
        default: nil
        }
    }

    /// The coverage sources, each with its formats, in a stable order.
    static let coverageKinds: [(label: String, formats: [SourceFormat])] = {
        var out: [(label: String, formats: [SourceFormat])] = []
        for format in allCases {
            guard let label = format.coverage else { continue }
            if let i = out.firstIndex(where: { $0.label == label }) { out[i].formats.append(format) } else { out.append((label, [format])) }
        }
        return out
    }()

    /// An SQL condition on `sources.format` for these formats. The names are this list's own
    /// constants (lower case letters and underscores), never a value read from a file.
    static func sql(_ formats: some Sequence<SourceFormat>, column: String = "format") -> String {
        let names = formats.map { "'\($0.rawValue)'" }
        return names.isEmpty ? "0" : "\(column) IN (\(names.joined(separator: ", ")))"
    }

    static func all(_ kind: Kind) -> [SourceFormat] { allCases.filter { $0.kind == kind } }
}
