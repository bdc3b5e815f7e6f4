import Foundation
import HybridDiagnostics
import HybridYAML
import SupersetModel

/// Turns seed-style references by name into Superset's import form: dataset `database` →
/// `database_uuid`, chart `datasource` → `dataset_uuid`, dashboard position `meta.sliceName` /
/// `meta.chart` → `meta.uuid`, native filter target `dataset` → `datasetUuid`; sets `uuid` and
/// `version: 1.0.0`. Uuids already written in the template are kept (per tenant, derived).
public struct AssetLinker: Sendable {
    public static let importVersion = "1.0.0"

    public var scope: BundleScope
    public var table: LinkTable

    public init(scope: BundleScope, table: LinkTable) {
        self.scope = scope
        self.table = table
    }

    /// The outcome of linking one document.
    public struct Outcome: Sendable {
        /// Every reference resolved, as (query, recorded resolution), in document order.
        public var lookups: [(query: String, result: String)] = []
        public var diagnostics: [Diagnostic] = []
    }

    public func link(_ document: inout YAMLNode, identity: AssetIdentity, file: String) -> Outcome {
        var outcome = Outcome()
        guard case .mapping(var root) = document.value else {
            outcome.diagnostics.append(
                .error(
                    at: location(document, file),
                    "an asset must be a YAML mapping, not \(StrictYAMLReader.describe(document.value))"))
            return outcome
        }
        document.value = .null  // drop the reference so edits below do not copy the tree
        switch identity.kind {
        case .database:
            break
        case .dataset:
            linkReference(in: &root, key: "database", linkedKey: "database_uuid", kind: .database, &outcome, file)
        case .chart:
            linkReference(in: &root, key: "datasource", linkedKey: "dataset_uuid", kind: .dataset, &outcome, file)
        case .dashboard:
            linkPosition(in: &root, &outcome, file)
            linkNativeFilters(in: &root, &outcome, file)
            linkChartReferences(in: &root, &outcome, file)
        }
        set(&root, "uuid", .string(identity.uuid))
        set(&root, "version", .string(AssetLinker.importVersion))
        document.value = .mapping(root)
        return outcome
    }

    // MARK: references

    private func resolve(
        _ node: YAMLNode, kind: AssetKind, what: String, _ outcome: inout Outcome, _ file: String
    ) -> String? {
        guard let reference = node.stringValue else {
            outcome.diagnostics.append(
                .error(
                    at: location(node, file),
                    "\(what) must name a \(singular(kind)) (a string), not \(StrictYAMLReader.describe(node.value))"))
            return nil
        }
        let query = LinkTable.query(kind, reference)
        let resolution = table.resolve(query: query)
        outcome.lookups.append((query, resolution.recorded))
        switch resolution {
        case .found(let uuid):
            return uuid
        case .missing:
            var message = "\(what) refers to \(singular(kind)) '\(reference)', which is not in this bundle"
            if let suggestion = EditDistance.closest(to: reference, in: table.names(of: kind)) {
                message += " (did you mean '\(suggestion)'?)"
            }
            outcome.diagnostics.append(.error(at: location(node, file), message))
        case .ambiguous(let paths):
            outcome.diagnostics.append(
                .error(
                    at: location(node, file),
                    "\(what) '\(reference)' is ambiguous: \(paths.count) \(kind.directory) have that name "
                        + "(\(paths.joined(separator: ", "))); refer to one by path, e.g. '\(paths[0])'"))
        }
        return nil
    }

    private func replaceReference(
        in root: inout YAMLMapping, key: String, with linkedKey: String, kind: AssetKind, _ outcome: inout Outcome,
        _ file: String
    ) {
        guard let index = root.entries.firstIndex(where: { $0.key.stringValue == key }) else { return }
        let node = root.entries[index].value
        guard let uuid = resolve(node, kind: kind, what: key, &outcome, file) else { return }
        if root[linkedKey] != nil {
            outcome.diagnostics.append(
                .error(at: location(node, file), "both \(key) and \(linkedKey) are set; keep one"))
            return
        }
        root.entries[index] = YAMLMapping.Entry(
            key: YAMLNode(.string(linkedKey), mark: root.entries[index].key.mark),
            value: YAMLNode(.string(uuid), mark: node.mark))
    }

