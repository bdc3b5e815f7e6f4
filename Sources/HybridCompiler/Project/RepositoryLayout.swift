import Foundation
import HybridCache
import HybridDiagnostics
import HybridYAML
import SupersetModel

/// Where a control-plane repository keeps its parts (from `hybrid.yaml`, with the defaults).
public struct RepositoryLayout: Sendable {
    public var root: String
    public var assetsDirectory: String

    /// Reads `assets_dir` from `<root>/hybrid.yaml` when present; `assets` otherwise.
    public init(root: String) throws(Diagnostic) {
        self.root = root
        var assets = "assets"
        let config = root + "/hybrid.yaml"
        if FileManager.default.fileExists(atPath: config) {
            let bytes: [UInt8]
            do {
                bytes = try AtomicFile.read(config)
            } catch {
                throw .error(at: nil, error.description)
            }
            do {
                if let value = try YAMLParser.parseDocument(bytes, file: "hybrid.yaml")?.mappingValue?.entry(
                    forKey: "assets_dir")
                {
                    guard let text = value.value.stringValue else {
                        throw Diagnostic.error(
                            at: SourceLocation(
                                file: "hybrid.yaml", line: Int(value.value.mark.line),
                                column: Int(value.value.mark.column)),
                            "assets_dir must be a string")
                    }
                    assets = text
                }
            } catch let error as YAMLError {
                throw error.diagnostic
            } catch let diagnostic as Diagnostic {
                throw diagnostic
            } catch {
                throw .error(at: nil, "\(error)")
            }
        }
        while assets.hasSuffix("/") && assets.count > 1 { assets.removeLast() }
        assetsDirectory = assets
    }

    /// The assets directory as a path usable from the current directory.
    public var assetsPath: String { assetsDirectory.hasPrefix("/") ? assetsDirectory : root + "/" + assetsDirectory }

    /// A template path relative to the assets directory, from a path given relative to the
    /// repository root (`assets/charts/x.yaml.j2`) or to the assets directory (`charts/x.yaml.j2`).
    public func templateName(for path: String) -> String {
        var path = path
        while path.hasPrefix("./") { path.removeFirst(2) }
        let prefix = assetsDirectory + "/"
        if path.hasPrefix(prefix) { return String(path.dropFirst(prefix.count)) }
        return path
    }
}

/// File existence, for commands that check before reading.
public enum FileManagerCheck {
    public static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}
