import Foundation
import HybridDiagnostics
import SupersetModel

#if canImport(Glibc)
    import Glibc
#endif

/// Resolves `--mapping` arguments: a mapping file path, a glob (`mappings/client_*.yaml`), or a
/// tenant name (`client_a` → `mappings/client_a.yaml`).
public enum MappingSelection {
    /// Repository-relative mapping files, sorted, each once.
    public static func resolve(_ patterns: [String], root: String) throws(Diagnostic) -> [String] {
        let directory = root == "." ? "mappings" : root + "/mappings"
        let available = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }
            .map { "mappings/" + $0 }.sorted()
        var chosen: [String] = []
        for raw in patterns {
            var pattern = raw
            while pattern.hasPrefix("./") { pattern.removeFirst(2) }
            var matches: [String]
            if pattern.contains(where: { "*?[".contains($0) }) {
                matches = available.filter { fnmatch(pattern, $0, FNM_PATHNAME) == 0 }
                if matches.isEmpty, !pattern.contains("/") {
                    matches = available.filter { fnmatch("mappings/" + pattern, $0, FNM_PATHNAME) == 0 }
                }
            } else if !pattern.contains("/") && !pattern.hasSuffix(".yaml") && !pattern.hasSuffix(".yml") {
                matches = available.filter { $0 == "mappings/\(pattern).yaml" || $0 == "mappings/\(pattern).yml" }
            } else {
                let full = pattern.hasPrefix("/") || root == "." ? pattern : root + "/" + pattern
                matches = FileManager.default.fileExists(atPath: full) ? [pattern] : []
            }
            guard !matches.isEmpty else {
                throw .error(
                    at: nil,
                    "--mapping \(raw): no mapping file matches"
                        + (available.isEmpty ? " (mappings/ has none)" : " (e.g. \(available[0]))"))
            }
            for match in matches where !chosen.contains(match) { chosen.append(match) }
        }
        return chosen.sorted()
    }

    /// Why a tenant name cannot name a bundle directory, or nil when it can.
    public static func invalidTenantName(_ name: String) -> String? {
        if !StrictYAMLReader.isSafeName(name) {
            return "tenant name '\(name)' (from the file name) must use letters, digits, '-', '_', '.'"
        }
        if AssetKind(rawValue: name) != nil || name == "metadata.yaml" {
            return "tenant name '\(name)' collides with a bundle folder; rename the mapping file"
        }
        return nil
    }
}
