#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few file-system reads the watchers make: folder listings and stamps, without Foundation.
enum FileStatus {
    struct Entry {
        var name: String
        var isDirectory: Bool
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func isFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// A folder that is not a symlink.
    static func isRealDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The entries of a folder (without `.` and `..`), sorted by name; empty when unreadable.
    static func entries(of path: String) -> [Entry] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var entries: [Entry] = []
        while let pointer = readdir(directory) {
            let name = withUnsafePointer(to: pointer.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            let type = pointer.pointee.d_type
            // Symlinked folders are not followed (the asset catalog does not follow them either).
            let folder = type == UInt8(DT_DIR) || (type == UInt8(DT_UNKNOWN) && isRealDirectory(path + "/" + name))
            entries.append(Entry(name: name, isDirectory: folder))
        }
        return entries.sorted { $0.name < $1.name }
    }
}
