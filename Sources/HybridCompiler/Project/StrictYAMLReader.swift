import HybridDiagnostics
import HybridYAML
import SupersetModel

/// Typed reads from a parsed YAML file, each failure an error at the node's `file:line:col`.
public struct StrictYAMLReader: Sendable {
    public var file: String

    public init(file: String) {
        self.file = file
    }

    public func location(_ node: YAMLNode) -> SourceLocation {
        SourceLocation(file: file, line: max(1, Int(node.mark.line)), column: max(1, Int(node.mark.column)))
    }

    public func error(_ node: YAMLNode, _ message: String) -> Diagnostic {
        .error(at: location(node), message)
    }

    public func warning(_ node: YAMLNode, _ message: String) -> Diagnostic {
        .warning(at: location(node), message)
    }

    /// A mapping with string keys, each one of `allowed` (when given).
    public func mapping(_ node: YAMLNode, what: String, allowed: [String]? = nil) throws(Diagnostic) -> YAMLMapping {
        guard let mapping = node.mappingValue else {
            throw error(node, "\(what) must be a mapping, not \(Self.describe(node.value))")
        }
        for entry in mapping.entries {
            guard let key = entry.key.stringValue else {
                throw error(entry.key, "keys of \(what) must be strings, not \(Self.describe(entry.key.value))")
            }
            if let allowed, !allowed.contains(key) {
                throw error(
                    entry.key, "unknown key '\(key)' in \(what) (allowed: \(allowed.joined(separator: ", ")))")
            }
        }
        return mapping
    }

    public func sequence(_ node: YAMLNode, what: String) throws(Diagnostic) -> [YAMLNode] {
        guard let items = node.sequenceValue else {
            throw error(node, "\(what) must be a list, not \(Self.describe(node.value))")
        }
        return items
    }

    public func string(_ node: YAMLNode, what: String) throws(Diagnostic) -> String {
        guard let text = node.stringValue else {
            throw error(node, "\(what) must be a string, not \(Self.describe(node.value))")
        }
        return text
    }

    public func bool(_ node: YAMLNode, what: String) throws(Diagnostic) -> Bool {
        guard case .bool(let value) = node.value else {
            throw error(node, "\(what) must be true or false, not \(Self.describe(node.value))")
        }
        return value
    }

    /// A non-empty string usable as a name (an environment, a tenant): no `/`, no leading `.`.
    public func name(_ node: YAMLNode, what: String) throws(Diagnostic) -> String {
        let text = try string(node, what: what)
        guard Self.isSafeName(text) else {
            throw error(
                node, "\(what) '\(text)' is not a valid name (letters, digits, '-', '_', '.'; not starting with '.')")
        }
        return text
    }

    /// A repository-relative directory: non-empty, not absolute, no `..`.
    public func directory(_ node: YAMLNode, what: String) throws(Diagnostic) -> String {
        var text = try string(node, what: what)
        while text.hasPrefix("./") { text.removeFirst(2) }
        while text.count > 1 && text.hasSuffix("/") { text.removeLast() }
        guard !text.isEmpty, text != ".", !text.hasPrefix("/"),
            !text.split(separator: "/").contains("..")
        else {
            throw error(
                node, "\(what) must be a directory inside the repository (relative, without '..'), got '\(text)'")
        }
        return text
    }

    /// An http(s) URL.
    public func url(_ node: YAMLNode, what: String) throws(Diagnostic) -> String {
        let text = try string(node, what: what)
        guard text.hasPrefix("http://") || text.hasPrefix("https://"), text.count > 8 else {
            throw error(node, "\(what) must be an http:// or https:// URL, got '\(text)'")
        }
        return text
    }

    /// A mapping of names to nodes, in file order.
    public func stringMap(_ node: YAMLNode, what: String) throws(Diagnostic) -> [(String, YAMLNode)] {
        try mapping(node, what: what).entries.map { entry throws(Diagnostic) in
            (try name(entry.key, what: "a key of \(what)"), entry.value)
        }
    }

    public static func isSafeName(_ text: String) -> Bool {
        guard let first = text.utf8.first, first != UInt8(ascii: "."), text.utf8.count <= 200 else { return false }
        return text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
    }

    /// "a string", "a list", … for messages.
    public static func describe(_ value: YAMLValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .bigInt: "an integer"
        case .float: "a number"
        case .string: "a string"
        case .date, .timestamp: "a date"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }
}
