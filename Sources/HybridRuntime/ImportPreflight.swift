import HybridDiagnostics
import HybridYAML
import SupersetModel

/// The check made before any import: a name Superset keeps unique per server — a database's
/// `database_name`, a dataset's table in its database, catalog and schema (or its `table_name`
/// alone, where the server keeps that unique: ``TableNameScope``), a dashboard's slug — that an
/// asset about to be sent would take from an asset of another uuid already on the server. Superset
/// answers such an import with `500 Import failed for an unknown reason` (or keeps one of the two
/// silently); hybrid names both assets instead, and imports nothing.
public struct ImportPreflight: Sendable {
    /// One name an asset of the bundle would take from an asset on the server.
    public struct Clash: Sendable, Equatable {
        public var kind: AssetKind
        /// Bundle-relative (`datasets/orders.yaml`).
        public var path: String
        public var uuid: String
        /// `database_name 'analytics'`, `table_name 'orders' (database 'analytics', schema 'public')`,
        /// `slug 'overview'`.
        public var name: String
        /// Where the bundle file gives the name.
        public var mark: YAMLMark
        /// The server's asset: id, uuid and name.
        public var serverID: Int
        public var serverUUID: String
        public var serverName: String
        /// The server's dataset is in another database or schema: a clash only where table names are
        /// unique per server.
        public var tableNameOnly: Bool

        /// `dataset 12 (uuid 3f…): orders`.
        public var serverAsset: String { "\(kindName) \(serverID) (uuid \(serverUUID)): \(serverName)" }

        /// `dataset`.
        public var kindName: String { ServerView.apiKind(kind).rawValue }
    }

    /// Definite clashes (refused) and, while the server's table name scope is unknown, table names
    /// taken in another database (reported, then learned from the import's outcome).
    public var clashes: [Clash] = []
    public var possibleClashes: [Clash] = []

    public var isClear: Bool { clashes.isEmpty }

    /// Checks the assets about to be sent (by uuid) against what the server lists.
    public static func check(
        sending uuids: Set<String>, bundle: BundleSnapshot, server: ServerView, tableNames: TableNameScope?
    ) -> ImportPreflight {
        var result = ImportPreflight()
        let index = ServerNames(server)
        let bundleDatabases = Dictionary(
            bundle.assets.filter { $0.kind == .database }.map { ($0.uuid, $0.name) }, uniquingKeysWith: { a, _ in a })
        for asset in bundle.assets.sorted(by: { ($0.kind, $0.path) < ($1.kind, $1.path) })
        where uuids.contains(asset.uuid) {
            guard let root = asset.node.mappingValue else { continue }
            func clash(_ key: String, _ name: String, holder: (uuid: String, object: ServerView.Object), only: Bool)
                -> Clash
            {
                Clash(
                    kind: asset.kind, path: asset.path, uuid: asset.uuid, name: name,
                    mark: root[key]?.mark ?? .synthesized, serverID: holder.object.id, serverUUID: holder.uuid,
                    serverName: holder.object.name, tableNameOnly: only)
            }
            switch asset.kind {
            case .database:
                guard let name = root["database_name"]?.stringValue else { continue }
                for holder in index.databases[name, default: []] where holder.uuid != asset.uuid {
                    result.clashes.append(
                        clash("database_name", "database_name '\(name)'", holder: holder, only: false))
                }
            case .dataset:
                guard let table = root["table_name"]?.stringValue else { continue }
                let databaseUUID = root["database_uuid"]?.stringValue?.lowercased() ?? ""
                let databaseID = server.objects[databaseUUID].flatMap { $0.kind == .database ? $0.id : nil }
                let schema = root["schema"]?.stringValue ?? ""
                let catalog = root["catalog"]?.stringValue
                let databaseName = bundleDatabases[databaseUUID] ?? databaseUUID
                let place = "database '\(databaseName)'" + (schema.isEmpty ? "" : ", schema '\(schema)'")
                for holder in index.datasets[table, default: []] where holder.uuid != asset.uuid {
                    let object = holder.object
                    let samePlace =
                        databaseID != nil && object.databaseID == databaseID && (object.schema ?? "") == schema
                        && (catalog == nil || object.catalog == nil || catalog == object.catalog)
                    let found = clash(
                        "table_name", "table_name '\(table)' (\(place))", holder: holder, only: !samePlace)
                    if samePlace || tableNames == .server {
                        result.clashes.append(found)
                    } else if tableNames == nil {
                        result.possibleClashes.append(found)
                    }
                }
            case .dashboard:
                guard let slug = root["slug"]?.stringValue, !slug.isEmpty else { continue }
                for holder in index.slugs[slug, default: []] where holder.uuid != asset.uuid {
                    result.clashes.append(clash("slug", "slug '\(slug)'", holder: holder, only: false))
                }
            case .chart:
                continue
            }
        }
        return result
    }

