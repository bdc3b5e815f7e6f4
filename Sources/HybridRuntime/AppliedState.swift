import Foundation
import HybridCache
import SupersetModel

/// What hybrid last imported successfully into one runtime, per asset: the normal-form hash of the
/// file it sent. Keyed by environment, tenant and target URL (a different server is a different
/// state). Written after each accepted import, so an apply killed at any moment never records an
/// asset the server did not accept.
public struct AppliedState: Sendable, Equatable {
    public static let version = "hybrid-applied/2"

    public struct Asset: Sendable, Equatable {
        public var kind: AssetKind
        /// Bundle-relative path (`charts/x.yaml`).
        public var path: String
        /// Content hash of the normal-form file that was imported.
        public var hash: ContentHash
        /// The server's `changed_on` for it when hybrid last saw it equal to `hash` (after an import
        /// or a comparison): while it stays the same, the server's copy is not exported again.
        public var serverChangedOn: String?

        public init(kind: AssetKind, path: String, hash: ContentHash, serverChangedOn: String? = nil) {
            self.kind = kind
            self.path = path
            self.hash = hash
            self.serverChangedOn = serverChangedOn
        }
    }

    /// By lower-case uuid.
    public var assets: [String: Asset] = [:]

    public init(assets: [String: Asset] = [:]) {
        self.assets = assets
    }

    /// The record's path in the cache for this environment, tenant and target.
    public static func path(store: CacheStore, environment: String, tenant: String?, target: String) -> String {
        let hasher = ContentHasher()
        hasher.update(field: environment)
        hasher.update(field: tenant ?? "")
        hasher.update(field: canonicalTarget(target))
        return store.root + "/applied/" + hasher.finalize().description
    }

    /// A target URL without credentials, trailing slashes or case differences in scheme and host.
    public static func canonicalTarget(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.user = nil
        components.password = nil
        components.scheme = components.scheme?.lowercased()
        components.host = components.host?.lowercased()
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        components.path = path
        return components.string ?? url
    }

    public static func load(at path: String, store: CacheStore) -> AppliedState {
        guard let payload = store.readRecord(at: path) else { return AppliedState() }
        var reader = BinaryReader(payload)
        do {
            guard try reader.readString() == version else { return AppliedState() }
            var state = AppliedState()
            for _ in 0..<(try reader.readCount()) {
                let uuid = try reader.readString()
                guard let kind = AssetKind(rawValue: try reader.readString()) else { throw BinaryReader.Malformed() }
                let path = try reader.readString()
                let hash = try reader.readHash()
                let changedOn = try reader.readBool() ? try reader.readString() : nil
                state.assets[uuid] = Asset(kind: kind, path: path, hash: hash, serverChangedOn: changedOn)
            }
            return state
        } catch {
            store.reportUndecodable(path)
            return AppliedState()
        }
    }

    public func save(at path: String, store: CacheStore) throws(AtomicFile.IOError) {
        var writer = BinaryWriter()
        writer.write(AppliedState.version)
        writer.write(UInt64(assets.count))
        for (uuid, asset) in assets.sorted(by: { $0.key < $1.key }) {
            writer.write(uuid)
            writer.write(asset.kind.rawValue)
            writer.write(asset.path)
            writer.write(asset.hash)
            writer.write(asset.serverChangedOn != nil)
            if let changedOn = asset.serverChangedOn { writer.write(changedOn) }
        }
        try store.writeRecord(writer.bytes, at: path)
    }
}
