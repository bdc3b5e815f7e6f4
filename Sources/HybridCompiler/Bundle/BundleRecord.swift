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
    public static let version = "bundle-record/3"

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

    /// A template that rendered empty in this bundle (no asset here), with its output key: an
    /// edit elsewhere can reuse the record while this key holds.
    public struct EmptyTemplate: Sendable, Equatable {
        /// Bundle-relative, as an output's would be (`charts/x.yaml`).
        public var outputPath: String
        public var key: ContentHash
    }

    /// Hash of everything the bundle was compiled from: when unchanged, every output is current.
    public var inputs: ContentHash
    public var mapping: ContentHash?
    public var outputs: [Output]
    /// `metadata.yaml`'s stamp.
    public var metadataStamp: FileStamp
    /// The stamp of the bundle's status file as this build left it (``BundleStatus``): while it
    /// holds, the status on disk is the `complete` one this record was saved with.
    public var statusStamp: FileStamp
    /// The templates that rendered empty, in template order.
    public var empty: [EmptyTemplate]

    public init(
        inputs: ContentHash, mapping: ContentHash?, outputs: [Output], metadataStamp: FileStamp,
        statusStamp: FileStamp = FileStamp.absent, empty: [EmptyTemplate] = []
    ) {
        self.empty = empty
        self.inputs = inputs
        self.mapping = mapping
        self.outputs = outputs
        self.metadataStamp = metadataStamp
        self.statusStamp = statusStamp
    }

    static func path(store: CacheStore, scope: BundleScope) -> String {
        store.root + "/bundles/" + scope.environment + "/" + (scope.tenant.map { "t-" + $0 } ?? "base")
    }

    public static func load(store: CacheStore, scope: BundleScope) -> BundleRecord? {
        guard let view = BundleRecordView.load(store: store, scope: scope) else { return nil }
        do {
            return try view.record()
        } catch {
            store.reportUndecodable(path(store: store, scope: scope))
            return nil
        }
    }

    /// A record from its payload (``encoded``); nil when written by another record version.
    static func decode(_ payload: [UInt8]) throws(BinaryReader.Malformed) -> BundleRecord? {
        try BundleRecordView(payload)?.record()
    }

    public func save(store: CacheStore, scope: BundleScope) throws(AtomicFile.IOError) {
        try store.writeRecord(encoded(), at: BundleRecord.path(store: store, scope: scope), vanishing: true)
    }

    /// The record's payload (what ``BundleRecordView`` reads): a header, an index with what the
    /// no-op and the one-edit paths need per output (stamp, key, usage, warnings count, path),
    /// then each output's details, length-prefixed.
    func encoded() -> [UInt8] {
        BundleRecordView.encode(
            header: BundleRecordView.Header(
                inputs: inputs, mapping: mapping, metadataStamp: metadataStamp, statusStamp: statusStamp),
            entries: outputs.map(BundleRecordView.Entry.init), empty: empty)
    }

    /// One output's details (everything but what the index holds).
    static func encodeDetails(_ output: Output) -> [UInt8] {
        var writer = BinaryWriter(capacity: 512)
        writer.write(output.template)
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
        writer.write(output.hash)
        writer.write(UInt64(output.warnings.count))
        for warning in output.warnings { writer.write(warning) }
        return writer.bytes
    }

    /// An output from its details and its index entry's key, usage and stamp.
    static func decodeDetails(
        _ reader: inout BinaryReader, key: ContentHash, usage: MappingUsage, stamp: FileStamp
    ) throws(BinaryReader.Malformed) -> Output {
        let template = try reader.readString()
        let rendered = try reader.readHash()
        let identity = try readIdentity(&reader)
        var lookups: [(String, String)] = []
        for _ in 0..<(try reader.readCount()) {
            lookups.append((try reader.readString(), try reader.readString()))
        }
        let hash = try reader.readHash()
        var warnings: [Diagnostic] = []
        for _ in 0..<(try reader.readCount()) { warnings.append(try reader.readDiagnostic()) }
        return Output(
            template: template, key: key, rendered: rendered, identity: identity, lookups: lookups, usage: usage,
            hash: hash, stamp: stamp, warnings: warnings)
    }

    /// The identity at the start of an output's details, after its template and rendered hash.
    static func readIdentity(_ reader: inout BinaryReader) throws(BinaryReader.Malformed) -> AssetIdentity {
        guard let kind = AssetKind(rawValue: try reader.readString()) else { throw BinaryReader.Malformed() }
        let referenceName = try reader.readString()
        let uuid = try reader.readString()
        let name = try reader.readBool() ? try reader.readString() : nil
        let cacheTimeout = try reader.readBool() ? try reader.readString() : nil
        return AssetIdentity(
            kind: kind, referenceName: referenceName, uuid: uuid, name: name, cacheTimeout: cacheTimeout)
    }

    public static func remove(store: CacheStore, scope: BundleScope) {
        unlink(path(store: store, scope: scope))
    }
}
