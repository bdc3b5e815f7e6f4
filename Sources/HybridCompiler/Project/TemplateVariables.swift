import HybridCache
import HybridDiagnostics
import HybridYAML
import SupersetModel

/// The variables a render sees: `env/<ENV>.yaml`, then a vars file, then `--var` overrides.
public struct TemplateVariables: Sendable {
    public private(set) var values: [String: YAMLNode] = [:]

    public init() {}

    /// Adds every top-level key of a YAML mapping file (later sources override earlier ones).
    /// An empty file adds nothing; anything but a mapping is an error at its position.
    public mutating func merge(file path: String, displayPath: String? = nil) throws(Diagnostic) {
        let bytes: [UInt8]
        do {
            bytes = try AtomicFile.read(path)
        } catch {
            throw .error(at: nil, error.description)
        }
        merge(try TemplateVariables.parse(bytes, file: displayPath ?? path))
    }

    /// Adds these values (overriding earlier ones).
    public mutating func merge(_ other: [String: YAMLNode]) {
        values.merge(other) { _, new in new }
    }

    /// The top-level keys of a variables file's text; `file` names it in diagnostics.
    public static func parse(_ bytes: [UInt8], file path: String) throws(Diagnostic) -> [String: YAMLNode] {
        let document: YAMLNode?
        do {
            document = try YAMLParser.parseDocument(bytes, file: path)
        } catch {
            throw error.diagnostic
        }
        guard let document, document.value != .null else { return [:] }
        guard let mapping = document.mappingValue else {
            throw .error(
                at: SourceLocation(file: path, line: Int(document.mark.line), column: Int(document.mark.column)),
                "variables file must be a mapping of names to values")
        }
        var values: [String: YAMLNode] = [:]
        for entry in mapping.entries {
            guard let name = entry.key.stringValue else {
                throw .error(
                    at: SourceLocation(file: path, line: Int(entry.key.mark.line), column: Int(entry.key.mark.column)),
                    "variable names must be strings")
            }
            values[name] = entry.value
        }
        return values
    }

    /// Sets `KEY=VALUE`, the value read as a plain YAML scalar with PyYAML's rules.
    public mutating func set(assignment: String) throws(Diagnostic) {
        guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
            throw .error(at: nil, "--var expects KEY=VALUE, got '\(assignment)'")
        }
        let name = String(assignment[..<equals])
        let text = String(assignment[assignment.index(after: equals)...])
        do {
            values[name] = YAMLNode(try YAMLScalar.resolve(text, file: "--var \(name)"))
        } catch {
            throw .error(at: nil, "--var \(name): \(error.message)")
        }
    }
}
