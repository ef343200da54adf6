/// An interned string's id in the `strings` table; 0 means "no value" (stored as NULL).
/// Categorical columns (users, apps, IPs, statuses, …) are stored as symbols so a login row
/// stays narrow (DESIGN: dimension tables) and the hot path allocates no Strings.
public typealias Symbol = Int64
