import Foundation
import HybridYAML
import SupersetModel

/// A template for an asset the repository does not have yet, from its exported bundle form: its
/// uuid written explicitly (identity survives), references written as names or paths the way
/// hand-written templates do, `version` left to the linker, the environment's values reverse
/// substituted and Superset's own Jinja escaped, so compiling it gives back the exported file.
struct NewTemplateWriter {
    /// A reference to the asset with this uuid (its path when asked for, else a unique name or its
    /// path), nil when the repository has no such asset.
    let reference: (AssetKind, String, _ path: Bool) -> String?
    let substitution: ReverseSubstitution

    func templateText(for document: YAMLNode, kind: AssetKind) -> String {
        guard case .mapping(var root) = document.value else { return "" }
        root.removeValue(forKey: "version")
        switch kind {
        case .database:
            break
        case .dataset:
            name(&root, linked: "database_uuid", as: "database", .database)
        case .chart:
            name(&root, linked: "dataset_uuid", as: "datasource", .dataset)
        case .dashboard:
            root.updateMapping(forKey: "position") { position in
                for index in position.entries.indices
                where position.entries[index].value.mappingValue?["type"]?.stringValue == "CHART" {
                    position.entries[index].value.updateValue(forKey: "meta") { node in
                        node.updateMapping { meta in
                            guard let uuid = meta["uuid"]?.stringValue, let path = reference(.chart, uuid, true)
                            else { return }
                            meta.removeValue(forKey: "uuid")
                            meta.setValue(.string(path), forKey: "chart")
                        }
                    }
                }
            }
            root.updateMapping(forKey: "metadata") { metadata in
                metadata.updateValue(forKey: "native_filter_configuration") { filters in
                    filters.updateEachItem { filter in
                        filter.updateValue(forKey: "targets") { targets in
                            targets.updateEachItem { target in
                                target.updateMapping { name(&$0, linked: "datasetUuid", as: "dataset", .dataset) }
                            }
                        }
                    }
                }
            }
        }
        let emitted = YAMLEmitter.emit(YAMLNode(.mapping(root)))
        return substituted(emitted)
    }

    /// `linked: uuid` → `key: name` when the repository has that asset.
    private func name(_ root: inout YAMLMapping, linked: String, as key: String, _ kind: AssetKind) {
        guard let index = root.index(forKey: linked), let uuid = root.entries[index].value.stringValue,
            let text = reference(kind, uuid, false)
        else { return }
        root.entries[index] = YAMLMapping.Entry(key: YAMLNode(.string(key)), value: YAMLNode(.string(text)))
    }

    /// The emitted text with every string value's text reverse substituted, the rest escaped.
    private func substituted(_ bytes: [UInt8]) -> String {
        guard let root = YAMLSourceSpans.parse(bytes) else {
            return TemplateLiteral.escape(String(decoding: bytes, as: UTF8.self))
        }
        var values: [Range<Int>] = []
        collectValues(root, into: &values)
        values.sort { $0.lowerBound < $1.lowerBound }
        var output = ""
        var cursor = 0
        for range in values where range.lowerBound >= cursor {
            output += TemplateLiteral.escape(String(decoding: bytes[cursor..<range.lowerBound], as: UTF8.self))
            output += substitution.templateText(
                for: String(decoding: bytes[range], as: UTF8.self),
                before: range.lowerBound > 0 ? bytes[range.lowerBound - 1] : nil,
                after: range.upperBound < bytes.count ? bytes[range.upperBound] : nil)
            cursor = range.upperBound
        }
        output += TemplateLiteral.escape(String(decoding: bytes[cursor...], as: UTF8.self))
        return output
    }

    private func collectValues(_ node: YAMLSpanNode, into values: inout [Range<Int>]) {
        switch node {
        case .scalar(let start, let end, let style, _):
            if style != .plain || !isNonString(node) { values.append(start..<end) }
        case .mapping(_, _, _, let entries):
            for entry in entries { collectValues(entry.value, into: &values) }
        case .sequence(_, _, _, let items):
            for item in items { collectValues(item, into: &values) }
        case .alias:
            break
        }
    }

    private func isNonString(_ node: YAMLSpanNode) -> Bool {
        guard case .scalar(_, _, .plain, let text) = node else { return false }
        let tag = ImplicitTag.of(text)
        return tag != .string
    }
}
