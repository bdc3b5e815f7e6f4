import HybridCompiler
import HybridDiagnostics
import HybridYAML
import SupersetModel

/// Checks that every uuid and name a bundle's assets refer to exists in that bundle: a dataset's (or saved
/// query's) database, a chart's dataset and the metrics and columns of it its params use, a dashboard's charts and its native
/// filters' datasets and columns.
///
/// Values of the wrong type are left to ``SchemaChecker``; a reference is only checked when it is a string.
public struct ReferenceChecker: Sendable {
    public init() {}

    /// Chart `params` keys that name saved metrics (strings) or hold adhoc metrics (mappings).
    static let metricParams: [(key: String, isList: Bool)] = [
        ("metrics", true), ("metric", false), ("percent_metrics", true), ("timeseries_limit_metric", false),
    ]
    /// Chart `params` keys whose strings name dataset columns (adhoc columns, mappings, are not checked).
    static let columnParams: [(key: String, isList: Bool)] = [
        ("groupby", true), ("columns", true), ("all_columns", true), ("x_axis", false),
        ("granularity_sqla", false),
    ]

    public func check(_ documents: [BundleDocument]) -> [ValidationFinding] {
        let index = BundleIndex(documents)
        var findings: [ValidationFinding] = []
        for document in documents {
            guard case .mapping(let root) = document.node.value else { continue }
            var walk = ReferenceWalk(path: document.path, index: index)
            switch document.kind {
            case .database?: break
            case .dataset?: walk.checkDatabase(root)
            case .chart?: walk.checkChart(root)
            case .dashboard?: walk.checkDashboard(root)
            case nil:
                // A saved query (queries/) refers to its database like a dataset.
                if document.path.hasPrefix("queries/") { walk.checkDatabase(root) }
            }
            findings += walk.findings
        }
        return BundleValidator.sorted(findings)
    }
}

/// What a bundle defines, by uuid.
private struct BundleIndex {
    struct Dataset {
        var path: String
        var name: String
        var columns: [String] = []
        var columnSet: Set<String> = []
        var metrics: [String] = []
        var metricSet: Set<String> = []
    }

    var databases: Set<String> = []
    var datasets: [String: Dataset] = [:]
    var charts: Set<String> = []

    init(_ documents: [BundleDocument]) {
        for document in documents {
            guard let kind = document.kind, case .mapping(let root) = document.node.value,
                let uuid = root["uuid"]?.stringValue
            else { continue }
            switch kind {
            case .database:
                databases.insert(uuid)
            case .chart:
                charts.insert(uuid)
            case .dashboard:
                break
            case .dataset:
                var dataset = Dataset(path: document.path, name: root["table_name"]?.stringValue ?? document.path)
                for column in root["columns"]?.sequenceValue ?? [] {
                    if let name = column.mappingValue?["column_name"]?.stringValue {
                        dataset.columns.append(name)
                    }
                }
                for metric in root["metrics"]?.sequenceValue ?? [] {
                    if let name = metric.mappingValue?["metric_name"]?.stringValue {
                        dataset.metrics.append(name)
                    }
                }
                dataset.columnSet = Set(dataset.columns)
                dataset.metricSet = Set(dataset.metrics)
                // Two datasets with one uuid are a duplicate finding; references resolve to the first.
                if datasets[uuid] == nil { datasets[uuid] = dataset }
            }
        }
    }
}

private struct ReferenceWalk {
    typealias Component = ValidationFinding.KeyPathComponent

    let path: String
    let index: BundleIndex
    var findings: [ValidationFinding] = []

    init(path: String, index: BundleIndex) {
        self.path = path
        self.index = index
    }

    mutating func report(_ node: YAMLNode, _ keyPath: [Component], _ message: String) {
        findings.append(ValidationFinding(.error, .reference, path: path, keyPath: keyPath, at: node.mark, message))
    }

    // MARK: datasets and saved queries

    mutating func checkDatabase(_ root: YAMLMapping) {
        guard let node = root["database_uuid"], let uuid = node.stringValue else { return }
        if !index.databases.contains(uuid) {
            report(node, [.key("database_uuid")], "database '\(uuid)' is not in this bundle")
        }
    }

    // MARK: charts

    mutating func checkChart(_ root: YAMLMapping) {
        guard let node = root["dataset_uuid"], let uuid = node.stringValue else { return }
        guard let dataset = index.datasets[uuid] else {
            report(node, [.key("dataset_uuid")], "dataset '\(uuid)' is not in this bundle")
            return
        }
        guard let params = root["params"]?.mappingValue else { return }
        for (key, isList) in ReferenceChecker.metricParams {
            visit(params, key, isList) { walk, item, keyPath in walk.checkMetric(item, keyPath, dataset) }
        }
        for (key, isList) in ReferenceChecker.columnParams {
            visit(params, key, isList) { walk, item, keyPath in
                // An empty value is no column (Superset reads `granularity_sqla: ''` as none).
                if let name = item.stringValue, !name.isEmpty { walk.checkColumn(name, item, keyPath, dataset) }
            }
        }
        if let filters = params["adhoc_filters"]?.sequenceValue {
            for (position, filter) in filters.enumerated() {
                guard let filter = filter.mappingValue, let subject = filter["subject"],
                    let name = subject.stringValue
                else { continue }
                let type = filter["expressionType"]
                guard type == nil || type?.stringValue == "SIMPLE" else { continue }
                checkColumn(
                    name, subject, [.key("params"), .key("adhoc_filters"), .index(position), .key("subject")], dataset)
            }
        }
    }

