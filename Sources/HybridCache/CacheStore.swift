import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The on-disk cache: a content-addressed store of blobs (rendered texts) and an action cache of
/// small checksummed records, under `<cache_dir>/v1/`. Every read verifies what it read; a corrupt
/// or truncated entry is a miss with a warning, never a wrong answer.
public final class CacheStore: @unchecked Sendable {
    /// Bumped when the layout or the record framing changes; another version's files are ignored.
    public static let layoutVersion = "v1"
    private static let recordMagic: [UInt8] = Array("HYBR".utf8) + [1]

    /// `<cache_dir>/v1`.
    public let root: String
    private let lock = NSLock()
    private var warningList: [String] = []
    private var warned: Set<String> = []
    /// Fan-out folders (`cas/ab`) this process made or found: the first entry written into one
    /// creates it first, rather than failing a rename, creating it and renaming again.
    private var folders: Set<Substring> = []

    public init(directory: String) {
        root = directory + "/" + CacheStore.layoutVersion
        temporaryDirectory = root + "/.tmp"
    }

    /// Where entries are written before they are renamed into place (`v1/.tmp`), so that what a
    /// killed process left is in one place (``removeAbandonedTemporaries()``).
    public let temporaryDirectory: String

    /// Problems met while reading (corrupt entries), in the order found.
    public var warnings: [String] {
        lock.lock()
        defer { lock.unlock() }
        return warningList
    }

    /// Records a problem once: an entry read twice in one run (probed, then loaded) is one warning.
    func warn(_ message: String) {
        lock.lock()
        if warned.insert(message).inserted { warningList.append(message) }
        lock.unlock()
    }

    // MARK: content-addressed blobs

    public func blobPath(_ hash: ContentHash) -> String {
        let hex = hash.description
        return root + "/cas/" + hex.prefix(2) + "/" + hex.dropFirst(2)
    }

    /// The blob with this hash, or nil (missing, or its bytes no longer hash to its name).
    public func blob(_ hash: ContentHash) -> [UInt8]? {
        let path = blobPath(hash)
        guard let bytes = try? AtomicFile.read(path) else { return nil }
        guard ContentHash(of: bytes) == hash else {
            warn("cache entry \(path) is corrupt (content does not match its hash); rebuilding it")
            unlink(path)
            return nil
        }
        return bytes
    }

    public func containsBlob(_ hash: ContentHash) -> Bool {
        access(blobPath(hash), F_OK) == 0
    }

    /// Stores bytes under their hash (a no-op when present) and returns the hash.
    @discardableResult
    public func putBlob(_ bytes: [UInt8]) throws(AtomicFile.IOError) -> ContentHash {
        let hash = ContentHash(of: bytes)
        let path = blobPath(hash)
        if access(path, F_OK) == 0 { return hash }
        try ensureFolder(of: path)
        try AtomicFile.replace(bytes, at: path, temporaryDirectory: try temporaries())
        return hash
    }

    // MARK: records

    public func recordPath(_ namespace: String, _ key: ContentHash) -> String {
        let hex = key.description
        return root + "/" + namespace + "/" + hex.prefix(2) + "/" + hex.dropFirst(2)
    }

    /// The payload stored under `key`, or nil when absent or corrupt (with a warning).
    public func record(_ namespace: String, _ key: ContentHash) -> [UInt8]? {
        readRecord(at: recordPath(namespace, key))
    }

    public func putRecord(_ namespace: String, _ key: ContentHash, _ payload: [UInt8]) throws(AtomicFile.IOError) {
        try writeRecord(payload, at: recordPath(namespace, key))
    }

    public func removeRecord(_ namespace: String, _ key: ContentHash) {
        unlink(recordPath(namespace, key))
    }

    /// A record at a named path under the cache (for records addressed by name, not by key).
    public func readRecord(at path: String) -> [UInt8]? {
        let header = CacheStore.recordMagic.count
        guard let (prefix, payload) = try? AtomicFile.read(path, prefix: header + 16) else { return nil }
        guard prefix.count == header + 16, Array(prefix[0..<header]) == CacheStore.recordMagic else {
            warn("cache entry \(path) is corrupt (bad header); ignoring it")
            return nil
        }
        var reader = BinaryReader(prefix, offset: header)
        guard let expected = try? reader.readHash(), ContentHash(of: payload) == expected else {
            warn("cache entry \(path) is corrupt (checksum mismatch); ignoring it")
            return nil
        }
        return payload
    }

