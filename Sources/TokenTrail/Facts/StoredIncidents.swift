// Where an incident is in the report (`IncidentsTable` reads and writes its rows).
extension Incident {
    /// The page of the incident in the report (its id is hex digits; anything else is dropped all the same).
    public var page: String {
        "incident-" + String(id.dropFirst(id.hasPrefix("inc-") ? 4 : 0).unicodeScalars.filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }.map(Character.init)) + ".html"
    }
}
