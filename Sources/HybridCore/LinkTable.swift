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
    private var byPath: [AssetKind: [String: AssetIdentity]] = [:]

    public init(_ identities: [AssetIdentity]) {
        for identity in identities {
            byPath[identity.kind, default: [:]][identity.referenceName] = identity
            if let name = identity.name { byName[identity.kind, default: [:]][name, default: []].append(identity) }
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

    /// Resolves a query made by ``query(_:_:)``.
    public func resolve(query: String) -> Resolution {
        let parts = query.split(separator: "\u{1F}", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let kind = AssetKind(rawValue: String(parts[0])) else { return .missing }
        let value = String(parts[2])
        if parts[1] == "path" {
            return byPath[kind]?[value].map { .found($0.uuid) } ?? .missing
        }
        guard let matches = byName[kind]?[value], let first = matches.first else { return .missing }
        if matches.count == 1 { return .found(first.uuid) }
        return .ambiguous(matches.map(\.referenceName).sorted())
    }

    /// Names of this kind, for "did you mean" hints.
    public func names(of kind: AssetKind) -> [String] {
        (byName[kind].map { Array($0.keys) } ?? []).sorted()
    }
}