    /// The refusal: one error naming every clash, with both assets and what to change.
    public func refusal(
        bundle: BundleSnapshot, tableNames: TableNameScope.Knowledge, consequence: String = "nothing was imported"
    ) -> Diagnostic? {
        guard !clashes.isEmpty else { return nil }
        let count = clashes.count
        return Diagnostic(
            .error, at: nil,
            "preflight: \(count) asset\(count == 1 ? "" : "s") of bundle \(bundle.name) would take "
                + "\(count == 1 ? "a name" : "names") that \(count == 1 ? "an asset" : "assets") of another uuid "
                + "already \(count == 1 ? "has" : "have") on the server; \(consequence)",
            notes: clashes.map { note(for: $0, bundle: bundle, tableNames: tableNames) })
    }

    /// Warnings for table names taken in another database, while the server's scope is unknown.
    public func warnings(bundle: BundleSnapshot) -> [Diagnostic] {
        possibleClashes.map { clash in
            .warning(
                at: Self.location(clash, bundle: bundle),
                "\(clash.path) (uuid \(clash.uuid)) takes \(clash.name), which \(clash.serverAsset) has in another "
                    + "database or schema: a Superset whose metadata store keeps table names unique per server "
                    + "(SQLite stores do) refuses it; hybrid learns which from this import "
                    + "(or set superset.table_name_scope in hybrid.yaml)")
        }
    }

    private func note(for clash: Clash, bundle: BundleSnapshot, tableNames: TableNameScope.Knowledge) -> Diagnostic {
        var text = "\(clash.path) (uuid \(clash.uuid)) takes \(clash.name), which \(clash.serverAsset) already has"
        if clash.tableNameOnly {
            text += " in another database or schema; this server keeps table names unique across databases"
            if let reason = tableNames.reason { text += " (\(reason))" }
        }
        let what: String
        switch clash.kind {
        case .database: what = "give the database another database_name"
        case .dataset:
            what =
                clash.tableNameOnly
                ? "give the dataset another table_name" : "give the dataset another table_name or schema"
        case .dashboard: what = "give the dashboard another slug"
        case .chart: what = "rename it"
        }
        text +=
            ": \(what) in its template (per tenant: in its mapping), or delete \(clash.kindName) \(clash.serverID) on the server"
        return .note(at: Self.location(clash, bundle: bundle), text)
    }

    static func location(_ clash: Clash, bundle: BundleSnapshot) -> SourceLocation {
        SourceLocation(
            file: bundle.directory + "/" + clash.path, line: max(1, Int(clash.mark.line)),
            column: max(1, Int(clash.mark.column)))
    }
}

/// The server's assets by the names it keeps unique.
private struct ServerNames {
    typealias Holder = (uuid: String, object: ServerView.Object)
    var databases: [String: [Holder]] = [:]
    var datasets: [String: [Holder]] = [:]
    var slugs: [String: [Holder]] = [:]

    init(_ server: ServerView) {
        for (uuid, object) in server.objects.sorted(by: { $0.value.id < $1.value.id }) {
            switch object.kind {
            case .database: databases[object.name, default: []].append((uuid, object))
            case .dataset: datasets[object.name, default: []].append((uuid, object))
            case .dashboard:
                if let slug = object.slug, !slug.isEmpty { slugs[slug, default: []].append((uuid, object)) }
            case .chart: break
            }
        }
    }
}

extension ServerView {
    /// Two datasets of one table name on the server show that it keeps table names unique per
    /// database only.
    public var listsSharedTableNames: Bool {
        var seen: Set<String> = []
        for object in objects.values where object.kind == .dataset {
            if !seen.insert(object.name).inserted { return true }
        }
        return false
    }
}
