/// What one debounced burst of file-system events changed: the paths (relative to the watched
/// root) that were written, created, removed or renamed, and whether events were lost.
public struct WatchBatch: Sendable, Equatable {
    /// Changed paths relative to the root, `/`-separated; a folder stands for everything in it.
    public var paths: Set<String> = []
    /// Events were lost (the kernel queue overflowed) or a folder could not be watched: the
    /// consumer must treat everything as possibly changed.
    public var rescan = false

    public init(paths: Set<String> = [], rescan: Bool = false) {
        self.paths = paths
        self.rescan = rescan
    }

    public var isEmpty: Bool { paths.isEmpty && !rescan }

    /// Whether `path` (relative) is one of the changed paths or inside a changed folder.
    public func touches(_ path: String) -> Bool {
        if rescan || paths.contains(path) { return true }
        var prefix = Substring(path)
        while let slash = prefix.lastIndex(of: "/") {
            prefix = prefix[..<slash]
            if paths.contains(String(prefix)) { return true }
        }
        return false
    }
}
