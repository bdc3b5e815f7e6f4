import HybridYAML
import SupersetModel

/// Applies one tenant mapping to one parsed asset document, renaming exact whole values only.
///
/// Databases: `database_name`, the database of `sqlalchemy_uri`. Datasets: `database`, `schema`,
/// `table_name`, `columns[].column_name`, `main_dttm_col`, `metrics[].metric_name`, and the identifiers
/// of `metrics[].expression` and `sql`. Charts: `datasource`, `params.x_axis`, `params.groupby[]`,
/// `params.columns[]`, `params.adhoc_filters[].subject`, `params.metrics[]` (names only). Dashboards:
/// `metadata.native_filter_configuration[].targets[]` `column.name` and `dataset`. Anything of an
/// unexpected shape is left as it is; replaced nodes keep their source marks.
public struct Retargeter: Sendable {
    public let mapping: TenantMapping
    private let columnSQL: SQLIdentifierRewriter

    public init(mapping: TenantMapping) {
        self.mapping = mapping
        var renames: [String: String] = [:]
        for (from, rename) in mapping.columns { renames[from] = rename.to }
        columnSQL = SQLIdentifierRewriter(renames: renames)
    }

    /// Rewrites `document` (an asset of `kind`) in place, marking every entry that matched in `usage`.
    public func retarget(_ document: inout YAMLNode, kind: AssetKind, usage: inout MappingUsage) {
        switch kind {
        case .database: retargetDatabase(&document, usage: &usage)
        case .dataset: retargetDataset(&document, usage: &usage)
        case .chart: retargetChart(&document, usage: &usage)
        case .dashboard: retargetDashboard(&document, usage: &usage)
        }
    }

    private func retargetDatabase(_ document: inout YAMLNode, usage: inout MappingUsage) {
        guard let database = mapping.database else { return }
        document.updateValue(forKey: "database_name") { rename(&$0, with: database, usage: &usage) }
        document.updateValue(forKey: "sqlalchemy_uri") { node in
            guard case .string(let uri) = node.value else { return }
            let bytes = Array(uri.utf8)
            guard let range = Self.databaseRange(inURI: bytes), bytes[range].elementsEqual(database.from.utf8) else {
                return
            }
            usage.insert(database.entryID)
            if !database.matches(database.to) {
                node.value = .string(
                    String(
                        decoding: bytes[..<range.lowerBound] + database.to.utf8 + bytes[range.upperBound...],
                        as: UTF8.self))
            }
        }
    }

    private func retargetDataset(_ document: inout YAMLNode, usage: inout MappingUsage) {
        if let database = mapping.database {
            document.updateValue(forKey: "database") { rename(&$0, with: database, usage: &usage) }
        }
        if let schema = mapping.schema {
            document.updateValue(forKey: "schema") { rename(&$0, with: schema, usage: &usage) }
        }
        document.updateValue(forKey: "table_name") { rename(&$0, in: mapping.tables, usage: &usage) }
        document.updateValue(forKey: "main_dttm_col") { rename(&$0, in: mapping.columns, usage: &usage) }
        document.updateValue(forKey: "columns") { columns in
            columns.updateEachItem { column in
                column.updateValue(forKey: "column_name") { rename(&$0, in: mapping.columns, usage: &usage) }
            }
        }
        document.updateValue(forKey: "metrics") { metrics in
            metrics.updateEachItem { metric in
                metric.updateValue(forKey: "metric_name") { rename(&$0, in: mapping.metrics, usage: &usage) }
                metric.updateValue(forKey: "expression") { rewriteSQL(&$0, usage: &usage) }
            }
        }
        document.updateValue(forKey: "sql") { rewriteSQL(&$0, usage: &usage) }
    }