    /// `vanishing`: a record whose absence is only a miss (``AtomicFile/replace(_:at:temporaryDirectory:vanishing:)``).
    public func writeRecord(_ payload: [UInt8], at path: String, vanishing: Bool = false) throws(AtomicFile.IOError) {
        var framed = BinaryWriter(capacity: 32)
        framed.write(ContentHash(of: payload))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(CacheStore.recordMagic.count + framed.bytes.count + payload.count)
        bytes += CacheStore.recordMagic
        bytes += framed.bytes
        bytes += payload
        try ensureFolder(of: path)
        try AtomicFile.replace(bytes, at: path, temporaryDirectory: try temporaries(), vanishing: vanishing)
    }

    private func ensureFolder(of path: String) throws(AtomicFile.IOError) {
        guard let slash = path.lastIndex(of: "/") else { return }
        let folder = path[..<slash]
        lock.lock()
        let known = folders.contains(folder)
        lock.unlock()
        if known { return }
        try Directories.create(String(folder))
        lock.lock()
        folders.insert(folder)
        lock.unlock()
    }

    private var temporariesReady = false

    /// ``temporaryDirectory``, created on first use.
    private func temporaries() throws(AtomicFile.IOError) -> String {
        lock.lock()
        let ready = temporariesReady
        lock.unlock()
        if !ready {
            try Directories.create(temporaryDirectory)
            lock.lock()
            temporariesReady = true
            lock.unlock()
        }
        return temporaryDirectory
    }

    /// Removes temporary files whose writer is no longer running on this machine (a process
    /// killed mid-write; names carry the writer's pid). Files of live processes are kept, so this
    /// is safe while an `apply` writes its state.
    public func removeAbandonedTemporaries() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: temporaryDirectory) else { return }
        for name in names {
            guard let marker = name.range(of: ".hybrid-", options: .backwards),
                let pid = Int32(name[marker.upperBound...].prefix(while: { $0 != "-" }))
            else { continue }
            if pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                unlink(temporaryDirectory + "/" + name)
            }
        }
    }

    /// Reports a record that decoded badly (checksum fine, content not understood).
    public func reportUndecodable(_ path: String) {
        warn("cache entry \(path) could not be decoded; ignoring it")
    }

    // MARK: maintenance

    /// Files and bytes per top-level area of the cache (`cas`, `render`, `bundles`, …).
    public func statistics() -> [(area: String, files: Int, bytes: Int64)] {
        var areas: [String: (files: Int, bytes: Int64)] = [:]
        for area in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] { areas[area] = (0, 0) }
        for entry in entries() {
            areas[entry.area, default: (0, 0)].files += 1
            areas[entry.area, default: (0, 0)].bytes += entry.bytes
        }
        return areas.keys.sorted().map { ($0, areas[$0]!.files, areas[$0]!.bytes) }
    }

    /// One file of the cache.
    public struct Entry: Sendable {
        public var path: String
        /// The first component under the root (`cas`, `render`, `bundles`, `lock`, …).
        public var area: String
        public var bytes: Int64
        /// Modification time, seconds.
        public var modified: Int
    }

    /// Every regular file under the root (symlinks are not followed).
    public func entries() -> [Entry] {
        var entries: [Entry] = []
        func walk(_ folder: String, area: String?, depth: Int) {
            guard depth < 8, let handle = opendir(folder) else { return }
            defer { closedir(handle) }
            while let item = readdir(handle) {
                let name = withUnsafePointer(to: item.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                if name == "." || name == ".." { continue }
                let path = folder + "/" + name
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: walk(path, area: area ?? name, depth: depth + 1)
                case S_IFREG:
                    entries.append(
                        Entry(
                            path: path, area: area ?? name, bytes: Int64(info.st_size), modified: info.st_mtim.tv_sec))
                default: continue
                }
            }
        }
        walk(root, area: nil, depth: 0)
        return entries
    }
}

/// Directory creation and removal used by the cache and the bundle writer.
public enum Directories {
    /// `mkdir -p`.
    public static func create(_ path: String) throws(AtomicFile.IOError) {
        if path.isEmpty || mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        if errno == ENOENT {
            try create((path as NSString).deletingLastPathComponent)
            if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        }
        throw AtomicFile.IOError(path: path, message: AtomicFile.lastError())
    }

    /// Removes `path` and its empty parents up to (not including) `stop`.
    public static func removeEmptyParents(of path: String, stoppingAt stop: String) {
        var directory = (path as NSString).deletingLastPathComponent
        while directory.count > stop.count, directory.hasPrefix(stop) {
            guard rmdir(directory) == 0 else { return }
            directory = (directory as NSString).deletingLastPathComponent
        }
    }
}
