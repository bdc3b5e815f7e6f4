import Foundation
import HybridDiagnostics
import HybridYAML
import SupersetModel

/// Turns seed-style references by name into Superset's import form: dataset `database` →
/// `database_uuid`, chart `datasource` → `dataset_uuid`, dashboard position `meta.sliceName` /
/// `meta.chart` → `meta.uuid`, native filter target `dataset` → `datasetUuid`; sets `uuid` and
/// `version: 1.0.0`. Uuids already written in the template are kept (per tenant, derived).
public struct AssetLinker: Sendable {
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
        root.setValue(.string(identity.uuid), forKey: "uuid")
        root.setValue(.string(BundleMetadata.importVersion), forKey: "version")
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
        guard let index = root.index(forKey: key) else { return }
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
        if root.index(forKey: key) != nil {
            replaceReference(in: &root, key: key, with: linkedKey, kind: kind, &outcome, file)
        } else {
            deriveUUID(in: &root, key: linkedKey)
        }
    }

    /// A `*_uuid` written in the template: per tenant, the tenant's uuid for it.
    private func deriveUUID(in root: inout YAMLMapping, key: String) {
        guard scope.tenant != nil, let index = root.index(forKey: key),
            let text = root.entries[index].value.stringValue, let uuid = UUID(uuidString: text)
        else { return }
        root.entries[index].value.value = .string(scope.derive(uuid))
    }

    private func linkPosition(in root: inout YAMLMapping, _ outcome: inout Outcome, _ file: String) {
        root.updateMapping(forKey: "position") { position in
            for index in position.entries.indices
            where position.entries[index].value.mappingValue?["type"]?.stringValue == "CHART" {
                position.entries[index].value.updateValue(forKey: "meta") { node in
                    node.updateMapping { linkChartMeta(&$0, &outcome, file) }
                }
            }
        }
    }

    /// A CHART component's `meta`: `chart: charts/x` (a path) or `sliceName` becomes `uuid`; a
    /// `uuid` written in the template is kept (per tenant, derived).
    private func linkChartMeta(_ meta: inout YAMLMapping, _ outcome: inout Outcome, _ file: String) {
        if let chartIndex = meta.index(forKey: "chart") {
            let node = meta.entries[chartIndex].value
            meta.entries.remove(at: chartIndex)
            if let uuid = resolve(node, kind: .chart, what: "meta.chart", &outcome, file) {
                meta.setValue(.string(uuid), forKey: "uuid", mark: node.mark)
            }
        } else if let uuidIndex = meta.index(forKey: "uuid") {
            if scope.tenant != nil, let text = meta.entries[uuidIndex].value.stringValue,
                let uuid = UUID(uuidString: text)
            {
                meta.entries[uuidIndex].value.value = .string(scope.derive(uuid))
            }
        } else if let name = meta["sliceName"] {
            if let uuid = resolve(name, kind: .chart, what: "meta.sliceName", &outcome, file) {
                meta.setValue(.string(uuid), forKey: "uuid", mark: name.mark)
            }
        }
    }

    private func linkNativeFilters(in root: inout YAMLMapping, _ outcome: inout Outcome, _ file: String) {
        root.updateMapping(forKey: "metadata") { metadata in
            metadata.updateValue(forKey: "native_filter_configuration") { filters in
                filters.updateEachItem { filter in
                    filter.updateValue(forKey: "targets") { targets in
                        targets.updateEachItem { target in
                            target.updateMapping {
                                linkReference(
                                    in: &$0, key: "dataset", linkedKey: "datasetUuid", kind: .dataset, &outcome, file)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Chart references in the metadata (``DashboardChartReferences``): a chart path, name or uuid
    /// becomes the chart's uuid (per tenant: the tenant's), and must be a chart of the position,
    /// since the import drops or fails on any other. A number is some server's id: an error.
    private func linkChartReferences(in root: inout YAMLMapping, _ outcome: inout Outcome, _ file: String) {
        let inPosition = Set(DashboardChartReferences.charts(in: root["position"]).map(\.uuid))
        root.updateMapping(forKey: "metadata") { linkChartReferences(in: &$0, inPosition: inPosition, &outcome, file) }
    }

    private func linkChartReferences(
        in metadata: inout YAMLMapping, inPosition: Set<String>, _ outcome: inout Outcome, _ file: String
    ) {
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

    private func singular(_ kind: AssetKind) -> String {
        String(kind.directory.dropLast())
    }

    private func location(_ node: YAMLNode, _ file: String) -> SourceLocation {
        SourceLocation(file: file, line: max(1, Int(node.mark.line)), column: max(1, Int(node.mark.column)))
    }
}
