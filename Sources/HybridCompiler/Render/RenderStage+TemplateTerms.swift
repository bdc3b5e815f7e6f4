import Foundation
import HybridCache
import HybridDiagnostics
import HybridTemplates

/// Diagnostics about rendered text, moved to the template line behind it: the template is rendered
/// again with a source map only when there is something to report, so normal renders pay nothing.
extension RenderStage {
    /// A diagnostic about a template's rendered text (its location is a line of that text), in
    /// template terms: it points at the template or partial line that produced that line, and the
    /// rendered line becomes a note. Unchanged when it is about another file or has no line.
    func inTemplateTerms(_ diagnostic: Diagnostic, template: AssetTemplate, group: Int, rendered: ContentHash)
        -> Diagnostic
    {
        let file = assetsPrefix + template.path
        guard diagnostic.location?.file == file, let text = text(rendered, template: template, group: group) else {
            return diagnostic
        }
        return locateInTemplate(diagnostic, text: text, template: template, group: group)
    }

    func locateInTemplate(_ diagnostic: Diagnostic, text: String, template: AssetTemplate, group: Int) -> Diagnostic {
        guard let rendered = diagnostic.location, let (map, bytes) = sourceMap(template, group: group, text: text),
            let source = map.location(ofLine: rendered.line, column: rendered.column, in: bytes)
        else { return diagnostic }
        let hadRenderedNote = diagnostic.notes.contains { $0.message.hasPrefix("in the rendered output of ") }
        var located = diagnostic
        located.location = source
        located.message = retargetContext(located.message, map: map, bytes: bytes, primary: source)
        located.notes.removeAll { $0.message.hasPrefix("in the rendered output of ") }
        if hadRenderedNote || source.file != rendered.file || source.line != rendered.line {
            located.notes.append(
                .note(
                    at: nil,
                    "at line \(rendered.line), column \(rendered.column) of the rendered output of \(rendered.file)"
                        + " (see it with: hybrid render \(rendered.file) --env \(environmentName))"
                        + groups[group].label))
        }
        return located
    }

    /// The source map of a template's render with one variable set: the template is rendered again
    /// with tracking on first use. Nil when that render does not give `text` (a file changed
    /// during the build).
    private func sourceMap(_ template: AssetTemplate, group: Int, text: String) -> (RenderSourceMap, [UInt8])? {
        let key = SourceMapKey(template: template.path, group: group)
        if let known = lock.withLock({ sourceMaps[key] }) {
            return known.flatMap { $0.text.elementsEqual(text.utf8) ? ($0.map, $0.text) : nil }
        }
        var found: (map: RenderSourceMap, text: [UInt8])?
        if let result = try? engine.render(template.path, variables: groups[group].values, tracksSources: true),
            let map = result.sourceMap
        {
            found = (map, Array(result.output.utf8))
        }
        lock.withLock { sourceMaps[key] = .some(found) }
        return found.flatMap { $0.text.elementsEqual(text.utf8) ? ($0.map, $0.text) : nil }
    }

    /// A YAML error's context (`… (while parsing a flow mapping at line 2, column 9)`) in template
    /// terms: `at line L, column C` in the same file, else `at FILE:L:C`.
    private func retargetContext(_ message: String, map: RenderSourceMap, bytes: [UInt8], primary: SourceLocation)
        -> String
    {
        guard message.hasSuffix(")"), let at = message.range(of: " at line ", options: .backwards) else {
            return message
        }
        let numbers = message[at.upperBound..<message.index(before: message.endIndex)].split(separator: ", column ")
        guard numbers.count == 2, let line = Int(numbers[0]), let column = Int(numbers[1]),
            let source = map.location(ofLine: line, column: column, in: bytes)
        else { return message }
        let place =
            source.file == primary.file
            ? "at line \(source.line), column \(source.column)" : "at \(source.description)"
        return String(message[..<at.lowerBound]) + " " + place + ")"
    }
}
