import HybridYAML

/// The names a Superset server keeps unique whatever the uuid — a database's `database_name`, a
/// dataset's database, schema and table name, a dashboard's slug — and the clashes between bundles
/// that go to the same server: two assets of different uuids claiming one name. Superset keeps one
/// of them silently (or its import fails); hybrid reports them before any import.
public enum ServerUniqueNames {
    /// One asset's claim on a unique name.
    public struct Claim: Sendable, Equatable {
        /// `prod/client_a`.
        public var bundle: String
        /// Bundle-relative file.
        public var path: String
        public var uuid: String
        /// `database_name 'analytics_prod'`, `dataset analytics_prod.public.fact_sales`, `slug 'overview'`.
        public var name: String
        /// The key that holds it (`database_name`, `table_name`, `slug`) and where.
        public var keyPath: String
        public var mark: YAMLMark
    }

    /// A name claimed by assets of more than one uuid, and every claim on it.
    public struct Clash: Sendable, Equatable {
        public var name: String
        public var claims: [Claim]
    }

    /// The clashes among `bundles` (each a name and its documents), in name order.
    public static func clashes(_ bundles: [(name: String, documents: [BundleDocument])]) -> [Clash] {
        var byName: [String: [Claim]] = [:]
        for (bundle, documents) in bundles {
            for claim in claims(bundle: bundle, documents) { byName[claim.name, default: []].append(claim) }
        }
        return byName.compactMap { name, claims in
            Set(claims.map(\.uuid)).count > 1 ? Clash(name: name, claims: claims) : nil
        }.sorted { $0.name < $1.name }
    }

    /// The unique names one bundle claims.
    public static func claims(bundle: String, _ documents: [BundleDocument]) -> [Claim] {
        var databaseNames: [String: String] = [:]
        for document in documents where document.kind == .database {
            if let root = document.node.mappingValue, let uuid = root["uuid"]?.stringValue,
                let name = root["database_name"]?.stringValue
            {
                databaseNames[uuid.lowercased()] = name
            }
        }
        var claims: [Claim] = []
        for document in documents {
            guard let root = document.node.mappingValue, let uuid = root["uuid"]?.stringValue?.lowercased() else {
                continue
            }
            switch document.kind {
            case .database?:
                if let node = root["database_name"], let name = node.stringValue {
                    claims.append(
                        Claim(
                            bundle: bundle, path: document.path, uuid: uuid, name: "database_name '\(name)'",
                            keyPath: "database_name", mark: node.mark))
                }
            case .dataset?:
                guard let node = root["table_name"], let table = node.stringValue else { continue }
                let database =
                    root["database_uuid"]?.stringValue.flatMap { databaseNames[$0.lowercased()] }
                    ?? root["database_uuid"]?.stringValue ?? "?"
                let schema = root["schema"]?.stringValue.map { $0 + "." } ?? ""
                claims.append(
                    Claim(
                        bundle: bundle, path: document.path, uuid: uuid,
                        name: "dataset \(database).\(schema)\(table)", keyPath: "table_name", mark: node.mark))
            case .dashboard?:
                if let node = root["slug"], let slug = node.stringValue, !slug.isEmpty {
                    claims.append(
                        Claim(
                            bundle: bundle, path: document.path, uuid: uuid, name: "slug '\(slug)'", keyPath: "slug",
                            mark: node.mark))
                }
            default:
                break
            }
        }
        return claims
    }
}
