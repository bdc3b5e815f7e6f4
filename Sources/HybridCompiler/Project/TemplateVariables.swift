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
        let document: YAMLNode?
        do {
            document = try YAMLParser.parseDocument(bytes, file: displayPath ?? path)
        } catch {
            throw error.diagnostic
        }
        let path = displayPath ?? path
        guard let document, document.value != .null else { return }
        guard let mapping = document.mappingValue else {
            throw .error(
                at: SourceLocation(file: path, line: Int(document.mark.line), column: Int(document.mark.column)),
                "variables file must be a mapping of names to values")
        }
        for entry in mapping.entries {
            guard let name = entry.key.stringValue else {
                throw .error(
                    at: SourceLocation(file: path, line: Int(entry.key.mark.line), column: Int(entry.key.mark.column)),
                    "variable names must be strings")
            }
            values[name] = entry.value
        }
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
