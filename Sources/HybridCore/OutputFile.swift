import Foundation
import HybridGraph

#if canImport(Glibc)
    import Glibc
#endif

/// Bundle outputs: written atomically (temporary file, rename) and only when their content changed.
public enum OutputFile {
    /// The stamp of an output that identifies it unchanged (inode, size, mtime; the change time
    /// moves on rename, so it is left out).
    public static func stamp(_ path: String) -> FileStamp? {
        guard var stamp = FileStamp(path: path), !stamp.isDirectory else { return nil }
        stamp.changedSeconds = 0
        stamp.changedNanoseconds = 0
        return stamp
    }

    private static let processID = getpid()
    private static let counter = TemporaryCounter()

    /// Writes `bytes` to `path` atomically (a temporary file beside it, then rename), creating
    /// parent directories; returns the new stamp.
    public static func write(_ bytes: [UInt8], to path: String) throws(AtomicFile.IOError) -> FileStamp {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = directory + "/." + name + ".hybrid-\(processID)-\(counter.next())"
        let stamp = try create(bytes, at: temporary)
        if rename(temporary, path) != 0 {
            let message = AtomicFile.lastError()
            unlink(temporary)
            throw AtomicFile.IOError(path: path, message: message)
        }
        return stamp
    }

    /// Creates a new file (it must not exist) holding `bytes`, creating parent directories; for
    /// files not yet visible to anyone (inside a staging directory). Returns its stamp.
    public static func create(_ bytes: [UInt8], at path: String) throws(AtomicFile.IOError) -> FileStamp {
        var descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if descriptor < 0 && errno == ENOENT {
            try Directories.create(String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]))
            descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
        guard descriptor >= 0 else { throw AtomicFile.IOError(path: path, message: AtomicFile.lastError()) }
        var failure: String?
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = AtomicFile.lastError()
                    return
                }
                offset += written
            }
        }
        var info = stat()
        if failure == nil && fstat(descriptor, &info) != 0 { failure = AtomicFile.lastError() }
        close(descriptor)
        if let failure {
            unlink(path)
            throw AtomicFile.IOError(path: path, message: failure)
        }
        var stamp = FileStamp(info)
        stamp.changedSeconds = 0
        stamp.changedNanoseconds = 0
        return stamp
    }

    /// Whether the file at `path` holds exactly `hash` (reads it).
    public static func contentMatches(_ path: String, _ hash: ContentHash) -> Bool {
        guard let bytes = try? AtomicFile.read(path) else { return false }
        return ContentHash(of: bytes) == hash
    }

    /// Removes an output (and directories it leaves empty, up to the bundle root).
    public static func remove(_ path: String, bundleRoot: String) {
        if unlink(path) == 0 { Directories.removeEmptyParents(of: path, stoppingAt: bundleRoot) }
    }
}

/// Unique suffixes for temporary files within this process.
final class TemporaryCounter: @unchecked Sendable {
    private var value: UInt64 = 0
    private let lock = NSLock()

    func next() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
