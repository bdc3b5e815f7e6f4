import Foundation
import HybridCache
import HybridCompiler
import HybridDiagnostics
import HybridYAML
import SupersetClient
import SupersetModel

/// What a Superset holds, in hybrid's normal form: every object's id by uuid, and the normalized
/// export of the requested ones.
public struct ServerView: Sendable {
    public struct Object: Sendable {
        public var kind: AssetKind
        public var id: Int
        public var name: String
        public var changedOn: String?
        /// A dataset's database (server id), catalog and schema; a dashboard's slug.
        public var databaseID: Int?
        public var catalog: String?
        public var schema: String?
        public var slug: String?

        public init(
            kind: AssetKind, id: Int, name: String, changedOn: String? = nil, databaseID: Int? = nil,
            catalog: String? = nil, schema: String? = nil, slug: String? = nil
        ) {
            self.kind = kind
            self.id = id
            self.name = name
            self.changedOn = changedOn
            self.databaseID = databaseID
            self.catalog = catalog
            self.schema = schema
            self.slug = slug
        }
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

    /// The server ids of the listed objects of a kind, by lower-case uuid.
    public func ids(of kind: AssetKind) -> [String: Int] {
        objects.filter { $0.value.kind == kind }.mapValues(\.id)
    }

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

    /// Every object on the server of these kinds (the kinds listed concurrently), without exports.
    public static func list(_ client: SupersetAPIClient, kinds: [AssetKind] = AssetKind.allCases)
        async throws(SupersetError) -> ServerView
    {
        let results = await withTaskGroup(of: Result<[SupersetObject], SupersetError>.self) { group in
            for kind in kinds {
                group.addTask {
                    do throws(SupersetError) {
                        return .success(try await client.list(apiKind(kind)))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var all: [Result<[SupersetObject], SupersetError>] = []
            for await result in group { all.append(result) }
            return all
        }
        var view = ServerView()
        for result in results {
            let objects: [SupersetObject]
            switch result {
            case .success(let value): objects = value
            case .failure(let error): throw error
            }
            for object in objects {
                guard let uuid = object.uuid?.lowercased() else { continue }
                view.objects[uuid] = Object(
                    kind: kind(object.kind), id: object.id, name: object.name, changedOn: object.changedOn,
                    databaseID: object.databaseID, catalog: object.catalog, schema: object.schema, slug: object.slug)
            }
        }
        return view
    }

    /// Lists every object, then exports those whose uuid is in `uuids` (all with `everything`).
    public static func fetch(
        _ client: SupersetAPIClient, uuids: Set<String>, everything: Bool = false
    ) async throws(SupersetError) -> ServerView {
        var view = try await list(client)
        try await view.export(client, uuids: uuids, everything: everything)
        return view
    }

    /// Exports (and normalizes) the listed objects whose uuid is in `uuids` (all with `everything`).
    public mutating func export(
        _ client: SupersetAPIClient, uuids: Set<String>, everything: Bool = false
    ) async throws(SupersetError) {
        var view = self
        defer { self = view }
        if everything {
            try view.absorb(try await client.exportAssets())
            return
        }
        // Looked up by the (few) uuids asked for, not by walking every object the server lists.
        let wanted = uuids.compactMap { view.objects[$0] }
        for apiKind in SupersetAssetKind.allCases.reversed() {
            let ids = wanted.filter { $0.kind == ServerView.kind(apiKind) }.map(\.id).sorted()
            guard !ids.isEmpty else { continue }
            for chunk in stride(from: 0, to: ids.count, by: 100) {
                try view.absorb(try await client.export(apiKind, ids: Array(ids[chunk..<min(chunk + 100, ids.count)])))
            }
        }
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
