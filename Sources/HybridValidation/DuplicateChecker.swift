import HybridCompiler
import HybridDiagnostics
import HybridYAML
import SupersetModel

/// Finds what must be unique in a bundle but is not: `uuid` (across all files), dashboard `slug`, chart
/// `slice_name`, dataset table per database (`database_uuid`, `catalog`, `schema`, `table_name`: Superset's
/// unique constraint), `database_name`, and within a dataset its `column_name`s and `metric_name`s.
///
/// Files are taken in path order; each duplicate is reported at the later file, with `related` naming the first.
/// Chart names are not unique in Superset, so a repeated `slice_name` is a warning; the rest are errors.
public struct DuplicateChecker: Sendable {
    public init() {}

    public func check(_ documents: [BundleDocument]) -> [ValidationFinding] {
        let ordered = documents.indices.sorted {
            documents[$0].path != documents[$1].path ? documents[$0].path < documents[$1].path : $0 < $1
        }
        var state = State()
        for position in ordered {
            let document = documents[position]
            guard case .mapping(let root) = document.node.value else { continue }
            state.path = document.path
            if let node = root["uuid"], let uuid = node.stringValue {
                state.record(.uuid(uuid), node, [.key("uuid")]) { "uuid '\(uuid)' is already used by \($0)" }
            }
            switch document.kind {
            case .dashboard?:
                if let node = root["slug"], let slug = node.stringValue {
                    state.record(.slug(slug), node, [.key("slug")]) {
                        "dashboard slug '\(slug)' is already used by \($0)"
                    }
                }
            case .chart?:
                if let node = root["slice_name"], let name = node.stringValue {
                    state.record(.sliceName(name), node, [.key("slice_name")], severity: .warning) {
                        "chart name '\(name)' is already used by \($0); the name no longer identifies one chart"
                    }
                }
            case .database?:
                if let node = root["database_name"], let name = node.stringValue {
                    state.record(.databaseName(name), node, [.key("database_name")]) {
                        "database name '\(name)' is already used by \($0)"
                    }
                }
            case .dataset?:
                checkDataset(root, &state)
            case nil:
                break
            }
        }
        return BundleValidator.sorted(state.findings)
    }

    private func checkDataset(_ root: YAMLMapping, _ state: inout State) {
        if let node = root["table_name"], let table = node.stringValue,
            let database = root["database_uuid"]?.stringValue,
            let catalog = optionalString(root["catalog"]), let schema = optionalString(root["schema"])
        {
            let qualified = [catalog, schema, table].compactMap { $0 }.joined(separator: ".")
            state.record(
                .table(database: database, catalog: catalog, schema: schema, table: table), node,
                [.key("table_name")]
            ) { "table '\(qualified)' of database '\(database)' is already the dataset \($0)" }
        }
        for (listKey, nameKey, what) in [("columns", "column_name", "column"), ("metrics", "metric_name", "metric")] {
            var seen: [String: Int32] = [:]
            for (position, item) in (root[listKey]?.sequenceValue ?? []).enumerated() {
                guard let node = item.mappingValue?[nameKey], let name = node.stringValue else { continue }
                if let line = seen[name] {
                    state.findings.append(
                        ValidationFinding(
                            .error, .duplicate, path: state.path,
                            keyPath: [.key(listKey), .index(position), .key(nameKey)], at: node.mark,
                            "\(what) '\(name)' is defined twice in this dataset",
                            related: ["first defined in \(state.path):\(line)"]))
                } else {
                    seen[name] = node.mark.line
                }
            }
        }
    }

    private struct State {
        var path = ""
        var first: [Key: (path: String, line: Int32)] = [:]
        var findings: [ValidationFinding] = []

        /// Remembers the first file with `key`; a later one is a finding at `node`.
        mutating func record(
            _ key: Key, _ node: YAMLNode, _ keyPath: [ValidationFinding.KeyPathComponent],
            severity: Diagnostic.Severity = .error, _ message: (String) -> String
        ) {
            if let existing = first[key] {
                findings.append(
                    ValidationFinding(
                        severity, .duplicate, path: path, keyPath: keyPath, at: node.mark, message(existing.path),
                        related: ["first defined in \(existing.path):\(existing.line)"]))
            } else {
                first[key] = (path, node.mark.line)
            }
        }
    }

    /// A string, nil for null or absence (`.some(nil)`); nil (no key) for another type.
    private func optionalString(_ node: YAMLNode?) -> String?? {
        guard let node else { return .some(nil) }
        switch node.value {
        case .null: return .some(nil)
        case .string(let text): return .some(text)
        default: return nil
        }
    }

    private enum Key: Hashable {
        case uuid(String)
        case slug(String)
        case sliceName(String)
        case databaseName(String)
        case table(database: String, catalog: String?, schema: String?, table: String)
    }
}
