import Foundation
import HybridDiagnostics
import SupersetModel

/// Expands the paths a user names into the YAML files under them.
public enum YAMLFileCollector {
    public static let extensions: Set<String> = ["yaml", "yml"]

    /// Files as given, plus every `*.yaml`/`*.yml` below each directory (hidden entries skipped),
    /// each directory's files in code-point order. A path that does not exist is a diagnostic.
    public static func collect(_ paths: [String]) -> (files: [String], diagnostics: [Diagnostic]) {
        var files: [String] = []
        var diagnostics: [Diagnostic] = []
        var seen: Set<String> = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                diagnostics.append(.error(at: nil, "\(path): no such file or directory"))
                continue
            }
            if !isDirectory.boolValue {
                if seen.insert(path).inserted { files.append(path) }
                continue
            }
            for file in walk(path, manager: manager) where seen.insert(file).inserted {
                files.append(file)
            }
        }
        return (files, diagnostics)
    }

    private static func walk(_ directory: String, manager: FileManager) -> [String] {
        guard let names = try? manager.contentsOfDirectory(atPath: directory) else { return [] }
        var found: [String] = []
        for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) where !name.hasPrefix(".") {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                found += walk(path, manager: manager)
            } else if extensions.contains((name as NSString).pathExtension.lowercased()) {
                found.append(path)
            }
        }
        return found
    }
}
