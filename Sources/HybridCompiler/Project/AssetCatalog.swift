import HybridCache
import HybridDiagnostics
import SupersetModel

#if canImport(Glibc)
    import Glibc
#endif

/// One asset template: `assets/<type>/**/<name>.yaml.j2`, compiled to `<type>/**/<name>.yaml`.
public struct AssetTemplate: Sendable, Hashable, Comparable {
    /// Relative to the assets directory: `charts/sales/revenue.yaml.j2`.
    public var path: String
    public var kind: AssetKind

    /// Relative to a bundle: `charts/sales/revenue.yaml`.
    public var outputPath: String { Self.outputPath(ofTemplate: path) }

    /// The bundle path a template path compiles to (`charts/x.yaml.j2` → `charts/x.yaml`).
    public static func outputPath(ofTemplate path: String) -> String { String(path.dropLast(3)) }

    /// `charts/sales/revenue` (how other templates may refer to it).
    public var referenceName: String { String(path.dropLast(8)) }

    /// Link order: databases, datasets, charts, dashboards; then by path.
    public static func < (lhs: AssetTemplate, rhs: AssetTemplate) -> Bool {
        lhs.kind != rhs.kind ? lhs.kind < rhs.kind : lhs.path.utf8.lexicographicallyPrecedes(rhs.path.utf8)
    }
}

/// Every file under the assets directory: the asset templates, and all files (assets and partials)
/// with their stamps, for hashing.
public struct AssetCatalog: Sendable {
    public var templates: [AssetTemplate] = []
    /// Every regular file, relative to the assets directory, with its stamp.
    public var files: [String: FileStamp] = [:]
    public var warnings: [Diagnostic] = []

    /// Walks `assetsPath` (shown as `displayPrefix` in diagnostics, e.g. `assets/`).
    public static func scan(assetsPath: String, displayPrefix: String) throws(Diagnostic) -> AssetCatalog {
        var catalog = AssetCatalog()
        guard let root = FileStamp(path: assetsPath), root.isDirectory else {
            throw .error(at: nil, "assets directory '\(displayPrefix)' does not exist (set assets_dir in hybrid.yaml)")
        }
        catalog.walk(assetsPath, relative: "", displayPrefix: displayPrefix)
        catalog.templates.sort()
        return catalog
    }

    private mutating func walk(_ directory: String, relative: String, displayPrefix: String) {
        guard let handle = opendir(directory) else {
            warnings.append(
                .warning(
                    at: nil,
                    "cannot read directory \(displayPrefix)\(relative): \(String(cString: strerror(errno))); skipped"))
            return
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            names.append(name)
        }
        for name in names.sorted() {
            let path = directory + "/" + name
            let relativePath = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            if (info.st_mode & S_IFMT) == S_IFLNK {
                guard stat(path, &info) == 0 else {
                    warnings.append(
                        .warning(at: nil, "\(displayPrefix)\(relativePath) is a broken symlink; ignored"))
                    continue
                }
                if (info.st_mode & S_IFMT) == S_IFDIR {
                    warnings.append(
                        .warning(
                            at: nil, "\(displayPrefix)\(relativePath) is a symlink to a directory; not followed"))
                    continue
                }
            }
            if name.hasPrefix(".") { continue }  // editor swap files, .DS_Store, .gitkeep
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                walk(path, relative: relativePath, displayPrefix: displayPrefix)
            case S_IFREG:
                files[relativePath] = FileStamp(info)
                classify(relativePath, displayPrefix: displayPrefix)
            default:
                continue
            }
        }
    }

    private mutating func classify(_ relativePath: String, displayPrefix: String) {
        let components = relativePath.split(separator: "/")
        if components.contains(where: { $0.hasPrefix("_") }) { return }  // a partial
        guard relativePath.hasSuffix(".j2") else { return }
        if relativePath == EmbedPolicy.path + ".j2" { return }  // the embed policy, not an asset
        let location = SourceLocation(file: displayPrefix + relativePath, line: 1, column: 1)
        guard components.count >= 2, let kind = AssetKind(rawValue: String(components[0])) else {
            warnings.append(
                .warning(
                    at: location,
                    "template is not under databases/, datasets/, charts/ or dashboards/ and is not a partial "
                        + "(a path component starting with '_'); ignored"))
            return
        }
        guard relativePath.hasSuffix(".yaml.j2"), relativePath.utf8.count > kind.directory.utf8.count + 9 else {
            warnings.append(
                .warning(at: location, "asset templates are named <name>.yaml.j2; ignored"))
            return
        }
        templates.append(AssetTemplate(path: relativePath, kind: kind))
    }
}
