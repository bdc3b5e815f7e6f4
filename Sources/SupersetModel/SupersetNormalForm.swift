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
        case .database:
            if let uri = root["sqlalchemy_uri"]?.stringValue {
                set(&root, "sqlalchemy_uri", .string(withoutPasswordMask(uri)))
            }
            transform(&root, "extra") { extra in
                guard case .mapping(var mapping) = extra.value else { return extra }
                rename(&mapping, "database.extra")
                decodeJSONStrings(&mapping, "database.extra")
                return YAMLNode(.mapping(mapping), mark: extra.mark)
            }
        case .dataset:
            decodeJSONStrings(&root, table)
            if root["template_params"]?.stringValue == "" { set(&root, "template_params", .null) }
            for (list, element) in [("columns", "dataset.column"), ("metrics", "dataset.metric")] {
                transform(&root, list) { items in
                    guard case .sequence(let elements) = items.value else { return items }
                    var normalized = elements.map { item -> YAMLNode in
                        guard case .mapping(var mapping) = item.value else { return item }
                        decodeJSONStrings(&mapping, element)
                        removeDefaults(&mapping, element)
                        return YAMLNode(.mapping(mapping), mark: item.mark)
                    }
                    if let key = SupersetExportFacts.unorderedLists["dataset"]?[list] {
                        normalized = stableSorted(normalized, by: key)
                    }
                    return YAMLNode(.sequence(normalized), mark: items.mark)
                }
            }
        case .chart:
            transform(&root, "params") { params in
                guard case .mapping(var mapping) = params.value else { return params }
                for key in SupersetExportFacts.serverLocalKeys["chart.params"] ?? [] { remove(&mapping, key) }
                removeDefaults(&mapping, "chart.params")
                return YAMLNode(.mapping(mapping), mark: params.mark)
            }
            transform(&root, "query_context") { context in
                guard let text = context.stringValue, case .mapping(var mapping)? = try? JSONText.parse(text).value
                else { return context }
                remove(&mapping, "datasource")
                transform(&mapping, "form_data") { formData in
                    guard case .mapping(var inner) = formData.value else { return formData }
                    remove(&inner, "datasource")
                    return YAMLNode(.mapping(inner))
                }
                transform(&mapping, "queries") { queries in
                    guard case .sequence(let items) = queries.value else { return queries }
                    return YAMLNode(
                        .sequence(
                            items.map { item in
                                guard case .mapping(var query) = item.value else { return item }
                                remove(&query, "datasource")
                                return YAMLNode(.mapping(query))
                            }))
                }
                return YAMLNode(.string(JSONText.write(YAMLNode(.mapping(mapping)))), mark: context.mark)
            }
        case .dashboard:
            let position = root["position"]
            transform(&root, "metadata") { metadata in
                guard case .mapping(var mapping) = metadata.value else { return metadata }
                DashboardChartReferences.idsToUUIDs(&mapping, position: position)
                for key in SupersetExportFacts.droppedByImport["dashboard.metadata"] ?? [] {
                    guard let entry = mapping.entry(forKey: key) else { continue }
                    remove(&mapping, key)
                    dropped.append(
                        Dropped(
                            keyPath: "metadata.\(key)", reason: "Superset's import deletes it (legacy filters)",
                            mark: entry.key.mark))
                }
                removeDefaults(&mapping, "dashboard.metadata")
                return YAMLNode(.mapping(mapping), mark: metadata.mark)
            }
            transformChartMetas(&root) { remove(&$0, "chartId") }
        }
        removeDefaults(&root, table)
        return YAMLNode(.mapping(root), mark: node.mark)
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
            remove(&root, "cache_timeout")
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
                set(&root, "sqlalchemy_uri", .string(withPasswordMask(uri)))
            }
        case .dataset:
            for (list, element) in [("columns", "dataset.column"), ("metrics", "dataset.metric")] {
                transform(&root, list) { items in
                    guard case .sequence(let elements) = items.value else { return items }
                    return YAMLNode(
                        .sequence(
                            elements.map { item in
                                guard case .mapping(var mapping) = item.value else { return item }
                                addDefaults(&mapping, element)
                                return YAMLNode(.mapping(mapping), mark: item.mark)
                            }), mark: items.mark)
                }
            }
        case .chart:
            transform(&root, "params") { params in
                guard case .mapping(var mapping) = params.value else { return params }
                addDefaults(&mapping, "chart.params")
                return YAMLNode(.mapping(mapping), mark: params.mark)
            }
        case .dashboard:
            // Each chart of the position gets a chartId (1, 2, … in position order) that the
            // metadata's chart references use; the import remaps them to the server's ids.
            var chartIds: [String: Int] = [:]
            for chart in DashboardChartReferences.charts(in: root["position"]) where chartIds[chart.uuid] == nil {
                chartIds[chart.uuid] = chart.chartId ?? chartIds.count + 1
            }
            if root["metadata"] == nil { set(&root, "metadata", .mapping(YAMLMapping())) }
            transform(&root, "metadata") { metadata in
                guard case .mapping(var mapping) = metadata.value else { return metadata }
                DashboardChartReferences.uuidsToIds(&mapping, chartIds: chartIds)
                addDefaults(&mapping, "dashboard.metadata")
                return YAMLNode(.mapping(mapping), mark: metadata.mark)
            }
            transformChartMetas(&root) { meta in
                if meta["chartId"] == nil {
                    let uuid = meta["uuid"]?.stringValue?.lowercased()
                    set(&meta, "chartId", .int(uuid.flatMap { chartIds[$0] } ?? 0))
                }
            }
        }
        addDefaults(&root, table)
        return YAMLNode(.mapping(root), mark: node.mark)
    }

    // MARK: rules

    /// Changes the `meta` mapping of every CHART component of a dashboard's `position`.
    private static func transformChartMetas(_ root: inout YAMLMapping, _ change: (inout YAMLMapping) -> Void) {
        transform(&root, "position") { position in
            guard case .mapping(var components) = position.value else { return position }
            for index in components.entries.indices {
                guard case .mapping(var component) = components.entries[index].value.value,
                    component["type"]?.stringValue == "CHART"
                else { continue }
                transform(&component, "meta") { meta in
                    guard case .mapping(var inner) = meta.value else { return meta }
                    change(&inner)
                    return YAMLNode(.mapping(inner), mark: meta.mark)
                }
                components.entries[index].value.value = .mapping(component)
            }
            return YAMLNode(.mapping(components), mark: position.mark)
        }
    }

    private static func rename(_ mapping: inout YAMLMapping, _ table: String) {
        for (old, new) in SupersetExportFacts.keyRenames[table] ?? [:] {
            guard let index = mapping.entries.firstIndex(where: { $0.key.stringValue == old }) else { continue }
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
            remove(&mapping, key)
            let reason =
                key == "password"
                ? "passwords come from HYBRID_DB_PASSWORD_<DATABASE_NAME>, never from a bundle"
                : "Superset's import accepts it but its export never writes it, so it cannot round-trip"
            dropped.append(Dropped(keyPath: prefix + key, reason: reason, mark: entry.key.mark))
        }
    }

    private static func decodeJSONStrings(_ mapping: inout YAMLMapping, _ table: String) {
        for key in SupersetExportFacts.jsonStringKeys[table] ?? [] {
            transform(&mapping, key) { value in
                guard let text = value.stringValue, let decoded = try? JSONText.parse(text) else { return value }
                return YAMLNode(decoded.value, mark: value.mark)
            }
        }
    }

    private static func removeDefaults(_ mapping: inout YAMLMapping, _ table: String) {
        guard let defaults = SupersetExportFacts.defaults[table] else { return }
        mapping.entries.removeAll { entry in
            guard let key = entry.key.stringValue, let value = defaults[key] else { return false }
            return matches(entry.value.value, value)
        }
    }

    private static func addDefaults(_ mapping: inout YAMLMapping, _ table: String) {
        guard let defaults = SupersetExportFacts.defaults[table] else { return }
        for key in defaults.keys.sorted() where mapping[key] == nil {
            set(&mapping, key, yamlValue(defaults[key]!))
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

    private static func stableSorted(_ items: [YAMLNode], by key: String) -> [YAMLNode] {
        items.enumerated().sorted { a, b in
            let left = a.element.mappingValue?[key]?.stringValue ?? ""
            let right = b.element.mappingValue?[key]?.stringValue ?? ""
            if left != right { return left.utf8.lexicographicallyPrecedes(right.utf8) }
            return a.offset < b.offset
        }.map(\.element)
    }

    private static func transform(_ mapping: inout YAMLMapping, _ key: String, _ change: (YAMLNode) -> YAMLNode) {
        guard let index = mapping.entries.firstIndex(where: { $0.key.stringValue == key }) else { return }
        let value = mapping.entries[index].value
        mapping.entries[index].value = YAMLNode(.null, mark: value.mark)
        mapping.entries[index].value = change(value)
    }

    private static func remove(_ mapping: inout YAMLMapping, _ key: String) {
        mapping.entries.removeAll { $0.key.stringValue == key }
    }

    private static func set(_ mapping: inout YAMLMapping, _ key: String, _ value: YAMLValue) {
        if let index = mapping.entries.firstIndex(where: { $0.key.stringValue == key }) {
            mapping.entries[index].value.value = value
        } else {
            mapping.entries.append(YAMLMapping.Entry(key: YAMLNode(.string(key)), value: YAMLNode(value)))
        }
    }
}

extension AssetKind {
    /// The object kind's name in ``SupersetExportFacts`` tables.
    var factsName: String {
        switch self {
        case .database: "database"
        case .dataset: "dataset"
        case .chart: "chart"
        case .dashboard: "dashboard"
        }
    }
}
