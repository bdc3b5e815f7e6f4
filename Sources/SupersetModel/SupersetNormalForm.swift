import Foundation
import HybridYAML

/// hybrid's normal form of a Superset asset, the one form compile writes, export reads back into,
/// and drift compares in. Built from what a live Superset 6.1 does (``SupersetExportFacts``):
/// values equal to Superset's defaults and server-local ids are left out, old key names renamed,
/// JSON strings decoded, lists Superset reorders sorted, password masks dropped. Normalizing
/// twice changes nothing, and `normalize(export(import(x)))` equals `normalize(x)`.
///
/// The transport form (what `apply` sends) is the opposite direction: every default written out,
/// because an import leaves a key it is not given at its old value.
public enum SupersetNormalForm {
    /// Superset's mask for a stored password, in exported `sqlalchemy_uri`s.
    public static let passwordMask = "XXXXXXXXXX"

    /// A key left out of an asset because Superset would not keep it (for a compile warning).
    public struct Dropped: Sendable, Equatable {
        public var keyPath: String
        public var reason: String
        /// Where the key was (its source mark).
        public var mark: YAMLMark = .synthesized
    }

    /// The normal form of one asset document; `dropped` receives the keys a template gave that
    /// cannot round-trip through Superset.
    public static func normalize(_ node: YAMLNode, kind: AssetKind, dropped: inout [Dropped]) -> YAMLNode {
        guard case .mapping(var root) = node.value else { return node }
        let table = kind.factsName
        rename(&root, table)
        removeImportOnly(&root, table, prefix: "", &dropped)
        switch kind {
        case .database: normalizeDatabase(&root)
        case .dataset: normalizeDataset(&root)
        case .chart: normalizeChart(&root)
        case .dashboard: normalizeDashboard(&root, &dropped)
        }
        removeDefaults(&root, table)
        return YAMLNode(.mapping(root), mark: node.mark)
    }

    /// A database: the password mask out of the URI; `extra` with its renames and JSON decoded.
    private static func normalizeDatabase(_ root: inout YAMLMapping) {
        if let uri = root["sqlalchemy_uri"]?.stringValue {
            root.setValue(.string(withoutPasswordMask(uri)), forKey: "sqlalchemy_uri")
        }
        root.updateMapping(forKey: "extra") { mapping in
            rename(&mapping, "database.extra")
            decodeJSONStrings(&mapping, "database.extra")
        }
    }

    /// A dataset: JSON strings decoded; columns and metrics without defaults, in Superset's order.
    private static func normalizeDataset(_ root: inout YAMLMapping) {
        let table = AssetKind.dataset.factsName
        decodeJSONStrings(&root, table)
        if root["template_params"]?.stringValue == "" { root.setValue(.null, forKey: "template_params") }
        for (list, element) in [("columns", "dataset.column"), ("metrics", "dataset.metric")] {
            root.updateValue(forKey: list) { items in
                items.updateEachItem { item in
                    item.updateMapping { mapping in
                        decodeJSONStrings(&mapping, element)
                        removeDefaults(&mapping, element)
                    }
                }
                if let key = SupersetExportFacts.unorderedLists["dataset"]?[list],
                    case .sequence(let elements) = items.value
                {
                    items.value = .sequence(stableSorted(elements, by: key))
                }
            }
        }
    }

    /// A chart: `params` without server-local keys and defaults; `query_context` without datasource ids.
    private static func normalizeChart(_ root: inout YAMLMapping) {
        LegacyChartMigration.migrate(&root)
        root.updateMapping(forKey: "params") { mapping in
            for key in SupersetExportFacts.serverLocalKeys["chart.params"] ?? [] {
                mapping.removeValue(forKey: key)
            }
            removeDefaults(&mapping, "chart.params")
        }
        root.updateValue(forKey: "query_context") { context in
            guard let text = context.stringValue, case .mapping(var mapping)? = try? JSONText.parse(text).value
            else { return }
            mapping.removeValue(forKey: "datasource")
            mapping.updateMapping(forKey: "form_data") { inner in
                inner.removeValue(forKey: "datasource")
            }
            mapping.updateValue(forKey: "queries") { queries in
                queries.updateEachItem { $0.updateMapping { $0.removeValue(forKey: "datasource") } }
            }
            context = YAMLNode(.string(JSONText.write(YAMLNode(.mapping(mapping)))), mark: context.mark)
        }
    }

