import Foundation
import HybridCache
import HybridDiagnostics
import SupersetModel

/// What the last successful compile of one bundle did, per output: the inputs it was made from,
/// the identity it had, the references it resolved, the mapping entries it used, and the file it
/// wrote. Stored in the cache (`bundles/<env>/<tenant>`); a mismatch anywhere is a rebuild of
/// that output, a missing or corrupt record a rebuild of the bundle.
public struct BundleRecord: Sendable {
    /// Bump when this record's format changes (what the outputs are made from is versioned by
    /// ``OutputKey``: a record of an older transform simply misses).
    public static let version = "bundle-record/1"

    public struct Output: Sendable {
        public var template: String
        /// The digest of the output's ``OutputKey``: its inputs except the link table.
        public var key: ContentHash
        public var rendered: ContentHash
        public var identity: AssetIdentity
        public var lookups: [(query: String, result: String)]
        public var usage: MappingUsage
        /// The output file's content hash, and its stamp when written or last verified.
        public var hash: ContentHash
        public var stamp: FileStamp
        /// The warnings linking and normalizing this output gave, repeated when it is reused.
        public var warnings: [Diagnostic] = []

        /// Bundle-relative (`charts/x.yaml`).
        public var outputPath: String { AssetTemplate.outputPath(ofTemplate: template) }
    }

    /// Hash of everything the bundle was compiled from: when unchanged, every output is current.
    public var inputs: ContentHash
    public var mapping: ContentHash?
    public var outputs: [Output]
    /// `metadata.yaml`'s stamp.
    public var metadataStamp: FileStamp

    public init(inputs: ContentHash, mapping: ContentHash?, outputs: [Output], metadataStamp: FileStamp) {
        self.inputs = inputs
        self.mapping = mapping
        self.outputs = outputs
        self.metadataStamp = metadataStamp
    }

    static func path(store: CacheStore, scope: BundleScope) -> String {
        store.root + "/bundles/" + scope.environment + "/" + (scope.tenant.map { "t-" + $0 } ?? "base")
    }

    public static func load(store: CacheStore, scope: BundleScope) -> BundleRecord? {
        let path = path(store: store, scope: scope)
        guard let payload = store.readRecord(at: path) else { return nil }
        do {
            return try decode(payload)
        } catch {
            store.reportUndecodable(path)
            return nil
        }
    }

    /// A record from its payload (``encoded``); nil when written by another record version.
    static func decode(_ payload: [UInt8]) throws(BinaryReader.Malformed) -> BundleRecord? {
        var reader = BinaryReader(payload)
        guard try reader.readString() == version else { return nil }
        let inputs = try reader.readHash()
        let mapping = try reader.readBool() ? try reader.readHash() : nil
        let metadataStamp = try reader.readStamp()
        var outputs: [Output] = []
        let count = try reader.readCount()
        outputs.reserveCapacity(min(count, 1 << 16))
        for _ in 0..<count {
            let template = try reader.readString()
            let key = try reader.readHash()
            let rendered = try reader.readHash()
            guard let kind = AssetKind(rawValue: try reader.readString()) else { throw BinaryReader.Malformed() }
            let referenceName = try reader.readString()
            let uuid = try reader.readString()
            let name = try reader.readBool() ? try reader.readString() : nil
            let cacheTimeout = try reader.readBool() ? try reader.readString() : nil
            var lookups: [(String, String)] = []
            for _ in 0..<(try reader.readCount()) {
                lookups.append((try reader.readString(), try reader.readString()))
            }
            var words: [UInt64] = []
            for _ in 0..<(try reader.readCount()) { words.append(try reader.readUInt64()) }
            let hash = try reader.readHash()
            let stamp = try reader.readStamp()
            var warnings: [Diagnostic] = []
            for _ in 0..<(try reader.readCount()) { warnings.append(try readDiagnostic(&reader)) }
            outputs.append(
                Output(
                    template: template, key: key, rendered: rendered,
                    identity: AssetIdentity(
                        kind: kind, referenceName: referenceName, uuid: uuid, name: name, cacheTimeout: cacheTimeout
                    ),
                    lookups: lookups, usage: MappingUsage(words: words), hash: hash, stamp: stamp,
                    warnings: warnings))
        }
        return BundleRecord(inputs: inputs, mapping: mapping, outputs: outputs, metadataStamp: metadataStamp)
    }

    public func save(store: CacheStore, scope: BundleScope) throws(AtomicFile.IOError) {
        try store.writeRecord(encoded(), at: BundleRecord.path(store: store, scope: scope))
    }

    /// The record's payload (what ``decode(_:)`` reads).
    func encoded() -> [UInt8] {
        var writer = BinaryWriter(capacity: 256 + outputs.count * 512)
        writer.write(BundleRecord.version)
        writer.write(inputs)
        writer.write(mapping != nil)
        if let mapping { writer.write(mapping) }
        writer.write(metadataStamp)
        writer.write(UInt64(outputs.count))
        for output in outputs {
            writer.write(output.template)
            writer.write(output.key)
            writer.write(output.rendered)
            writer.write(output.identity.kind.rawValue)
            writer.write(output.identity.referenceName)
            writer.write(output.identity.uuid)
            writer.write(output.identity.name != nil)
            if let name = output.identity.name { writer.write(name) }
            writer.write(output.identity.cacheTimeout != nil)
            if let cacheTimeout = output.identity.cacheTimeout { writer.write(cacheTimeout) }
            writer.write(UInt64(output.lookups.count))
            for lookup in output.lookups {
                writer.write(lookup.query)
                writer.write(lookup.result)
            }
            writer.write(UInt64(output.usage.words.count))
            for word in output.usage.words { writer.write(word) }
            writer.write(output.hash)
            writer.write(output.stamp)
            writer.write(UInt64(output.warnings.count))
            for warning in output.warnings { BundleRecord.write(warning, &writer) }
        }
        return writer.bytes
    }

    private static func write(_ diagnostic: Diagnostic, _ writer: inout BinaryWriter) {
        writer.write(diagnostic.severity.rawValue)
        writer.write(diagnostic.message)
        writer.write(diagnostic.location != nil)
        if let location = diagnostic.location {
            writer.write(location.file)
            writer.write(location.line)
            writer.write(location.column)
        }
        writer.write(UInt64(diagnostic.notes.count))
        for note in diagnostic.notes { write(note, &writer) }
    }

    private static func readDiagnostic(_ reader: inout BinaryReader, depth: Int = 0) throws(BinaryReader.Malformed)
        -> Diagnostic
    {
        guard depth < 8, let severity = Diagnostic.Severity(rawValue: try reader.readString()) else {
            throw BinaryReader.Malformed()
        }
        let message = try reader.readString()
        var location: SourceLocation?
        if try reader.readBool() {
            location = SourceLocation(
                file: try reader.readString(), line: try reader.readInt(), column: try reader.readInt())
        }
        var notes: [Diagnostic] = []
        for _ in 0..<(try reader.readCount()) { notes.append(try readDiagnostic(&reader, depth: depth + 1)) }
        return Diagnostic(severity, at: location, message, notes: notes)
    }

    public static func remove(store: CacheStore, scope: BundleScope) {
        unlink(path(store: store, scope: scope))
    }
}
