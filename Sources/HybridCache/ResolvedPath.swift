import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where a path leads once symlinks are followed, for paths that may not exist yet: the longest
/// existing prefix is resolved (`realpath`) and the rest appended. What hybrid checks before it
/// writes, so that no symlink carries a write out of the repository or into its sources.
public enum ResolvedPath {
    /// The absolute, symlink-free form of `path` (relative to the current directory).
    public static func of(_ path: String) -> String {
        let absolute =
            path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var components = absolute.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var rest: [String] = []
        while true {
            let prefix = "/" + components.joined(separator: "/")
            if let resolved = realpath(prefix, nil) {
                defer { free(resolved) }
                return normalized(String(cString: resolved), appending: rest)
            }
            guard let last = components.popLast() else { return normalized("/", appending: rest) }
            rest.insert(last, at: 0)
        }
    }

    /// Whether `path` is `root` or lies under it (both already resolved).
    public static func isInside(_ path: String, _ root: String) -> Bool {
        path == root || path.hasPrefix(root == "/" ? "/" : root + "/")
    }

    /// Whether one of the two resolved paths contains the other (or they are the same).
    public static func overlaps(_ first: String, _ second: String) -> Bool {
        isInside(first, second) || isInside(second, first)
    }

    /// `base` with `rest` appended, `.` and `..` in `rest` applied.
    private static func normalized(_ base: String, appending rest: [String]) -> String {
        var parts = base.split(separator: "/").map(String.init)
        for part in rest {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}