    /// A dashboard: chart references in the metadata as uuids, legacy filters dropped (reported),
    /// no `chartId` in the position.
    private static func normalizeDashboard(_ root: inout YAMLMapping, _ dropped: inout [Dropped]) {
        let position = root["position"]
        root.updateMapping(forKey: "metadata") { mapping in
            DashboardChartReferences.idsToUUIDs(&mapping, position: position)
            for key in SupersetExportFacts.droppedByImport["dashboard.metadata"] ?? [] {
                guard let entry = mapping.entry(forKey: key) else { continue }
                mapping.removeValue(forKey: key)
                dropped.append(
                    Dropped(
                        keyPath: "metadata.\(key)", reason: "Superset's import deletes it (legacy filters)",
                        mark: entry.key.mark))
            }
            removeDefaults(&mapping, "dashboard.metadata")
        }
        transformChartMetas(&root) { $0.removeValue(forKey: "chartId") }
    }

    /// Bundle-level rules: a dataset's `cache_timeout` equal to its database's is what Superset
    /// exports when the dataset has none, so it is left out.
    public static func normalizeBundle(_ documents: inout [String: YAMLNode], kinds: [String: AssetKind]) {
        var databaseTimeouts: [String: YAMLValue] = [:]
        for (path, node) in documents where kinds[path] == .database {
            if let uuid = node.mappingValue?["uuid"]?.stringValue, let timeout = node.mappingValue?["cache_timeout"] {
                databaseTimeouts[uuid.lowercased()] = timeout.value
            }
        }
        for (path, node) in documents where kinds[path] == .dataset {
            guard case .mapping(var root) = node.value, let timeout = root["cache_timeout"],
                let database = root["database_uuid"]?.stringValue?.lowercased(),
                let inherited = databaseTimeouts[database], timeout.value == inherited
            else { continue }
            root.removeValue(forKey: "cache_timeout")
            documents[path] = YAMLNode(.mapping(root), mark: node.mark)
        }
    }

    /// What `apply` sends for a normal-form document: every default written out (an import keeps
    /// the old value of a key it is not given), a `chartId` on dashboard CHART nodes that the
    /// metadata's chart references use (both remapped by the import), the password mask in a database URI when a password is supplied.
    public static func transport(_ node: YAMLNode, kind: AssetKind, hasPassword: Bool = false) -> YAMLNode {
        guard case .mapping(var root) = node.value else { return node }
        let table = kind.factsName
        switch kind {
        case .database:
            if hasPassword, let uri = root["sqlalchemy_uri"]?.stringValue {
                root.setValue(.string(withPasswordMask(uri)), forKey: "sqlalchemy_uri")
            }
        case .dataset:
            for (list, element) in [("columns", "dataset.column"), ("metrics", "dataset.metric")] {
                root.updateValue(forKey: list) { items in
                    items.updateEachItem { $0.updateMapping { addDefaults(&$0, element) } }
                }
            }
        case .chart:
            root.updateMapping(forKey: "params") { mapping in
                addDefaults(&mapping, "chart.params")
            }
        case .dashboard:
            // Each chart of the position gets a chartId (1, 2, … in position order) that the
            // metadata's chart references use; the import remaps them to the server's ids.
            var chartIds: [String: Int] = [:]
            for chart in DashboardChartReferences.charts(in: root["position"]) where chartIds[chart.uuid] == nil {
                chartIds[chart.uuid] = chart.chartId ?? chartIds.count + 1
            }
            if root["metadata"] == nil { root.setValue(.mapping(YAMLMapping()), forKey: "metadata") }
            root.updateMapping(forKey: "metadata") { mapping in
                DashboardChartReferences.uuidsToIds(&mapping, chartIds: chartIds)
                addDefaults(&mapping, "dashboard.metadata")
            }
            transformChartMetas(&root) { meta in
                if meta["chartId"] == nil {
                    let uuid = meta["uuid"]?.stringValue?.lowercased()
                    meta.setValue(.int(uuid.flatMap { chartIds[$0] } ?? 0), forKey: "chartId")
                }
            }
        }
        addDefaults(&root, table)
        return YAMLNode(.mapping(root), mark: node.mark)
    }

    // MARK: rules

    /// Changes the `meta` mapping of every CHART component of a dashboard's `position`.
    private static func transformChartMetas(_ root: inout YAMLMapping, _ change: (inout YAMLMapping) -> Void) {
        root.updateMapping(forKey: "position") { components in
            for index in components.entries.indices
            where components.entries[index].value.mappingValue?["type"]?.stringValue == "CHART" {
                components.entries[index].value.updateValue(forKey: "meta") { $0.updateMapping(change) }
            }
        }
    }

    private static func rename(_ mapping: inout YAMLMapping, _ table: String) {
        for (old, new) in SupersetExportFacts.keyRenames[table] ?? [:] {
            guard let index = mapping.index(forKey: old) else { continue }
            if mapping[new] != nil {
                mapping.entries.remove(at: index)  // the new name wins, as in Superset's pre_load hook
            } else {
                mapping.entries[index].key.value = .string(new)
            }
        }
    }

