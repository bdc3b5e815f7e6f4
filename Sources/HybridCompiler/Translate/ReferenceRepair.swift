import HybridYAML
import SupersetModel

/// References by name or path in a rendered document that no longer point where the export says
/// (the asset they named was renamed, in the UI or by translate): each is rewritten to name the
/// asset the export points at. A dashboard chart named only by `meta.sliceName` (which Superset
/// keeps as the chart's old name) gets `meta.chart: charts/x`.
struct ReferenceRepair {
    let table: LinkTable
    let book: IdentityBook
    /// Write paths only (a tenant's bundle: names there are retargeted, paths are not).
    var pathsOnly = false

    func edits(_ rendered: YAMLNode, export: YAMLNode, kind: AssetKind) -> [RenderedEdit] {
        guard let root = rendered.mappingValue, let exported = export.mappingValue else { return [] }
        var edits: [RenderedEdit] = []
        switch kind {
        case .database:
            break
        case .dataset:
            check(root, "database", exported["database_uuid"], .database, [], &edits)
        case .chart:
            check(root, "datasource", exported["dataset_uuid"], .dataset, [], &edits)
        case .dashboard:
            positionEdits(root, exported, &edits)
            let filters = root["metadata"]?.mappingValue?["native_filter_configuration"]?.sequenceValue ?? []
            let exportedFilters =
                exported["metadata"]?.mappingValue?["native_filter_configuration"]?.sequenceValue ?? []
            for (filterIndex, filter) in filters.enumerated() where filterIndex < exportedFilters.count {
                let targets = filter.mappingValue?["targets"]?.sequenceValue ?? []
                let exportedTargets = exportedFilters[filterIndex].mappingValue?["targets"]?.sequenceValue ?? []
                for (targetIndex, target) in targets.enumerated() where targetIndex < exportedTargets.count {
                    guard let mapping = target.mappingValue else { continue }
                    check(
                        mapping, "dataset", exportedTargets[targetIndex].mappingValue?["datasetUuid"], .dataset,
                        [
                            .key("metadata"), .key("native_filter_configuration"), .index(filterIndex), .key("targets"),
                            .index(targetIndex),
                        ], &edits)
                }
            }
        }
        return edits
    }

    private func check(
        _ mapping: YAMLMapping, _ key: String, _ expected: YAMLNode?, _ kind: AssetKind, _ path: [DocumentPathStep],
        _ edits: inout [RenderedEdit]
    ) {
        guard let written = mapping[key]?.stringValue, let uuid = expected?.stringValue else { return }
        if table.resolve(query: LinkTable.query(kind, written)) == .found(uuid) { return }
        guard let reference = book.reference(kind, uuid: uuid, like: pathsOnly ? kind.directory + "/" : written) else {
            return
        }
        edits.append(.replace(path: path + [.key(key)], value: YAMLNode(.string(reference))))
    }

    private func positionEdits(_ root: YAMLMapping, _ exported: YAMLMapping, _ edits: inout [RenderedEdit]) {
        guard let position = root["position"]?.mappingValue,
            let exportedPosition = exported["position"]?.mappingValue
        else { return }
        for entry in position.entries {
            guard let id = entry.key.stringValue, let meta = entry.value.mappingValue?["meta"]?.mappingValue,
                meta["uuid"] == nil,
                let uuid = exportedPosition[id]?.mappingValue?["meta"]?.mappingValue?["uuid"]?.stringValue
            else { continue }
            let metaPath: [DocumentPathStep] = [.key("position"), .key(id), .key("meta")]
            if meta["chart"] != nil {
                check(meta, "chart", YAMLNode(.string(uuid)), .chart, metaPath, &edits)
            } else if let name = meta["sliceName"]?.stringValue,
                table.resolve(query: LinkTable.query(.chart, name)) != .found(uuid),
                let path = book.reference(.chart, uuid: uuid, like: "charts/")
            {
                edits.append(.insertEntry(path: metaPath, key: "chart", value: YAMLNode(.string(path))))
            }
        }
    }
}
