import HybridDiagnostics
import HybridYAML
import SupersetModel

/// The last step of linking one document: its normal form (``SupersetNormalForm``), with a warning
/// for every key Superset would not keep and for legacy chart types, and Superset's inherited
/// dataset `cache_timeout` rule decided through the link table (and recorded as a lookup).
enum NormalFormStep {
    static func apply(
        _ document: YAMLNode, _ kind: AssetKind, _ table: LinkTable, _ lookups: inout [(query: String, result: String)],
        _ file: String, _ warnings: inout [Diagnostic]
    ) -> YAMLNode {
        var dropped: [SupersetNormalForm.Dropped] = []
        var normal = SupersetNormalForm.normalize(document, kind: kind, dropped: &dropped)
        for item in dropped {
            warnings.append(
                .warning(at: location(item.mark, file), "\(item.keyPath) is left out of the bundle: \(item.reason)"))
        }
        if kind == .chart, case .mapping(let root) = document.value, let entry = root.entry(forKey: "viz_type"),
            let vizType = entry.value.stringValue, SupersetExportFacts.migratedVizTypes[vizType] != nil
        {
            let written = normal.mappingValue?["viz_type"]?.stringValue ?? "?"
            let outcome =
                written == vizType
                ? "Superset's import rewrites it and its params in a way hybrid cannot predict here, so every export would show drift"
                : "the bundle holds it as Superset's import rewrites it ('\(written)', params migrated)"
            warnings.append(
                .warning(
                    at: location(entry.value.mark, file),
                    "viz_type '\(vizType)' is a legacy chart type: \(outcome); write the new type"))
        }
        if kind == .dataset, case .mapping(var root) = normal.value,
            let database = root["database_uuid"]?.stringValue?.lowercased()
        {
            let query = LinkTable.cacheTimeoutQuery(database: database)
            let resolution = table.resolve(query: query)
            lookups.append((query, resolution.recorded))
            if case .found(let inherited) = resolution, let value = root["cache_timeout"]?.value,
                YAMLEmitter.plainText(of: value) == inherited
            {
                root.entries.removeAll { $0.key.stringValue == "cache_timeout" }
                normal = YAMLNode(.mapping(root), mark: normal.mark)
            }
        }
        return normal
    }

    private static func location(_ mark: YAMLMark, _ file: String) -> SourceLocation {
        SourceLocation(file: file, line: max(1, Int(mark.line)), column: max(1, Int(mark.column)))
    }
}
