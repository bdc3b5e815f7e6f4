import HybridCache

/// Where a Superset keeps a dataset's `table_name` unique: per database (and catalog and schema), as
/// Superset's model declares, or across the whole server, as the `tables` table of a metadata store
/// created on SQLite does (a second dataset of one table name in another database fails its import
/// with `500 Import failed for an unknown reason`). The API does not say which; hybrid takes it from
/// `hybrid.yaml` (`superset.table_name_scope`), else learns it per target: from the server's listing
/// (two datasets sharing a table name prove `database`) and from imports (one that is refused alone
/// while its table name is taken in another database proves `server`; one accepted proves
/// `database`).
public enum TableNameScope: String, Sendable, Equatable, CaseIterable {
    case database
    case server

    /// The scope a target is known to have, or nil when nothing has shown it yet.
    public struct Knowledge: Sendable, Equatable {
        public static let version = "hybrid-table-name-scope/1"

        public var scope: TableNameScope?
        /// Why: `hybrid.yaml`, `the server lists …`, `an import …`.
        public var reason: String?

        public init(scope: TableNameScope? = nil, reason: String? = nil) {
            self.scope = scope
            self.reason = reason
        }

        /// The record's path in the cache for a target.
        public static func path(store: CacheStore, target: String) -> String {
            let hasher = ContentHasher()
            hasher.update(field: AppliedState.canonicalTarget(target))
            return store.root + "/targets/" + hasher.finalize().description + ".table-name-scope"
        }

        /// The configured scope (`superset.table_name_scope`), else what this target showed earlier.
        public static func load(configured: TableNameScope?, store: CacheStore, target: String) -> Knowledge {
            if let configured {
                return Knowledge(scope: configured, reason: "superset.table_name_scope in hybrid.yaml")
            }
            let path = path(store: store, target: target)
            guard let payload = store.readRecord(at: path) else { return Knowledge() }
            var reader = BinaryReader(payload)
            do {
                guard try reader.readString() == version,
                    let scope = TableNameScope(rawValue: try reader.readString())
                else { throw BinaryReader.Malformed() }
                return Knowledge(scope: scope, reason: try reader.readString())
            } catch {
                store.reportUndecodable(path)
                return Knowledge()
            }
        }

        /// Remembers a learned scope for the target (a failure to write only loses the lesson).
        public static func learn(_ scope: TableNameScope, reason: String, store: CacheStore, target: String) {
            var writer = BinaryWriter()
            writer.write(version)
            writer.write(scope.rawValue)
            writer.write(reason)
            try? store.writeRecord(writer.bytes, at: path(store: store, target: target))
        }
    }
}

extension Deployment {
    /// `superset.table_name_scope` from `hybrid.yaml`, when set.
    public var tableNameScope: TableNameScope? { config.tableNameScope.flatMap(TableNameScope.init(rawValue:)) }
}