    /// A reference by name (`key`) becomes `linkedKey` with the uuid it resolves to; a `linkedKey`
    /// uuid written in the template instead is kept (per tenant: that tenant's uuid for it).
    private func linkReference(
        in root: inout YAMLMapping, key: String, linkedKey: String, kind: AssetKind, _ outcome: inout Outcome,
        _ file: String
    ) {
        if root.entries.contains(where: { $0.key.stringValue == key }) {
            replaceReference(in: &root, key: key, with: linkedKey, kind: kind, &outcome, file)
        } else {
            deriveUUID(in: &root, key: linkedKey)
        }
    }

    /// A `*_uuid` written in the template: per tenant, the tenant's uuid for it.
    private func deriveUUID(in root: inout YAMLMapping, key: String) {
        guard scope.tenant != nil,
            let index = root.entries.firstIndex(where: { $0.key.stringValue == key }),
            let text = root.entries[index].value.stringValue, let uuid = UUID(uuidString: text)
        else { return }
        root.entries[index].value.value = .string(scope.derive(uuid))
    }

    private func linkPosition(in root: inout YAMLMapping, _ outcome: inout Outcome, _ file: String) {
        guard let positionIndex = root.entries.firstIndex(where: { $0.key.stringValue == "position" }),
            case .mapping(var position) = root.entries[positionIndex].value.value
        else { return }
        root.entries[positionIndex].value.value = .null
        for index in position.entries.indices {
            guard case .mapping(var component) = position.entries[index].value.value,
                component["type"]?.stringValue == "CHART",
                let metaIndex = component.entries.firstIndex(where: { $0.key.stringValue == "meta" }),
                case .mapping(var meta) = component.entries[metaIndex].value.value
            else { continue }
            if let chartIndex = meta.entries.firstIndex(where: { $0.key.stringValue == "chart" }) {
                let node = meta.entries[chartIndex].value
                meta.entries.remove(at: chartIndex)
                if let uuid = resolve(node, kind: .chart, what: "meta.chart", &outcome, file) {
                    set(&meta, "uuid", .string(uuid), mark: node.mark)
                }
            } else if let uuidIndex = meta.entries.firstIndex(where: { $0.key.stringValue == "uuid" }) {
                if scope.tenant != nil, let text = meta.entries[uuidIndex].value.stringValue,
                    let uuid = UUID(uuidString: text)
                {
                    meta.entries[uuidIndex].value.value = .string(scope.derive(uuid))
                }
            } else if let name = meta["sliceName"] {
                if let uuid = resolve(name, kind: .chart, what: "meta.sliceName", &outcome, file) {
                    set(&meta, "uuid", .string(uuid), mark: name.mark)
                }
            }
            component.entries[metaIndex].value.value = .mapping(meta)
            position.entries[index].value.value = .mapping(component)
        }
        root.entries[positionIndex].value.value = .mapping(position)
    }

