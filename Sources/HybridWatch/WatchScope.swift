/// What a watcher watches under a root folder: folders recursively (`assets`, `env`, `mappings`)
/// and single files of the root folder itself (`hybrid.yaml`). Folders that do not exist yet are
/// picked up when they appear.
public struct WatchScope: Sendable {
    /// The repository root, absolute, without a trailing slash.
    public var root: String
    /// Folders relative to the root, watched with everything below them.
    public var folders: [String]
    /// Files directly in the root folder.
    public var files: [String]

    public init(root: String, folders: [String], files: [String]) {
        var root = root
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        self.root = root
        self.folders = folders.map { $0.split(separator: "/").joined(separator: "/") }.filter { !$0.isEmpty }
        self.files = files
    }

    /// Whether a change to `relative` (a path relative to the root) is one to report: inside a
    /// watched folder (and not an editor's temporary file), or one of the watched files.
    public func reports(_ relative: String) -> Bool {
        let name = relative.split(separator: "/").last.map(String.init) ?? relative
        if EditorTemporaryFiles.matches(name) { return false }
        if files.contains(relative) { return true }
        return folders.contains { relative == $0 || relative.hasPrefix($0 + "/") }
    }

    /// Whether `relative` is a watched folder or inside one (so a new folder there is watched).
    public func covers(folder relative: String) -> Bool {
        folders.contains { relative == $0 || relative.hasPrefix($0 + "/") }
    }
}
