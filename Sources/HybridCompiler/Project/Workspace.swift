import Foundation
import HybridCache
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

    /// Reads `<root>/hybrid.yaml` (the defaults when there is none) and checks, through symlinks,
    /// that the folders hybrid writes stay inside the repository and out of its sources.
    public static func load(root: String = ".") throws(Diagnostic) -> Workspace {
        let workspace = Workspace(root: root, config: try ProjectConfig.load(root: root))
        try workspace.checkWritableDirectories()
        return workspace
    }

    /// `bundles_dir` and `cache_dir` as they resolve on disk (a symlinked `bundles/` included): inside
    /// the repository, and clear of its sources and of each other. The error is at the key's line.
    public func checkWritableDirectories() throws(Diagnostic) {
        let resolvedRoot = ResolvedPath.of(root)
        // Each folder resolved once (the clash check compares every pair).
        let folders =
            [config.assetsDirectory, config.bundlesDirectory, config.cacheDirectory]
            + ProjectConfig.sourceDirectories.map { $0.0 }
        let resolvedFolders = Dictionary(
            folders.map { ($0, ResolvedPath.of(path($0))) }, uniquingKeysWith: { first, _ in first })
        let resolve = { (relative: String) in resolvedFolders[relative] ?? ResolvedPath.of(self.path(relative)) }
        let shown = { (relative: String) -> String in
            let resolved = resolve(relative)
            return resolved == resolvedRoot + "/" + relative ? "" : " (resolving to \(resolved))"
        }
        for (key, directory) in [("bundles_dir", config.bundlesDirectory), ("cache_dir", config.cacheDirectory)] {
            let resolved = resolve(directory)
            if ResolvedPath.isInside(resolved, resolvedRoot) && resolved != resolvedRoot { continue }
            throw .error(
                at: config.directoryKeys[key] ?? config.path.map { SourceLocation(file: $0, line: 1, column: 1) },
                "\(key) '\(directory)' resolves to \(resolved), not a folder inside the repository "
                    + "(\(resolvedRoot)): hybrid writes only inside it; remove the symlink or point \(key) at a folder in the repository"
            )
        }
        if let clash = config.directoryClash(resolve: resolve, shown: shown) { throw clash }
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
        guard StrictYAMLReader.isSafeName(environment), !environment.contains("/") else {
            var name = (environment as NSString).lastPathComponent
            for suffix in [".yaml", ".yml"] where name.hasSuffix(suffix) { name.removeLast(suffix.count) }
            let hint =
                StrictYAMLReader.isSafeName(name)
                    && FileManager.default.fileExists(atPath: path(Workspace.environmentFile(name)))
                ? " (did you mean --env \(name)?)" : ""
            throw .error(
                at: nil,
                "'\(environment)' is not an environment name: an environment is named by its file in env/ "
                    + "(env/dev.yaml is --env dev)\(hint)")
        }
        guard FileManager.default.fileExists(atPath: path(file)) else {
            let known = environments()
            throw .error(
                at: nil,
                "no environment '\(environment)': \(file) does not exist"
                    + (known.isEmpty ? "" : " (environments: \(known.joined(separator: ", ")))"))
        }
        return file
    }

    /// `path` (a file, as given on the command line) when it lies inside the repository once
    /// symlinks are resolved (its folder must exist) and outside the folders hybrid must not write
    /// into; else an error naming `what`.
    public func insidePath(_ path: String, what: String) throws(Diagnostic) -> String {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder) else {
            throw .error(at: nil, "\(what) \(path): the folder \(folder) does not exist")
        }
        let resolved = ResolvedPath.of(folder) + "/" + url.lastPathComponent
        try checkWritable(resolved, given: path, what: what)
        return resolved
    }

    /// `path` (a folder hybrid fills, such as `export --out`), resolved through symlinks, when it lies
    /// inside the repository and clear of the folders hybrid must not write into.
    public func writableDirectory(_ path: String, what: String) throws(Diagnostic) -> String {
        let resolved = ResolvedPath.of(path)
        try checkWritable(resolved, given: path, what: what)
        return resolved
    }

    /// Refuses a resolved path outside the repository, at its root, or overlapping the sources
    /// (`assets_dir`, `env/`, `mappings/`, `.git/`, `.hybrid/`), the bundles or the cache.
    private func checkWritable(_ resolved: String, given: String, what: String) throws(Diagnostic) {
        let root = ResolvedPath.of(self.root)
        let shown = resolved == ResolvedPath.of(given) && given.hasPrefix("/") ? "" : " (\(resolved))"
        guard ResolvedPath.isInside(resolved, root), resolved != root else {
            throw .error(
                at: nil, "\(what) \(given)\(shown) is not inside the repository (\(root)); hybrid writes only inside it"
            )
        }
        let protected =
            [
                (config.assetsDirectory, "assets_dir"), (config.bundlesDirectory, "bundles_dir"),
                (config.cacheDirectory, "cache_dir"),
            ]
            + ProjectConfig.sourceDirectories.map { ($0.0, $0.1) }
        for (folder, holds) in protected where ResolvedPath.overlaps(resolved, ResolvedPath.of(path(folder))) {
            throw .error(
                at: nil,
                "\(what) \(given)\(shown) overlaps \(folder)/ (\(holds)), which hybrid does not write this way; "
                    + "choose a folder of its own")
        }
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
