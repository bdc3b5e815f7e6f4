import HybridYAML

/// Which assets of a bundle need which (a chart its dataset, a dataset its database, a dashboard
/// its charts and native filter datasets): Superset imports an asset only with its dependencies in
/// the same bundle.
public struct AssetDependencies: Sendable {
    /// uuid → the uuids it needs directly.
    public private(set) var needs: [String: Set<String>] = [:]

    public init(_ documents: [BundleDocument]) {
        for document in documents {
            guard let kind = document.kind, let mapping = document.node.mappingValue,
                let uuid = mapping["uuid"]?.stringValue?.lowercased()
            else { continue }
            var direct: Set<String> = []
            switch kind {
            case .database:
                break
            case .dataset:
                if let database = mapping["database_uuid"]?.stringValue { direct.insert(database.lowercased()) }
            case .chart:
                if let dataset = mapping["dataset_uuid"]?.stringValue { direct.insert(dataset.lowercased()) }
            case .dashboard:
                for component in mapping["position"]?.mappingValue?.entries ?? [] {
                    if let chart = component.value.mappingValue?["meta"]?.mappingValue?["uuid"]?.stringValue {
                        direct.insert(chart.lowercased())
                    }
                }
                let filters = mapping["metadata"]?.mappingValue?["native_filter_configuration"]?.sequenceValue ?? []
                for filter in filters {
                    for target in filter.mappingValue?["targets"]?.sequenceValue ?? [] {
                        if let dataset = target.mappingValue?["datasetUuid"]?.stringValue {
                            direct.insert(dataset.lowercased())
                        }
                    }
                }
            }
            needs[uuid] = direct
        }
    }

    /// `roots` and everything they need, transitively.
    public func closure(of roots: Set<String>) -> Set<String> {
        var result: Set<String> = []
        var pending = Array(roots)
        while let next = pending.popLast() {
            guard result.insert(next).inserted else { continue }
            pending += needs[next] ?? []
        }
        return result
    }
}
