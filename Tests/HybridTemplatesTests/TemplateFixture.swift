import Foundation
import HybridTemplates
import HybridYAML

/// A temporary assets directory with templates, and an environment over it.
final class TemplateFixture {
    let root: String
    let assets: String

    init(_ files: [String: String]) throws {
        root = NSTemporaryDirectory() + "hybrid-templates-" + UUID().uuidString
        assets = root + "/assets"
        try FileManager.default.createDirectory(atPath: assets, withIntermediateDirectories: true)
        for (path, text) in files { try write(path, text) }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    func write(_ path: String, _ text: String) throws {
        let url = URL(fileURLWithPath: assets + "/" + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func environment(_ options: TemplateOptions = TemplateOptions()) -> TemplateEnvironment {
        TemplateEnvironment(assetsDirectory: assets, options: options)
    }

    /// Variables from YAML text (as an env file would give them).
    static func variables(_ yaml: String) throws -> [String: YAMLNode] {
        var result: [String: YAMLNode] = [:]
        for entry in try YAMLParser.parseDocument(yaml, file: "vars.yaml")?.mappingValue?.entries ?? [] {
            result[entry.key.stringValue!] = entry.value
        }
        return result
    }

    func error(_ name: String, _ variables: [String: YAMLNode] = [:], _ options: TemplateOptions = TemplateOptions())
        -> TemplateError?
    {
        do {
            _ = try environment(options).render(name, variables: variables)
            return nil
        } catch {
            return error
        }
    }
}
