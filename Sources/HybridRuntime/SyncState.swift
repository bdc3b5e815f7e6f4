import HybridCache

/// Where one bundle asset stands on a target, from what hybrid last applied there (the applied
/// state) and what the server holds now: the one classification `drift-plan`, `plan` and
/// `promote --drift` share. Drift means the server changed behind hybrid's back — an asset hybrid
/// applied that was edited or deleted outside Git, or one it never applied that the server holds
/// differently; an asset that was simply never applied is a pending `create`, not drift.
public enum SyncState: String, Sendable, Codable, CaseIterable {
    /// Never applied from here and not on the server: a pending create.
    case create
    /// Not applied from here, but the server holds it with the bundle's content: adopted.
    case adopt
    /// Not applied from here, and the server holds it with other content: drift.
    case adoptDiffers = "adopt-differs"
    /// Applied, and the server holds what the bundle says.
    case inSync = "in-sync"
    /// Applied, the server still as applied, the bundle changed since: a pending update.
    case update
    /// Applied, then changed on the server outside Git: drift.
    case drifted
    /// Applied, then deleted on the server outside Git: drift.
    case deleted

    /// Whether the server changed behind hybrid's back.
    public var isDrift: Bool {
        switch self {
        case .adoptDiffers, .drifted, .deleted: true
        case .create, .adopt, .inSync, .update: false
        }
    }

    /// Why `plan` and `apply` act on it, in words.
    public var reason: String {
        switch self {
        case .create: "not on the server"
        case .adopt: "on the server already, as in the bundle (adopted)"
        case .adoptDiffers: "on the server with other content, never applied from here"
        case .inSync: "in sync"
        case .update: "changed in the bundle"
        case .drifted: "drifted on the server"
        case .deleted: "missing on the server (deleted since the last apply)"
        }
    }

    /// Classifies one asset. `onServer`: the server lists its uuid; `serverBytes`: its normalized
    /// export, nil when not exported because hybrid saw it unchanged since (same `changed_on`).
    public static func of(
        bundleBytes: [UInt8], applied: AppliedState.Asset?, onServer: Bool, serverBytes: [UInt8]?
    ) -> SyncState {
        guard onServer else { return applied == nil ? .create : .deleted }
        guard let serverBytes else { return applied == nil ? .adopt : .inSync }
        if serverBytes == bundleBytes { return applied == nil ? .adopt : .inSync }
        guard let applied else { return .adoptDiffers }
        return ContentHash(of: serverBytes) == applied.hash ? .update : .drifted
    }
}
