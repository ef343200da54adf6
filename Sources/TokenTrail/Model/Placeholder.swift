/// The words exports write where they have no value (Login History's `Unknown` browser,
/// `N/A` versions): no value, for every reader that asks (twins filling a blank, client
/// fingerprints that must not call `Unknown` a new client).
public enum Placeholder {
    public static let values: Set<String> = ["", "unknown", "n/a", "-", "none", "null"]

    public static func isBlank(_ text: String) -> Bool {
        values.contains(text.trimmingCharacters(in: .whitespaces).lowercased())
    }
}
