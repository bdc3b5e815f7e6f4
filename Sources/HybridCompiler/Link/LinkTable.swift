import SupersetModel

/// The identities of every asset in one bundle, for resolving references by name or by path.
public struct LinkTable: Sendable {
    /// What a reference resolved to.
    public enum Resolution: Sendable, Equatable {
        case found(String)
        case missing
        /// Several assets carry the name; the reference paths of each.
        case ambiguous([String])

        /// Stable text recorded in the build record (`uuid`, `-`, or `?a,b`).
        public var recorded: String {
            switch self {
            case .found(let uuid): uuid
            case .missing: "-"
            case .ambiguous(let paths): "?" + paths.joined(separator: ",")
            }
        }
    }

    private var byName: [AssetKind: [String: [AssetIdentity]]] = [:]
    /// Every answerable query (``query(_:_:)``), resolved once.
    private var resolutions: [String: Resolution] = [:]
    /// Or: a stored record whose identities are scanned per query (``init(stored:)``).
    private var stored: BundleRecordView?

    /// A table that answers from a stored record's identities, read in place per query, exactly as
    /// the table built from them would: the one-edit path resolves a few queries per bundle, and
    /// building the table was a sixth of it. The record's identities must all be ASCII
    /// (``BundleRecordView/identitiesAreASCII``), so that comparing bytes is comparing strings.
    init(stored: BundleRecordView) {
        self.stored = stored
    }

    public init(_ identities: [AssetIdentity]) {
        resolutions.reserveCapacity(identities.count * 2)
        for identity in identities {
            resolutions[LinkTable.query(identity.kind, identity.referenceName)] = .found(identity.uuid)
            if identity.kind == .database {
                resolutions[LinkTable.cacheTimeoutQuery(database: identity.uuid)] =
                    identity.cacheTimeout.map(Resolution.found) ?? .missing
            }
            if let name = identity.name { byName[identity.kind, default: [:]][name, default: []].append(identity) }
        }
        for (kind, names) in byName {
            for (name, matches) in names {
                resolutions[LinkTable.query(kind, name)] =
                    matches.count == 1 ? .found(matches[0].uuid) : .ambiguous(matches.map(\.referenceName).sorted())
            }
        }
    }

    /// A reference as written: `charts/x` or `charts/x.yaml(.j2)` is a path, anything else a name.
    public static func query(_ kind: AssetKind, _ reference: String) -> String {
        var text = reference
        if text.hasPrefix(kind.directory + "/") {
            if text.hasSuffix(".j2") { text.removeLast(3) }
            if text.hasSuffix(".yaml") { text.removeLast(5) }
            return "\(kind.directory)\u{1F}path\u{1F}\(text)"
        }
        return "\(kind.directory)\u{1F}name\u{1F}\(text)"
    }

    /// The query for a database's `cache_timeout` (by uuid): found with its plain text, or missing.
    public static func cacheTimeoutQuery(database uuid: String) -> String {
        "databases\u{1F}cache_timeout\u{1F}\(uuid)"
    }

    /// Resolves a query made by ``query(_:_:)`` or ``cacheTimeoutQuery(database:)``.
    public func resolve(query: String) -> Resolution {
        if let stored {
            return LinkTable.scan(stored, for: query) ?? LinkTable(decoding: stored).resolve(query: query)
        }
        return resolutions[query] ?? .missing
    }

    /// Names of this kind, for "did you mean" hints.
    public func names(of kind: AssetKind) -> [String] {
        if let stored { return LinkTable(decoding: stored).names(of: kind) }
        return (byName[kind].map { Array($0.keys) } ?? []).sorted()
    }

    /// The table built from a stored record's decoded identities (empty if it is malformed).
    private init(decoding stored: BundleRecordView) {
        self.init((try? stored.record())?.outputs.map(\.identity) ?? [])
    }
}
