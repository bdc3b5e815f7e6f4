import Foundation
import HybridTemplates
import HybridYAML

/// `hybrid-bench conform`: renders templates given one per line on stdin as JSON
/// (`{"template": TEXT, "files": {PATH: TEXT}, "vars": YAML-TEXT}`), each in a fresh assets
/// directory as the conformance suite does (main template `main.yaml.j2`), and answers one JSON
/// line per request: `{"output": TEXT}` or `{"error": {"kind": K, "line": L, "template": T,
/// "message": M}}`, the shape scripts/jinja-oracle.py records. Used by scripts/template-fuzz.py.
func conform() {
    let root = NSTemporaryDirectory() + "hybrid-conform-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: root) }
    var number = 0
    while let line = readLine(strippingNewline: true) {
        number += 1
        let answer: [String: Any]
        do {
            answer = try conformOne(line, in: root + "/\(number)")
        } catch {
            answer = ["invalid": "\(error)"]
        }
        let data = try! JSONSerialization.data(withJSONObject: answer, options: [.sortedKeys])
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}

private func conformOne(_ line: String, in assets: String) throws -> [String: Any] {
    defer { try? FileManager.default.removeItem(atPath: assets) }
    guard let request = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        let template = request["template"] as? String
    else { throw ConformRequestError("a request is a JSON object with a \"template\" string") }
    var files = ["main.yaml.j2": template]
    for (path, text) in request["files"] as? [String: String] ?? [:] { files[path] = text }
    for (path, text) in files {
        let url = URL(fileURLWithPath: assets + "/" + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }
    var variables: [String: YAMLNode] = [:]
    if let text = request["vars"] as? String, !text.isEmpty {
        for entry in try YAMLParser.parseDocument(Array(text.utf8), file: "vars.yaml")?.mappingValue?.entries ?? [] {
            guard let name = entry.key.stringValue else { throw ConformRequestError("variable names are strings") }
            variables[name] = entry.value
        }
    }
    do {
        let result = try TemplateEnvironment(assetsDirectory: assets).render("main.yaml.j2", variables: variables)
        return ["output": result.output]
    } catch {
        var described: [String: Any] = ["kind": error.kind.rawValue, "message": error.message]
        described["line"] = error.kind == .recursion ? NSNull() : error.location.line
        described["template"] = error.kind == .recursion ? NSNull() : error.location.file
        return ["error": described]
    }
}

private struct ConformRequestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
