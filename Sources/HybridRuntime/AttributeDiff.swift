import HybridYAML
import SupersetModel

/// One attribute an apply changes, by key path in the normal form (`params.row_limit`, `metrics[2]`).
public struct AttributeChange: Sendable, Codable, Equatable {
    public enum Operation: String, Sendable, Codable {
        case add = "+"
        case remove = "-"
        case change = "~"
    }

    public var path: String
    public var operation: Operation
    /// The value before (on the server), on one line; nil when added.
    public var old: String?
    /// The value after (in the bundle), on one line; nil when removed.
    public var new: String?
    /// For a long or multi-line value: a unified diff of before → after instead.
    public var diff: String?

    /// `~ params.row_limit: 1000 → 999`, `+ metrics[2]: {…}`, `- description: x` (a diff follows a long value).
    public var line: String {
        switch operation {
        case .add: "+ \(path)" + (diff == nil ? ": \(new ?? "")" : "")
        case .remove: "- \(path)" + (diff == nil ? ": \(old ?? "")" : "")
        case .change: "~ \(path)" + (diff == nil ? ": \(old ?? "") → \(new ?? "")" : "")
        }
    }
}

/// The attribute-level difference of two documents in the normal form: what `plan` shows a reviewer.
/// Mappings compare by key; lists item by item, with the items they share at the start and the
/// end kept in place, so an inserted metric is one `+` and not a change of every later one.
public enum AttributeDiff {
    /// Longest one-line value before a unified diff is shown instead.
    static let inlineLimit = 80

    public static func changes(from old: YAMLNode, to new: YAMLNode) -> [AttributeChange] {
        var changes: [AttributeChange] = []
        walk(old, new, "", &changes)
        return changes
    }

    private static func walk(_ old: YAMLNode, _ new: YAMLNode, _ path: String, _ changes: inout [AttributeChange]) {
        if old == new { return }
        switch (old.value, new.value) {
        case (.mapping(let a), .mapping(let b)):
            let keys = (a.entries + b.entries).compactMap { key($0.key) }
            var seen: Set<String> = []
            for name in keys.sorted() where seen.insert(name).inserted {
                let child = path.isEmpty ? name : path + "." + name
                switch (a[name], b[name]) {
                case (let x?, let y?): walk(x, y, child, &changes)
                case (let x?, nil): changes.append(change(.remove, child, old: x, new: nil))
                case (nil, let y?): changes.append(change(.add, child, old: nil, new: y))
                case (nil, nil): break
                }
            }
        case (.sequence(let a), .sequence(let b)):
            var prefix = 0
            while prefix < min(a.count, b.count), a[prefix] == b[prefix] { prefix += 1 }
            var suffix = 0
            while suffix < min(a.count, b.count) - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] {
                suffix += 1
            }
            let oldMiddle = Array(a[prefix..<(a.count - suffix)])
            let newMiddle = Array(b[prefix..<(b.count - suffix)])
            let paired = min(oldMiddle.count, newMiddle.count)
            for offset in 0..<paired {
                walk(oldMiddle[offset], newMiddle[offset], "\(path)[\(prefix + offset)]", &changes)
            }
            for offset in paired..<oldMiddle.count {
                changes.append(change(.remove, "\(path)[\(prefix + offset)]", old: oldMiddle[offset], new: nil))
            }
            for offset in paired..<newMiddle.count {
                changes.append(change(.add, "\(path)[\(prefix + offset)]", old: nil, new: newMiddle[offset]))
            }
        default:
            changes.append(change(.change, path.isEmpty ? "(document)" : path, old: old, new: new))
        }
    }

    private static func change(_ operation: AttributeChange.Operation, _ path: String, old: YAMLNode?, new: YAMLNode?)
        -> AttributeChange
    {
        let before = old.map(oneLine)
        let after = new.map(oneLine)
        let long = [before, after].contains { ($0?.count ?? 0) > inlineLimit || ($0?.contains("\n") ?? false) }
        guard long else { return AttributeChange(path: path, operation: operation, old: before, new: after) }
        let diff = LineDiff.unified(
            old.map(block) ?? "", new.map(block) ?? "", oldName: "server/" + path, newName: "bundle/" + path)
        return AttributeChange(path: path, operation: operation, old: nil, new: nil, diff: diff)
    }

    /// A scalar as YAML writes it plainly, a collection as compact JSON.
    private static func oneLine(_ node: YAMLNode) -> String {
        if node.isCollection { return JSONText.write(node) }
        return YAMLEmitter.scalarText(node.value, preferring: .plain, blockIndent: 2)
    }

    private static func block(_ node: YAMLNode) -> String {
        if case .string(let text) = node.value { return text.hasSuffix("\n") ? text : text + "\n" }
        return YAMLEmitter.emitString(node)
    }

    private static func key(_ node: YAMLNode) -> String? {
        node.stringValue ?? YAMLEmitter.plainText(of: node.value)
    }
}
