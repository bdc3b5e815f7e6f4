import HybridCache
import HybridRemoteCache
import SupersetModel

/// What the last cross-bundle check of an environment found: the names two bundles give to assets
/// of different uuids (``ServerUniqueNames``), each with every claim on it. Keyed by every checked
/// bundle's name and ``ValidationRecord/BundleKey``, so it holds exactly while no file of any of them
/// changed; stored in the cache (namespace `validate`) and, as an entry, in the remote cache. The
/// clashes are kept, not the findings made of them (each finding lists every other claim: stored,
/// that would grow with the square of the tenants). Not kept by `hybrid cache gc` (the next
/// validate checks again).
struct CrossBundleRecord {
    struct Key: CacheKey {
        static let identifier = "validate-cross-bundle"
        static let version = BundleValidator.version
        var environment: String
        var bundles: [Bundle]

        struct Bundle: Encodable {
            var name: String
            var key: ContentHash
        }
    }

    struct Claim {
        var bundle: String
        var path: String
        var uuid: String
        var keyPath: String
        var line: Int
        var column: Int
    }

    struct Clash {
        var name: String
        var claims: [Claim]
    }

    var clashes: [Clash]

    init(_ clashes: [ServerUniqueNames.Clash]) {
        self.clashes = clashes.map { clash in
            Clash(
                name: clash.name,
                claims: clash.claims.map {
                    Claim(
                        bundle: $0.bundle, path: $0.path, uuid: $0.uuid, keyPath: $0.keyPath, line: Int($0.mark.line),
                        column: Int($0.mark.column))
                })
        }
    }

    private init(clashes: [Clash]) {
        self.clashes = clashes
    }

    /// An error in each bundle for each of its claims on a clashing name, by bundle name.
    var findings: [String: [ValidationFinding]] {
        var found: [String: [ValidationFinding]] = [:]
        for clash in clashes {
            for claim in clash.claims {
                let others = clash.claims.filter { $0.uuid != claim.uuid }
                let locations = others.map { "\($0.bundle): \($0.path) (uuid \($0.uuid))" }
                found[claim.bundle, default: []].append(
                    ValidationFinding(
                        severity: .error, rule: .duplicate, path: claim.path, keyPath: claim.keyPath,
                        line: claim.line, column: claim.column,
                        message:
                            "\(clash.name) is also taken in \(others.map(\.bundle).sorted().joined(separator: ", ")) by another asset; "
                            + "these bundles go to one Superset, which keeps one \(clash.name) per server: give each "
                            + "tenant its own (retarget it in its mapping, or derive it from a tenant variable)",
                        related: locations.map { "also in " + $0 }))
            }
        }
        return found
    }

    static func remoteKey(_ key: Key) -> RemoteDigest {
        RemoteDigest.key(["hybrid", "validate-cross-bundle/2", key.digest.description])
    }

    static func load(_ key: Key, store: CacheStore) -> CrossBundleRecord? {
        store.record(ValidationRecord.namespace, key.digest).flatMap(decode)
    }

    func save(_ key: Key, store: CacheStore) {
        try? store.putRecord(ValidationRecord.namespace, key.digest, encoded)
    }

    private static let format = "cross-bundle/2"

    var encoded: [UInt8] {
        var writer = BinaryWriter()
        writer.write(CrossBundleRecord.format)
        writer.write(UInt64(clashes.count))
        for clash in clashes {
            writer.write(clash.name)
            writer.write(UInt64(clash.claims.count))
            for claim in clash.claims {
                writer.write(claim.bundle)
                writer.write(claim.path)
                writer.write(claim.uuid)
                writer.write(claim.keyPath)
                writer.write(claim.line)
                writer.write(claim.column)
            }
        }
        return writer.bytes
    }

    static func decode(_ payload: [UInt8]) -> CrossBundleRecord? {
        var reader = BinaryReader(payload)
        do {
            guard try reader.readString() == format else { return nil }
            var clashes: [Clash] = []
            for _ in 0..<(try reader.readCount()) {
                let name = try reader.readString()
                var claims: [Claim] = []
                for _ in 0..<(try reader.readCount()) {
                    claims.append(
                        Claim(
                            bundle: try reader.readString(), path: try reader.readString(),
                            uuid: try reader.readString(), keyPath: try reader.readString(), line: try reader.readInt(),
                            column: try reader.readInt()))
                }
                clashes.append(Clash(name: name, claims: claims))
            }
            return CrossBundleRecord(clashes: clashes)
        } catch {
            return nil
        }
    }
}
