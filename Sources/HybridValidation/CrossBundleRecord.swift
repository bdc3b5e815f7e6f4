import HybridCache
import HybridRemoteCache

/// What the last cross-bundle check of an environment found (names two bundles give to assets of
/// different uuids, ``ServerUniqueNames``), per bundle, before the findings are located in the
/// templates. Keyed by every checked bundle's name and ``ValidationRecord/BundleKey``, so it holds
/// exactly while no file of any of them changed; stored in the cache (namespace `validate`) and, as
/// an entry, in the remote cache. Not kept by `hybrid cache gc` (the next validate checks again).
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

    /// Findings by bundle name (`prod/client_a`).
    var findings: [String: [ValidationFinding]]

    static func remoteKey(_ key: Key) -> RemoteDigest {
        RemoteDigest.key(["hybrid", "validate-cross-bundle/1", key.digest.description])
    }

    static func load(_ key: Key, store: CacheStore) -> CrossBundleRecord? {
        store.record(ValidationRecord.namespace, key.digest).flatMap(decode)
    }

    func save(_ key: Key, store: CacheStore) {
        try? store.putRecord(ValidationRecord.namespace, key.digest, encoded)
    }

    var encoded: [UInt8] {
        var writer = BinaryWriter()
        writer.write("cross-bundle/1")
        writer.write(UInt64(findings.count))
        for (bundle, list) in findings.sorted(by: { $0.key < $1.key }) {
            writer.write(bundle)
            ValidationRecord.write(list, to: &writer)
        }
        return writer.bytes
    }

    static func decode(_ payload: [UInt8]) -> CrossBundleRecord? {
        var reader = BinaryReader(payload)
        do {
            guard try reader.readString() == "cross-bundle/1" else { return nil }
            var findings: [String: [ValidationFinding]] = [:]
            for _ in 0..<(try reader.readCount()) {
                let bundle = try reader.readString()
                guard let list = try ValidationRecord.read(&reader) else { return nil }
                findings[bundle] = list
            }
            return CrossBundleRecord(findings: findings)
        } catch {
            return nil
        }
    }
}
