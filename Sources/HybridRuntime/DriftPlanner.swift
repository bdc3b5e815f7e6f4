import Foundation
import HybridCompiler
import HybridDiagnostics
import HybridYAML
import SupersetClient
import SupersetModel

/// `hybrid drift-plan`: the compiled bundle against the server's export, both in the normal form.
public struct DriftPlanner: Sendable {
    /// How an asset of the bundle differs from the server's.
    public enum State: String, Sendable, Codable {
        /// The server's export differs from the bundle file.
        case drifted
        /// The server has no asset with this uuid.
        case missing
    }

    public struct Drift: Sendable, Codable, Equatable {
        public var path: String
        public var uuid: String
        public var state: State
        /// The top-level keys whose values differ.
        public var fields: [String]
        /// `diff -u` of the bundle file against the server's normalized export.
        public var diff: String
    }

    let connection: RuntimeConnection

    public init(connection: RuntimeConnection) {
        self.connection = connection
    }

    public func drift(_ bundle: BundleSnapshot) async throws(Diagnostic) -> [Drift] {
        let view: ServerView
        do {
            view = try await ServerView.fetch(connection.client, uuids: Set(bundle.assets.map(\.uuid)))
        } catch {
            throw error.diagnostic
        }
        var drifts: [Drift] = []
        for asset in bundle.assets.sorted(by: { ($0.kind, $0.path) < ($1.kind, $1.path) }) {
            guard let exported = view.exported[asset.uuid] else {
                drifts.append(
                    Drift(path: asset.path, uuid: asset.uuid, state: .missing, fields: [], diff: ""))
                continue
            }
            guard exported.bytes != asset.bytes else { continue }
            let bundleText = String(decoding: asset.bytes, as: UTF8.self)
            let serverText = String(decoding: exported.bytes, as: UTF8.self)
            drifts.append(
                Drift(
                    path: asset.path, uuid: asset.uuid, state: .drifted,
                    fields: Self.changedFields(asset.node.mappingValue, exported.node.mappingValue),
                    diff: LineDiff.unified(
                        bundleText, serverText, oldName: "bundle/\(asset.path)", newName: "server/\(asset.path)")))
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