    private func retargetChart(_ document: inout YAMLNode, usage: inout MappingUsage) {
        document.updateValue(forKey: "datasource") { rename(&$0, in: mapping.tables, usage: &usage) }
        document.updateValue(forKey: "params") { params in
            params.updateValue(forKey: "x_axis") { rename(&$0, in: mapping.columns, usage: &usage) }
            for key in ["groupby", "columns"] {
                params.updateValue(forKey: key) { list in
                    list.updateEachItem { rename(&$0, in: mapping.columns, usage: &usage) }
                }
            }
            params.updateValue(forKey: "adhoc_filters") { filters in
                filters.updateEachItem { filter in
                    filter.updateValue(forKey: "subject") { rename(&$0, in: mapping.columns, usage: &usage) }
                }
            }
            params.updateValue(forKey: "metrics") { metrics in
                metrics.updateEachItem { rename(&$0, in: mapping.metrics, usage: &usage) }
            }
        }
    }

    private func retargetDashboard(_ document: inout YAMLNode, usage: inout MappingUsage) {
        document.updateValue(forKey: "metadata") { metadata in
            metadata.updateValue(forKey: "native_filter_configuration") { filters in
                filters.updateEachItem { filter in
                    filter.updateValue(forKey: "targets") { targets in
                        targets.updateEachItem { target in
                            target.updateValue(forKey: "column") { column in
                                column.updateValue(forKey: "name") { rename(&$0, in: mapping.columns, usage: &usage) }
                            }
                            target.updateValue(forKey: "dataset") { rename(&$0, in: mapping.tables, usage: &usage) }
                        }
                    }
                }
            }
        }
    }

    /// Replaces a string node equal to a source name in `table` with its target.
    private func rename(_ node: inout YAMLNode, in table: [String: MappingRename], usage: inout MappingUsage) {
        guard case .string(let text) = node.value, let rename = table[text] else { return }
        self.rename(&node, with: rename, usage: &usage)
    }

    /// Replaces a string node equal to `rename`'s source name with its target.
    private func rename(_ node: inout YAMLNode, with rename: MappingRename, usage: inout MappingUsage) {
        guard case .string(let text) = node.value, rename.matches(text) else { return }
        usage.insert(rename.entryID)
        if !rename.matches(rename.to) { node.value = .string(rename.to) }
    }

    /// Renames the column identifiers of a SQL string node.
    private func rewriteSQL(_ node: inout YAMLNode, usage: inout MappingUsage) {
        guard case .string(let sql) = node.value else { return }
        var changed = false
        let rewritten = columnSQL.rewrite(sql) { name in
            guard let rename = mapping.columns[name] else { return }
            usage.insert(rename.entryID)
            if !rename.matches(rename.to) { changed = true }
        }
        if changed { node.value = .string(rewritten) }
    }

    /// The database segment of a SQLAlchemy URL (`dialect+driver://user:pass@host:port/DATABASE?query`),
    /// as UTF-8 offsets, split as SQLAlchemy's `make_url` splits it; nil when the URL has none.
    static func databaseRange(inURI bytes: [UInt8]) -> Range<Int>? {
        let colon = UInt8(ascii: ":")
        let slash = UInt8(ascii: "/")
        let at = UInt8(ascii: "@")
        let question = UInt8(ascii: "?")
        guard let scheme = firstIndex(of: [colon, slash, slash], in: bytes) else { return nil }
        let authority = scheme + 3
        // User info: the user runs to the first ':' or '/'; after a ':', the password runs to the next '@'.
        // Without a password, the user is everything before the last '@' ahead of that ':' or '/'.
        let userEnd = bytes[authority...].firstIndex { $0 == colon || $0 == slash } ?? bytes.count
        var hostStart = authority
        if userEnd < bytes.count, bytes[userEnd] == colon, let atSign = bytes[userEnd...].firstIndex(of: at) {
            hostStart = atSign + 1
        } else if let atSign = bytes[authority..<userEnd].lastIndex(of: at) {
            hostStart = atSign + 1
        }
        // Host and port run to the first '/' or '?'; the database follows a '/' and runs to '?'.
        guard let pathStart = bytes[hostStart...].firstIndex(where: { $0 == slash || $0 == question }),
            bytes[pathStart] == slash
        else { return nil }
        let databaseStart = pathStart + 1
        return databaseStart..<(bytes[databaseStart...].firstIndex(of: question) ?? bytes.count)
    }

    private static func firstIndex(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        for start in 0...(bytes.count - needle.count) where bytes[start..<(start + needle.count)].elementsEqual(needle)
        {
            return start
        }
        return nil
    }
}
