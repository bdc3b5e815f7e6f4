import HybridYAML

/// The places in a dashboard's `metadata` that hold chart ids the import remaps through the
/// position's `meta.chartId` (``SupersetExportFacts/chartIdReferences``): `expanded_slices` and
/// `chart_configuration` keys, `timed_refresh_immune_slices`, cross-filter and native-filter
/// `scope.excluded`. Server ids mean nothing on another server, so the normal form holds the
/// chart's uuid there; the transport form puts back the `chartId`s it gives the position.
public enum DashboardChartReferences {
    /// One chart reference: a value, or a mapping key (`chart_configuration.{id}`).
    public enum Site: Sendable {
        case value
        case key
    }

    /// Replaces every chart reference in `metadata` with what `rewrite` returns (nil keeps it).
    public static func rewrite(_ metadata: inout YAMLMapping, _ rewrite: (YAMLNode, Site) -> YAMLNode?) {
        var node = YAMLNode(.mapping(metadata))
        metadata = YAMLMapping()
        for path in SupersetExportFacts.chartIdReferences["dashboard.metadata"] ?? [] {
            apply(&node, segments(path), rewrite)
        }
        let filterPaths = SupersetExportFacts.chartIdReferences["dashboard.nativeFilter"] ?? []
        apply(&node, ["native_filter_configuration[]"]) { filter, _ in
            var rewritten = filter
            for path in filterPaths { apply(&rewritten, segments(path), rewrite) }
            return rewritten
        }
        if case .mapping(let result) = node.value { metadata = result }
    }

    /// The position's CHART nodes: their `meta.uuid` and, when present (an export), `meta.chartId`.
    public static func charts(in position: YAMLNode?) -> [(uuid: String, chartId: Int?)] {
        guard case .mapping(let components)? = position?.value else { return [] }
        var charts: [(uuid: String, chartId: Int?)] = []
        for entry in components.entries {
            guard case .mapping(let component) = entry.value.value, component["type"]?.stringValue == "CHART",
                case .mapping(let meta)? = component["meta"]?.value, let uuid = meta["uuid"]?.stringValue
            else { continue }
            var chartId: Int?
            if case .int(let value)? = meta["chartId"]?.value { chartId = value }
            charts.append((uuid.lowercased(), chartId))
        }
        return charts
    }

    /// The normal form's references: a server's chart ids become the uuids of the position's charts.
    public static func idsToUUIDs(_ metadata: inout YAMLMapping, position: YAMLNode?) {
        var uuids: [Int: String] = [:]
        for chart in charts(in: position) {
            if let chartId = chart.chartId { uuids[chartId] = chart.uuid }
        }
        guard !uuids.isEmpty else { return }
        rewrite(&metadata) { node, site in
            switch node.value {
            case .int(let id):
                return uuids[id].map { YAMLNode(.string($0), mark: node.mark) }
            case .string(let text) where site == .key:
                return Int(text).flatMap { uuids[$0] }.map { YAMLNode(.string($0), mark: node.mark) }
            default:
                return nil
            }
        }
    }

    /// The transport form's references: chart uuids become the `chartId`s given in `chartIds`.
    public static func uuidsToIds(_ metadata: inout YAMLMapping, chartIds: [String: Int]) {
        guard !chartIds.isEmpty else { return }
        rewrite(&metadata) { node, site in
            guard let text = node.stringValue, let id = chartIds[text.lowercased()] else { return nil }
            return YAMLNode(site == .key ? .string(String(id)) : .int(id), mark: node.mark)
        }
    }

    private static func segments(_ path: String) -> [Substring] {
        path.split(separator: ".")
    }

    private static func apply(
        _ node: inout YAMLNode, _ segments: [Substring], _ rewrite: (YAMLNode, Site) -> YAMLNode?
    ) {
        guard let segment = segments.first, case .mapping(var mapping) = node.value else { return }
        let rest = Array(segments.dropFirst())
        node.value = .null
        defer { node.value = .mapping(mapping) }
        if segment == "*" {
            for index in mapping.entries.indices { apply(&mapping.entries[index].value, rest, rewrite) }
            return
        }
        if segment == "{id}" {
            for index in mapping.entries.indices {
                if let key = rewrite(mapping.entries[index].key, .key) { mapping.entries[index].key = key }
            }
            return
        }
        let isList = segment.hasSuffix("[]")
        let name = isList ? String(segment.dropLast(2)) : String(segment)
        guard let index = mapping.index(forKey: name) else { return }
        if isList {
            guard case .sequence(var items) = mapping.entries[index].value.value else { return }
            for item in items.indices {
                if rest.isEmpty {
                    if let replaced = rewrite(items[item], .value) { items[item] = replaced }
                } else {
                    apply(&items[item], rest, rewrite)
                }
            }
            mapping.entries[index].value.value = .sequence(items)
        } else if rest.isEmpty {
            if let replaced = rewrite(mapping.entries[index].value, .value) { mapping.entries[index].value = replaced }
        } else {
            apply(&mapping.entries[index].value, rest, rewrite)
        }
    }
}
