import Foundation
import HybridDiagnostics

/// A control-plane repository as every command sees it: its root, its `hybrid.yaml`, and where its
/// parts are (paths usable from the current directory). The one place that joins a configured
/// directory to the root.
public struct Workspace: Sendable {
    /// The repository root (`.` for the current directory).
    public let root: String
    public let config: ProjectConfig

    public init(root: String, config: ProjectConfig) {
        self.root = root
        self.config = config
    }

    /// Reads `<root>/hybrid.yaml` (the defaults when there is none).
    public static func load(root: String = ".") throws(Diagnostic) -> Workspace {
        Workspace(root: root, config: try ProjectConfig.load(root: root))
    }

    /// A repository-relative path as a path usable from the current directory.
    public func path(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : (root == "." ? relative : root + "/" + relative)
    }

    public var assetsPath: String { path(config.assetsDirectory) }
    public var bundlesPath: String { path(config.bundlesDirectory) }
    public var cachePath: String { path(config.cacheDirectory) }

    /// `env/<environment>.yaml`, repository-relative.
    public static func environmentFile(_ environment: String) -> String { "env/\(environment).yaml" }

    /// The environments that have an `env/<name>.yaml`, sorted.
    public func environments() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path("env"))) ?? []
        return names.filter { $0.hasSuffix(".yaml") && !$0.hasPrefix(".") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// `env/<environment>.yaml` when it exists; else an error that lists the environments there are.
    public func environmentFile(for environment: String) throws(Diagnostic) -> String {
        let file = Workspace.environmentFile(environment)
        guard StrictYAMLReader.isSafeName(environment), FileManager.default.fileExists(atPath: path(file)) else {
            let known = environments()
            throw .error(
                at: nil,
                "no environment '\(environment)': \(file) does not exist"
                    + (known.isEmpty ? "" : " (environments: \(known.joined(separator: ", ")))"))
        }
        return file
    }

    /// `path` (as given on the command line) when it lies inside the repository once symlinks are
    /// resolved (its folder must exist); else an error naming `what`.
    public func insidePath(_ path: String, what: String) throws(Diagnostic) -> String {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().resolvingSymlinksInPath().standardizedFileURL.path
        let root = URL(fileURLWithPath: self.root).resolvingSymlinksInPath().standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: folder) else {
            throw .error(at: nil, "\(what) \(path): the folder \(folder) does not exist")
        }
        guard folder == root || folder.hasPrefix(root == "/" ? "/" : root + "/") else {
            throw .error(at: nil, "\(what) \(path) is outside the repository (\(root)); hybrid writes only inside it")
        }
        return folder + "/" + url.lastPathComponent
    }

    /// A template path relative to the assets directory, from a path given relative to the
    /// repository root (`assets/charts/x.yaml.j2`) or to the assets directory (`charts/x.yaml.j2`).
    public func templateName(for path: String) -> String {
        var path = path
        while path.hasPrefix("./") { path.removeFirst(2) }
        let prefix = config.assetsDirectory + "/"
        if path.hasPrefix(prefix) { return String(path.dropFirst(prefix.count)) }
        return path
    }
}