    /// Calls `body` with `params[key]` (a single value) or each of its elements (a list).
    private mutating func visit(
        _ params: YAMLMapping, _ key: String, _ isList: Bool,
        _ body: (inout ReferenceWalk, YAMLNode, [Component]) -> Void
    ) {
        guard let value = params[key] else { return }
        if isList {
            guard let items = value.sequenceValue else { return }
            for (position, item) in items.enumerated() {
                body(&self, item, [.key("params"), .key(key), .index(position)])
            }
        } else {
            body(&self, value, [.key("params"), .key(key)])
        }
    }

    /// A saved metric's name, or an adhoc metric whose SIMPLE column must exist.
    private mutating func checkMetric(_ node: YAMLNode, _ keyPath: [Component], _ dataset: BundleIndex.Dataset) {
        if let name = node.stringValue {
            guard !dataset.metricSet.contains(name) else { return }
            var message = "metric '\(name)' is not a metric of dataset '\(dataset.name)' (\(dataset.path))"
            if let suggestion = EditDistance.closest(to: name, in: dataset.metrics) {
                message += "; did you mean '\(suggestion)'?"
            } else if dataset.columnSet.contains(name) {
                message += "; '\(name)' is a column: use an adhoc metric to aggregate it"
            }
            report(node, keyPath, message)
        } else if let metric = node.mappingValue, metric["expressionType"]?.stringValue == "SIMPLE",
            let column = metric["column"]?.mappingValue?["column_name"], let name = column.stringValue
        {
            checkColumn(name, column, keyPath + [.key("column"), .key("column_name")], dataset)
        }
    }

    private mutating func checkColumn(
        _ name: String, _ node: YAMLNode, _ keyPath: [Component], _ dataset: BundleIndex.Dataset
    ) {
        guard !dataset.columnSet.contains(name) else { return }
        report(node, keyPath, Self.missingColumn(name, dataset))
    }

    static func missingColumn(_ name: String, _ dataset: BundleIndex.Dataset) -> String {
        var message = "column '\(name)' is not a column of dataset '\(dataset.name)' (\(dataset.path))"
        if let suggestion = EditDistance.closest(to: name, in: dataset.columns) {
            message += "; did you mean '\(suggestion)'?"
        }
        return message
    }

    // MARK: dashboards

    mutating func checkDashboard(_ root: YAMLMapping) {
        if let position = root["position"]?.mappingValue {
            for entry in position.entries {
                guard let component = entry.value.mappingValue, component["type"]?.stringValue == "CHART" else {
                    continue
                }
                let id = entry.key.stringValue ?? FindingText.scalar(entry.key.value)
                let base: [Component] = [.key("position"), .key(id)]
                guard let meta = component["meta"]?.mappingValue, let uuidNode = meta["uuid"] else {
                    let node = component["meta"] ?? entry.value
                    report(node, base + [.key("meta")], "chart component '\(id)' is not linked: it has no meta.uuid")
                    continue
                }
                guard let uuid = uuidNode.stringValue else {
                    report(
                        uuidNode, base + [.key("meta"), .key("uuid")],
                        "meta.uuid must be a chart's uuid (a string), got \(FindingText.describe(uuidNode.value))")
                    continue
                }
                if !index.charts.contains(uuid) {
                    report(uuidNode, base + [.key("meta"), .key("uuid")], "chart '\(uuid)' is not in this bundle")
                }
            }
        }
        guard let filters = root["metadata"]?.mappingValue?["native_filter_configuration"]?.sequenceValue else {
            return
        }
        for (filterPosition, filter) in filters.enumerated() {
            guard let targets = filter.mappingValue?["targets"]?.sequenceValue else { continue }
            for (targetPosition, target) in targets.enumerated() {
                guard let target = target.mappingValue, let uuidNode = target["datasetUuid"],
                    let uuid = uuidNode.stringValue
                else { continue }
                let base: [Component] = [
                    .key("metadata"), .key("native_filter_configuration"), .index(filterPosition), .key("targets"),
                    .index(targetPosition),
                ]
                guard let dataset = index.datasets[uuid] else {
                    report(uuidNode, base + [.key("datasetUuid")], "dataset '\(uuid)' is not in this bundle")
                    continue
                }
                if let column = target["column"]?.mappingValue?["name"], let name = column.stringValue {
                    checkColumn(name, column, base + [.key("column"), .key("name")], dataset)
                }
            }
        }
    }
}
