import Foundation
import HybridCache
import HybridCompiler
import HybridDiagnostics
import HybridYAML
import SupersetClient
import SupersetModel

/// `hybrid drift-plan`: every asset of the bundle classified against the target (``SyncState``)
/// from the applied state and the server's export, both in the normal form; drift comes with the
/// changed top-level fields and a bundle/server diff.
public struct DriftPlanner: Sendable {
    public struct Drift: Sendable, Codable, Equatable {
        public var path: String
        public var uuid: String
        public var state: SyncState
        /// The top-level keys whose values differ (drift and pending updates).
        public var fields: [String]
        /// `diff -u` of the bundle file against the server's normalized export.
        public var diff: String
    }

    let connection: RuntimeConnection
    let store: CacheStore
    /// The server's listing, when the caller read it once for several bundles.
    let listing: ServerView?

    public init(connection: RuntimeConnection, store: CacheStore, listing: ServerView? = nil) {
        self.connection = connection
        self.store = store
        self.listing = listing
    }

    /// Every asset that is not in sync, in kind then path order: drift and what is pending.
    public func drift(_ bundle: BundleSnapshot) async throws(Diagnostic) -> [Drift] {
        let view: ServerView
        do {
            var listed: ServerView
            if let listing { listed = listing } else { listed = try await ServerView.list(connection.client) }
            try await listed.export(connection.client, uuids: Set(bundle.assets.map(\.uuid)))
            view = listed
        } catch {
            throw error.diagnostic
        }
        let state = AppliedState.load(
            at: AppliedState.path(
                store: store, environment: bundle.environment, tenant: bundle.tenant, target: connection.target),
            store: store)
        var drifts: [Drift] = []
        for asset in bundle.assets.sorted(by: { ($0.kind, $0.path) < ($1.kind, $1.path) }) {
            let exported = view.exported[asset.uuid]
            // Every listed asset of the bundle was exported: one the export left out compares as empty.
            let sync = SyncState.of(
                bundleBytes: asset.bytes, applied: state.assets[asset.uuid], onServer: view.objects[asset.uuid] != nil,
                serverBytes: exported?.bytes ?? [])
            guard sync != .inSync && sync != .adopt else { continue }
            var drift = Drift(path: asset.path, uuid: asset.uuid, state: sync, fields: [], diff: "")
            if let exported, exported.bytes != asset.bytes {
                drift.fields = Self.changedFields(asset.node.mappingValue, exported.node.mappingValue)
                drift.diff = LineDiff.unified(
                    String(decoding: asset.bytes, as: UTF8.self), String(decoding: exported.bytes, as: UTF8.self),
                    oldName: "bundle/\(asset.path)", newName: "server/\(asset.path)")
            }
            drifts.append(drift)
        }
        return drifts
    }

    static func changedFields(_ a: YAMLMapping?, _ b: YAMLMapping?) -> [String] {
        let left = a?.entries ?? []
        let right = b?.entries ?? []
        var keys = Set(left.compactMap { $0.key.stringValue }).union(right.compactMap { $0.key.stringValue })
        keys = keys.filter { key in
            let x = left.first { $0.key.stringValue == key }?.value
            let y = right.first { $0.key.stringValue == key }?.value
            return x != y
        }
        return keys.sorted()
    }
}
