import Foundation
import HybridCore
import HybridDiagnostics
import HybridGraph
import HybridYAML
import SupersetClient

/// What a Superset holds, in hybrid's normal form: every object's id by uuid, and the normalized
/// export of the requested ones.
public struct ServerView: Sendable {
    public struct Object: Sendable {
        public var kind: AssetKind
        public var id: Int
        public var name: String
    }

    public struct Exported: Sendable {
        public var kind: AssetKind
        /// The file name Superset gave it (`charts/Revenue_12.yaml`).
        public var exportPath: String
        public var node: YAMLNode
        /// The normal form's bytes (comparable with a bundle file).
        public var bytes: [UInt8]
    }

    /// Every object on the server with a uuid, by lower-case uuid.
    public var objects: [String: Object] = [:]
    /// Normalized exports, by lower-case uuid (the requested objects and what their exports include).
    public var exported: [String: Exported] = [:]

    static func kind(_ kind: SupersetAssetKind) -> AssetKind {
        switch kind {
        case .database: .database
        case .dataset: .dataset
        case .chart: .chart
        case .dashboard: .dashboard
        }
    }

    static func apiKind(_ kind: AssetKind) -> SupersetAssetKind {
        switch kind {
        case .database: .database
        case .dataset: .dataset
        case .chart: .chart
        case .dashboard: .dashboard
        }
    }

    /// Lists every object, then exports those whose uuid is in `uuids` (all with `everything`).
    public static func fetch(
        _ client: SupersetAPIClient, uuids: Set<String>, everything: Bool = false
    ) async throws(SupersetError) -> ServerView {
        var view = ServerView()
        for apiKind in SupersetAssetKind.allCases {
            for object in try await client.list(apiKind) {
                guard let uuid = object.uuid?.lowercased() else { continue }
                view.objects[uuid] = Object(kind: kind(apiKind), id: object.id, name: object.name)
            }
        }
        if everything {
            try view.absorb(try await client.exportAssets())
            return view
        }
        for apiKind in SupersetAssetKind.allCases.reversed() {
            let ids = view.objects.filter { uuids.contains($0.key) && $0.value.kind == kind(apiKind) }.map(\.value.id)
                .sorted()
            guard !ids.isEmpty else { continue }
            for chunk in stride(from: 0, to: ids.count, by: 100) {
                try view.absorb(try await client.export(apiKind, ids: Array(ids[chunk..<min(chunk + 100, ids.count)])))
            }
        }
        return view
    }

    /// Adds the files of an export ZIP, normalized.
    mutating func absorb(_ zip: Data) throws(SupersetError) {
        let files: [(path: String, bytes: [UInt8])]
        do {
            files = try BundleArchive.read(zip)
        } catch {
            throw SupersetError.configuration("the export is not a readable bundle: \(error)")
        }
        var nodes: [String: YAMLNode] = [:]
        var kinds: [String: AssetKind] = [:]
        for file in files {
            guard let kind = AssetKind(templatePath: file.path),
                let node = try? YAMLParser.parseDocument(file.bytes, file: file.path)
            else { continue }
            var dropped: [SupersetNormalForm.Dropped] = []
            nodes[file.path] = SupersetNormalForm.normalize(node, kind: kind, dropped: &dropped)
            kinds[file.path] = kind
        }
        SupersetNormalForm.normalizeBundle(&nodes, kinds: kinds)
        for (path, node) in nodes {
            guard let kind = kinds[path], let uuid = node.mappingValue?["uuid"]?.stringValue?.lowercased() else {
                continue
            }
            exported[uuid] = Exported(kind: kind, exportPath: path, node: node, bytes: YAMLEmitter.emit(node))
        }
    }
}
