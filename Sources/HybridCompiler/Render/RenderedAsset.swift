import HybridDiagnostics
import HybridYAML
import SupersetModel

/// Reading a rendered asset template as YAML.
public enum RenderedAsset {
    /// The asset's document; nil when the template rendered no document (only whitespace or
    /// comments: the asset does not exist in this environment). Anything but a mapping is an error.
    /// Lines in errors are lines of the rendered text (named by the template's path).
    public static func parse(_ text: String, file: String) throws(Diagnostic) -> YAMLNode? {
        let document: YAMLNode?
        do {
            document = try YAMLParser.parseDocument(Array(text.utf8), file: file)
        } catch {
            var diagnostic = error.diagnostic
            diagnostic.notes.append(
                .note(at: nil, "in the rendered output of \(file) (try: hybrid render \(file) --env ENV)"))
            throw diagnostic
        }
        guard let document, document.value != .null else { return nil }
        guard document.mappingValue != nil else {
            throw .error(
                at: SourceLocation(file: file, line: Int(document.mark.line), column: Int(document.mark.column)),
                "an asset template must render a YAML mapping, not \(StrictYAMLReader.describe(document.value))")
        }
        return document
    }
}
