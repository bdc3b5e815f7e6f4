import HybridCache
import HybridDiagnostics
import HybridRemoteCache

/// What the last validation of one bundle found, stored in the cache (namespace `validate`): per
/// file, its content hash and findings (schema and policy depend only on the file); for the bundle,
/// the key of all its files and their findings (references and duplicates).
struct ValidationRecord: Sendable {
    static let namespace = "validate"

    /// Where a bundle's record is: one per environment and bundle.
    struct Location: CacheKey {
        static let identifier = "validate-record"
        static let version = 1
        var environment: String
        var bundle: String
    }

    /// What the bundle-wide checks read: the validator's configuration and every file's content.
    struct BundleKey: CacheKey {
        static let identifier = "validate-bundle"
        static let version = BundleValidator.version
        var policy: String
        var files: [File]

        struct File: Encodable {
            var path: String
            var hash: ContentHash
        }
    }

    /// The validator's configuration the record was made with (``BundleValidation``'s policy key).
    var policy: String
    var bundleKey: ContentHash
    var bundleFindings: [ValidationFinding]
    var documents: [String: (hash: ContentHash, findings: [ValidationFinding])]

    /// Where the record of a bundle (`dev` or `dev/client_a`) is kept (what `hybrid cache gc` keeps).
    static func path(environment: String, bundle: String, store: CacheStore) -> String {
        store.recordPath(namespace, Location(environment: environment, bundle: bundle).digest)
    }

    /// Where the record of a bundle with these files is in the remote cache (`ac/<sha256 of this key>`):
    /// a record found there was made from exactly these files with this configuration.
    static func remoteKey(_ location: Location, bundleKey: ContentHash) -> RemoteDigest {
        RemoteDigest.key([
            "hybrid", "validate-record/1", location.environment, location.bundle, bundleKey.description,
        ])
    }

    static func load(_ location: Location, policy: String, store: CacheStore) -> ValidationRecord? {
        store.record(namespace, location.digest).flatMap { decode($0, policy: policy) }
    }

    func save(_ location: Location, store: CacheStore) {
        try? store.putRecord(ValidationRecord.namespace, location.digest, encoded)
    }

    var encoded: [UInt8] {
        var writer = BinaryWriter()
        writer.write(policy)
        writer.write(bundleKey)
        ValidationRecord.write(bundleFindings, to: &writer)
        writer.write(UInt64(documents.count))
        for (path, entry) in documents.sorted(by: { $0.key < $1.key }) {
            writer.write(path)
            writer.write(entry.hash)
            ValidationRecord.write(entry.findings, to: &writer)
        }
        return writer.bytes
    }

    /// The record, or nil when it was made with another configuration or does not decode.
    static func decode(_ payload: [UInt8], policy: String) -> ValidationRecord? {
        var reader = BinaryReader(payload)
        do {
            guard try reader.readString() == policy else { return nil }
            let bundleKey = try reader.readHash()
            guard let bundleFindings = try read(&reader) else { return nil }
            var documents: [String: (hash: ContentHash, findings: [ValidationFinding])] = [:]
            for _ in 0..<(try reader.readCount()) {
                let path = try reader.readString()
                let hash = try reader.readHash()
                guard let findings = try read(&reader) else { return nil }
                documents[path] = (hash, findings)
            }
            return ValidationRecord(
                policy: policy, bundleKey: bundleKey, bundleFindings: bundleFindings, documents: documents)
        } catch {
            return nil
        }
    }

    static func write(_ findings: [ValidationFinding], to writer: inout BinaryWriter) {
        writer.write(UInt64(findings.count))
        for finding in findings {
            writer.write(finding.severity.rawValue)
            writer.write(finding.rule.rawValue)
            writer.write(finding.path)
            writer.write(finding.keyPath)
            writer.write(finding.line)
            writer.write(finding.column)
            writer.write(finding.message)
            writer.write(UInt64(finding.related.count))
            for line in finding.related { writer.write(line) }
        }
    }

    static func read(_ reader: inout BinaryReader) throws(BinaryReader.Malformed) -> [ValidationFinding]? {
        var findings: [ValidationFinding] = []
        for _ in 0..<(try reader.readCount()) {
            guard let severity = Diagnostic.Severity(rawValue: try reader.readString()),
                let rule = ValidationFinding.Rule(rawValue: try reader.readString())
            else { return nil }
            let path = try reader.readString()
            let keyPath = try reader.readString()
            let line = try reader.readInt()
            let column = try reader.readInt()
            let message = try reader.readString()
            var related: [String] = []
            for _ in 0..<(try reader.readCount()) { related.append(try reader.readString()) }
            findings.append(
                ValidationFinding(
                    severity: severity, rule: rule, path: path, keyPath: keyPath, line: line, column: column,
                    message: message, related: related))
        }
        return findings
    }
}