    private func linkNativeFilters(in root: inout YAMLMapping, _ outcome: inout Outcome, _ file: String) {
        guard let metadataIndex = root.entries.firstIndex(where: { $0.key.stringValue == "metadata" }),
            case .mapping(var metadata) = root.entries[metadataIndex].value.value,
            let filtersIndex = metadata.entries.firstIndex(where: {
                $0.key.stringValue == "native_filter_configuration"
            }),
            case .sequence(var filters) = metadata.entries[filtersIndex].value.value
        else { return }
        root.entries[metadataIndex].value.value = .null
        for filterIndex in filters.indices {
            guard case .mapping(var filter) = filters[filterIndex].value,
                let targetsIndex = filter.entries.firstIndex(where: { $0.key.stringValue == "targets" }),
                case .sequence(var targets) = filter.entries[targetsIndex].value.value
            else { continue }
            for targetIndex in targets.indices {
                guard case .mapping(var target) = targets[targetIndex].value else { continue }
                linkReference(
                    in: &target, key: "dataset", linkedKey: "datasetUuid", kind: .dataset, &outcome, file)
                targets[targetIndex].value = .mapping(target)
            }
            filter.entries[targetsIndex].value.value = .sequence(targets)
            filters[filterIndex].value = .mapping(filter)
        }
        metadata.entries[filtersIndex].value.value = .sequence(filters)
        root.entries[metadataIndex].value.value = .mapping(metadata)
    }

    /// Chart references in the metadata (``DashboardChartReferences``): a chart path, name or uuid
    /// becomes the chart's uuid (per tenant: the tenant's), and must be a chart of the position,
    /// since the import drops or fails on any other. A number is some server's id: an error.
    private func linkChartReferences(in root: inout YAMLMapping, _ outcome: inout Outcome, _ file: String) {
        guard let metadataIndex = root.entries.firstIndex(where: { $0.key.stringValue == "metadata" }),
            case .mapping(var metadata) = root.entries[metadataIndex].value.value
        else { return }
        root.entries[metadataIndex].value.value = .null
        defer { root.entries[metadataIndex].value.value = .mapping(metadata) }
        let inPosition = Set(DashboardChartReferences.charts(in: root["position"]).map(\.uuid))
        DashboardChartReferences.rewrite(&metadata) { node, site in
            let what = "a chart reference in metadata"
            var uuid: String?
            if let text = node.stringValue, let parsed = UUID(uuidString: text) {
                uuid = scope.tenant != nil ? scope.derive(parsed) : text.lowercased()
            } else if let text = node.stringValue, site == .key, Int(text) != nil {
                uuid = nil
            } else if node.stringValue != nil {
                uuid = resolve(node, kind: .chart, what: what, &outcome, file)
                if uuid == nil { return nil }
            }
            guard let uuid else {
                let isNumber: Bool
                if case .int = node.value { isNumber = true } else { isNumber = node.stringValue != nil }
                let problem =
                    isNumber
                    ? "is \(node.stringValue ?? YAMLEmitter.plainText(of: node.value) ?? "a number"), a chart id of some server"
                    : "must name a chart, not \(StrictYAMLReader.describe(node.value))"
                outcome.diagnostics.append(
                    .error(
                        at: location(node, file),
                        "\(what) \(problem); refer to the chart by path (charts/x), slice_name or uuid"))
                return nil
            }
            guard inPosition.contains(uuid) else {
                outcome.diagnostics.append(
                    .error(
                        at: location(node, file),
                        "\(what) names chart \(node.stringValue ?? "?"), which is not in this dashboard's "
                            + "position; Superset's import would drop it or fail"))
                return nil
            }
            return YAMLNode(.string(uuid), mark: node.mark)
        }
    }

    // MARK: helpers

    private func set(_ mapping: inout YAMLMapping, _ key: String, _ value: YAMLValue, mark: YAMLMark = .synthesized) {
        if let index = mapping.entries.firstIndex(where: { $0.key.stringValue == key }) {
            mapping.entries[index].value.value = value
        } else {
            mapping.entries.append(
                YAMLMapping.Entry(key: YAMLNode(.string(key), mark: mark), value: YAMLNode(value, mark: mark)))
        }
    }

    private func singular(_ kind: AssetKind) -> String {
        String(kind.directory.dropLast())
    }

    private func location(_ node: YAMLNode, _ file: String) -> SourceLocation {
        SourceLocation(file: file, line: max(1, Int(node.mark.line)), column: max(1, Int(node.mark.column)))
    }
}