    private static func removeImportOnly(
        _ mapping: inout YAMLMapping, _ table: String, prefix: String, _ dropped: inout [Dropped]
    ) {
        for key in SupersetExportFacts.importOnlyKeys[table] ?? [] {
            guard let entry = mapping.entry(forKey: key) else { continue }
            mapping.removeValue(forKey: key)
            let reason =
                key == "password"
                ? "passwords come from HYBRID_DB_PASSWORD_<DATABASE_NAME>, never from a bundle"
                : "Superset's import accepts it but its export never writes it, so it cannot round-trip"
            dropped.append(Dropped(keyPath: prefix + key, reason: reason, mark: entry.key.mark))
        }
    }

    private static func decodeJSONStrings(_ mapping: inout YAMLMapping, _ table: String) {
        for key in SupersetExportFacts.jsonStringKeys[table] ?? [] {
            mapping.updateValue(forKey: key) { value in
                guard let text = value.stringValue, let decoded = try? JSONText.parse(text) else { return }
                value = YAMLNode(decoded.value, mark: value.mark)
            }
        }
    }

    /// Leaves out keys at Superset's default, and keys whose null the import stores as the default.
    private static func removeDefaults(_ mapping: inout YAMLMapping, _ table: String) {
        guard let defaults = SupersetExportFacts.defaults[table] else { return }
        let nullAsDefault = SupersetExportFacts.nullAsDefault[table] ?? []
        mapping.entries.removeAll { entry in
            guard let key = entry.key.stringValue, let value = defaults[key] else { return false }
            return matches(entry.value.value, value) || (entry.value.value == .null && nullAsDefault.contains(key))
        }
    }

    private static func addDefaults(_ mapping: inout YAMLMapping, _ table: String) {
        guard let defaults = SupersetExportFacts.defaults[table] else { return }
        for key in defaults.keys.sorted() where mapping[key] == nil {
            mapping.setValue(yamlValue(defaults[key]!), forKey: key)
        }
    }

    /// Whether a YAML value is the default (numbers compare by value: `0` and `0.0` are equal).
    static func matches(_ value: YAMLValue, _ expected: SupersetExportValue) -> Bool {
        switch (value, expected) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.int(let a), .double(let b)), (.float(let b as Double), .int(let a)): return Double(a) == b
        case (.float(let a), .double(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.sequence(let items), .list(let expected)):
            return items.count == expected.count && zip(items, expected).allSatisfy { matches($0.value, $1) }
        case (.mapping(let mapping), .mapping(let expected)):
            return mapping.count == expected.count
                && mapping.entries.allSatisfy { entry in
                    guard let key = entry.key.stringValue, let other = expected[key] else { return false }
                    return matches(entry.value.value, other)
                }
        default: return false
        }
    }

    static func yamlValue(_ value: SupersetExportValue) -> YAMLValue {
        switch value {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .int(let number): .int(number)
        case .double(let number): .float(number)
        case .string(let text): .string(text)
        case .list(let items): .sequence(items.map { YAMLNode(yamlValue($0)) })
        case .mapping(let entries):
            .mapping(
                YAMLMapping(
                    entries.keys.sorted().map {
                        YAMLMapping.Entry(key: YAMLNode(.string($0)), value: YAMLNode(yamlValue(entries[$0]!)))
                    }))
        }
    }

    /// `scheme://user:XXXXXXXXXX@host/db` → `scheme://user@host/db`.
    public static func withoutPasswordMask(_ uri: String) -> String {
        uri.replacingOccurrences(of: ":" + passwordMask + "@", with: "@")
    }

    /// `scheme://user@host/db` → `scheme://user:XXXXXXXXXX@host/db` (Superset then takes the password
    /// from the import's `passwords` field); unchanged without a user name.
    public static func withPasswordMask(_ uri: String) -> String {
        guard let schemeEnd = uri.range(of: "://") else { return uri }
        let rest = uri[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return uri }
        let userInfo = rest[rest.startIndex..<at]
        if userInfo.contains(":") { return uri }
        return String(uri[..<schemeEnd.upperBound]) + userInfo + ":" + passwordMask + String(rest[at...])
    }

    // MARK: helpers

    /// The items ordered by their `key` (code point order), ties in their order; each item's key
    /// is looked up once, not once per comparison.
    private static func stableSorted(_ items: [YAMLNode], by key: String) -> [YAMLNode] {
        let keys = items.map { $0.mappingValue?[key]?.stringValue ?? "" }
        return items.indices.sorted { a, b in
            if keys[a] != keys[b] { return keys[a].utf8.lexicographicallyPrecedes(keys[b].utf8) }
            return a < b
        }.map { items[$0] }
    }
}

extension AssetKind {
    /// The object kind's name in ``SupersetExportFacts`` tables.
    public var factsName: String {
        switch self {
        case .database: "database"
        case .dataset: "dataset"
        case .chart: "chart"
        case .dashboard: "dashboard"
        }
    }
}
