import HybridCompiler
import HybridDiagnostics
import HybridYAML
import SupersetModel

/// One problem `hybrid validate` found in a compiled bundle.
public struct ValidationFinding: Sendable, Equatable, Codable {
    /// Which family of checks found it.
    public enum Rule: String, Sendable, Equatable, Codable {
        /// Superset's import schema (marshmallow) would reject the file.
        case schema
        /// A uuid or name that points at nothing in the bundle.
        case reference
        /// Two assets that Superset (or linking) requires to differ.
        case duplicate
        /// `policy:` of hybrid.yaml.
        case policy
    }

    /// One step of a ``keyPath``: a mapping key or a list index.
    public enum KeyPathComponent: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    public var severity: Diagnostic.Severity
    public var rule: Rule
    /// Bundle-relative file, e.g. `charts/x.yaml`.
    public var path: String
    /// Where in the document, e.g. `params.metrics[0]`; empty for the document root.
    public var keyPath: String
    /// 1-based position of the offending node (for a missing key: of the mapping that lacks it); 0 if unknown.
    public var line: Int
    public var column: Int
    public var message: String
    /// Further lines, e.g. `first defined in charts/y.yaml:3`.
    public var related: [String]

    public init(
        severity: Diagnostic.Severity, rule: Rule, path: String, keyPath: String, line: Int, column: Int,
        message: String, related: [String] = []
    ) {
        self.severity = severity
        self.rule = rule
        self.path = path
        self.keyPath = keyPath
        self.line = line
        self.column = column
        self.message = message
        self.related = related
    }

    /// A finding at `node` of the file `path`.
    init(
        _ severity: Diagnostic.Severity, _ rule: Rule, path: String, keyPath: [KeyPathComponent], at mark: YAMLMark,
        _ message: String, related: [String] = []
    ) {
        self.init(
            severity: severity, rule: rule, path: path, keyPath: Self.keyPath(keyPath), line: Int(mark.line),
            column: Int(mark.column), message: message, related: related)
    }

    /// `params.metrics[0]`, `position.CHART-1.meta.uuid`; a key other than `[A-Za-z0-9_-]+` is written
    /// `["a.b"]` (JSON string escapes); the root is the empty string.
    public static func keyPath(_ components: [KeyPathComponent]) -> String {
        var text = ""
        for component in components {
            switch component {
            case .index(let index):
                text += "[\(index)]"
            case .key(let key):
                if isPlainKey(key) {
                    if !text.isEmpty { text += "." }
                    text += key
                } else {
                    text += "[" + JSONText.quoted(key) + "]"
                }
            }
        }
        return text
    }

    /// Orders findings by file, position, then message (the order `hybrid validate` prints them in).
    public static func inReportOrder(_ lhs: ValidationFinding, _ rhs: ValidationFinding) -> Bool {
        if lhs.path != rhs.path { return lhs.path < rhs.path }
        if lhs.line != rhs.line { return lhs.line < rhs.line }
        if lhs.column != rhs.column { return lhs.column < rhs.column }
        if lhs.message != rhs.message { return lhs.message < rhs.message }
        if lhs.keyPath != rhs.keyPath { return lhs.keyPath < rhs.keyPath }
        if lhs.rule != rhs.rule { return lhs.rule.rawValue < rhs.rule.rawValue }
        if lhs.severity != rhs.severity { return lhs.severity.rawValue < rhs.severity.rawValue }
        return lhs.related.lexicographicallyPrecedes(rhs.related)
    }

    /// As a diagnostic at `directory/path` (`directory` nil: the bundle-relative path), the key path leading
    /// the message and each related line a note.
    public func diagnostic(directory: String? = nil) -> Diagnostic {
        let file = directory.map { $0.hasSuffix("/") ? $0 + path : $0 + "/" + path } ?? path
        let location = SourceLocation(file: file, line: max(line, 1), column: max(column, 1))
        let text = keyPath.isEmpty ? message : "\(keyPath): \(message)"
        return Diagnostic(severity, at: location, text, notes: related.map { Diagnostic(.note, at: nil, $0) })
    }

    private static func isPlainKey(_ key: String) -> Bool {
        guard !key.isEmpty else { return false }
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                continue
            default:
                return false
            }
        }
        return true
    }
}
