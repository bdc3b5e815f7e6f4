import HybridYAML
import SupersetModel

/// Brings a bundle-form document (what a template compiles to, or the export of that asset) into the
/// terms its template writes: the `uuid` and `version` the linker adds are left out where the
/// template does not write them, and each uuid reference the template writes by name or path
/// (dataset `database`, chart `datasource`, a dashboard chart's `meta.chart` or `meta.sliceName`,
/// a native filter target's `dataset`) is written that way again: as the template wrote it when it
/// still points at the same asset, else as a reference to the asset it points at now.
struct ReferenceTerms {
    let kind: AssetKind
    /// The template's rendered (and retargeted) document.
    let rendered: YAMLNode
    /// What it compiles to now.
    let compiled: YAMLNode
    /// A reference to the asset with this uuid, written like `previous` (a path stays a path, a name
    /// a name when the name is unique); nil when the repository has no such asset.
    let reference: (AssetKind, String, String?) -> String?

    func apply(_ document: YAMLNode) throws(RenderedEditPlanner.Unplaceable) -> YAMLNode {
        guard case .mapping(var root) = document.value, let written = rendered.mappingValue else { return document }
        for key in ["uuid", "version"] where written[key] == nil { root.removeValue(forKey: key) }
        switch kind {
        case .database:
            break
        case .dataset:
            try swap(
                &root, written, compiled.mappingValue, linked: "database_uuid", reference: "database", .database, [])
        case .chart:
            try swap(
                &root, written, compiled.mappingValue, linked: "dataset_uuid", reference: "datasource", .dataset, [])
        case .dashboard:
            try positionTerms(&root, written)
            try nativeFilterTerms(&root, written)
        }
        return YAMLNode(.mapping(root), mark: document.mark)
    }

    /// `linked: uuid` → `reference: name` where the template writes the reference.
    private func swap(
        _ root: inout YAMLMapping, _ written: YAMLMapping, _ compiled: YAMLMapping?, linked: String,
        reference key: String,
        _ target: AssetKind, _ path: [DocumentPathStep]
    ) throws(RenderedEditPlanner.Unplaceable) {
        guard let previous = written[key], let index = root.index(forKey: linked),
            let uuid = root.entries[index].value.stringValue
        else { return }
        let text: String
        if compiled?[linked]?.stringValue == uuid {
            text = previous.stringValue ?? uuid
        } else if let found = reference(target, uuid, previous.stringValue) {
            text = found
        } else {
            throw RenderedEditPlanner.Unplaceable(
                path: path + [.key(key)],
                reason: "it now refers to \(uuid), which no template of this repository produces")
        }
        root.entries[index] = YAMLMapping.Entry(key: YAMLNode(.string(key)), value: YAMLNode(.string(text)))
    }

    private func positionTerms(_ root: inout YAMLMapping, _ written: YAMLMapping) throws(RenderedEditPlanner
        .Unplaceable)
    {
        guard let writtenPosition = written["position"]?.mappingValue else { return }
        let compiledPosition = compiled.mappingValue?["position"]?.mappingValue
        var failure: RenderedEditPlanner.Unplaceable?
        root.updateMapping(forKey: "position") { position in
            for index in position.entries.indices {
                guard let id = position.entries[index].key.stringValue,
                    let writtenMeta = writtenPosition[id]?.mappingValue?["meta"]?.mappingValue,
                    writtenMeta["uuid"] == nil
                else { continue }
                let compiledMeta = compiledPosition?[id]?.mappingValue?["meta"]?.mappingValue
                position.entries[index].value.updateValue(forKey: "meta") { node in
                    node.updateMapping { meta in
                        guard let uuid = meta["uuid"]?.stringValue else { return }
                        meta.removeValue(forKey: "uuid")
                        let same = compiledMeta?["uuid"]?.stringValue == uuid
                        if let chart = writtenMeta["chart"] {
                            if same {
                                meta.setValue(chart.value, forKey: "chart")
                            } else if let path = reference(.chart, uuid, "charts/") {
                                meta.setValue(.string(path), forKey: "chart")
                            } else {
                                failure = RenderedEditPlanner.Unplaceable(
                                    path: [.key("position"), .key(id), .key("meta"), .key("chart")],
                                    reason:
                                        "it now refers to chart \(uuid), which no template of this repository produces")
                            }
                        } else if !same {
                            if let path = reference(.chart, uuid, "charts/") {
                                meta.setValue(.string(path), forKey: "chart")
                            } else {
                                failure = RenderedEditPlanner.Unplaceable(
                                    path: [.key("position"), .key(id), .key("meta")],
                                    reason: "it now shows chart \(uuid), which no template of this repository produces")
                            }
                        }
                    }
                }
            }
        }
        if let failure { throw failure }
    }

    private func nativeFilterTerms(_ root: inout YAMLMapping, _ written: YAMLMapping) throws(RenderedEditPlanner
        .Unplaceable)
    {
        let writtenFilters = written["metadata"]?.mappingValue?["native_filter_configuration"]?.sequenceValue ?? []
        let compiledFilters =
            compiled.mappingValue?["metadata"]?.mappingValue?["native_filter_configuration"]?.sequenceValue ?? []
        var failure: RenderedEditPlanner.Unplaceable?
        root.updateMapping(forKey: "metadata") { metadata in
            metadata.updateValue(forKey: "native_filter_configuration") { filters in
                guard case .sequence(var items) = filters.value else { return }
                for filterIndex in items.indices where filterIndex < writtenFilters.count {
                    let writtenTargets = writtenFilters[filterIndex].mappingValue?["targets"]?.sequenceValue ?? []
                    let compiledTargets =
                        filterIndex < compiledFilters.count
                        ? compiledFilters[filterIndex].mappingValue?["targets"]?.sequenceValue ?? [] : []
                    items[filterIndex].updateValue(forKey: "targets") { targets in
                        guard case .sequence(var list) = targets.value else { return }
                        for targetIndex in list.indices where targetIndex < writtenTargets.count {
                            guard let writtenTarget = writtenTargets[targetIndex].mappingValue,
                                case .mapping(var target) = list[targetIndex].value
                            else { continue }
                            let compiledTarget =
                                targetIndex < compiledTargets.count ? compiledTargets[targetIndex].mappingValue : nil
                            do throws(RenderedEditPlanner.Unplaceable) {
                                try swap(
                                    &target, writtenTarget, compiledTarget, linked: "datasetUuid", reference: "dataset",
                                    .dataset,
                                    [
                                        .key("metadata"), .key("native_filter_configuration"), .index(filterIndex),
                                        .key("targets"), .index(targetIndex),
                                    ])
                            } catch {
                                failure = error
                            }
                            list[targetIndex].value = .mapping(target)
                        }
                        targets.value = .sequence(list)
                    }
                }
                filters.value = .sequence(items)
            }
        }
        if let failure { throw failure }
    }
}
