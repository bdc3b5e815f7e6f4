import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whole-file reads and crash-safe writes (temporary file in the same directory, rename).
public enum AtomicFile {
    public struct IOError: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }

        public init(path: String, message: String) {
            self.path = path
            self.message = message
        }
    }

    /// The bytes of a file.
    public static func read(_ path: String) throws(IOError) -> [UInt8] {
        try read(path, prefix: 0).rest
    }

    /// The bytes of a file, its first `prefix` bytes (fewer in a shorter file) apart from the rest,
    /// each read straight into its own array: a cache record's header is checked without copying
    /// its payload out of the whole.
    public static func read(_ path: String, prefix: Int) throws(IOError) -> (prefix: [UInt8], rest: [UInt8]) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw IOError(path: path, message: lastError()) }
        defer { close(descriptor) }
        var info = stat()
        let size = fstat(descriptor, &info) == 0 && info.st_size > 0 ? Int(info.st_size) : 0
        let head = prefix > 0 ? try readUpTo(prefix, from: descriptor, path: path).bytes : []
        // One byte more than the file's size: a read that fills it means the file grew meanwhile.
        var (rest, filled) = try readUpTo(max(size - head.count, 0) + 1, from: descriptor, path: path)
        while filled {
            let more = try readUpTo(1 << 16, from: descriptor, path: path)
            rest += more.bytes
            filled = more.filled
        }
        return (head, rest)
    }

    /// At most `count` bytes from `descriptor`, read into one array; `filled`: all `count` were read
    /// (the file may go on).
    private static func readUpTo(_ count: Int, from descriptor: Int32, path: String) throws(IOError) -> (
        bytes: [UInt8], filled: Bool
    ) {
        var failure: String?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = 0
            while initialized < count {
                let read = Glibc.read(descriptor, buffer.baseAddress! + initialized, count - initialized)
                if read < 0 {
                    if errno == EINTR { continue }
                    failure = lastError()
                    return
                }
                if read == 0 { return }
                initialized += read
            }
        }
        if let failure { throw IOError(path: path, message: failure) }
        return (bytes, bytes.count == count)
    }

    /// Replaces (or creates) `path` with `bytes` so that readers see the old or the new content,
    /// never a mix; an existing file keeps its permission bits. A symlink is written through.
    /// `durable` also fsyncs the data before the rename (survives power loss, not only `kill -9`);
    /// build outputs that can be regenerated skip it.
    public static func write(
        _ bytes: [UInt8], to path: String, permissions defaultMode: mode_t = 0o644, durable: Bool = true
    ) throws(IOError) {
        let target = resolvedPath(path)
        let directory = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        var mode = defaultMode
        var info = stat()
        if stat(target, &info) == 0 { mode = info.st_mode & 0o7777 }

        var template = Array(((directory.isEmpty ? "." : directory) + "/.\(name).hybrid-tmp-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw IOError(path: path, message: lastError()) }
        let temporary = String(
            decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var failure = writeAll(bytes, to: descriptor)
        if failure == nil && fchmod(descriptor, mode) != 0 { failure = lastError() }
        if failure == nil && durable && fsync(descriptor) != 0 { failure = lastError() }
        close(descriptor)
        if failure == nil && rename(temporary, target) != 0 { failure = lastError() }
        if let failure {
            unlink(temporary)
            throw IOError(path: path, message: failure)
        }
    }

    /// Writes every byte (retrying interrupted writes); the error text on failure.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> String? {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return lastError()
                }
                offset += written
            }
            return nil
        }
    }

    private static let processID = getpid()
    private static let counter = TemporaryCounter()

    /// Replaces (or creates) a file hybrid owns (a build output, a cache entry) atomically: a
    /// temporary file beside it (or in `temporaryDirectory`, on the same file system), then rename; no symlink resolution, mode 0644, no fsync (the
    /// caller's records detect a torn state). Creates parent directories. Returns the file's stamp.
    @discardableResult
    /// `vanishing`: the old file is removed first, so that for a moment there is none. Only for
    /// cache entries, whose absence is a miss: ext4 flushes a file renamed over another
    /// (`auto_da_alloc`), which made writing a hundred bundle records a third of a one-edit compile.
    public static func replace(
        _ bytes: [UInt8], at path: String, temporaryDirectory: String? = nil, vanishing: Bool = false
    ) throws(IOError) -> FileStamp {
        let slash = path.lastIndex(of: "/")
        let directory = temporaryDirectory ?? slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = directory + "/." + name + ".hybrid-\(processID)-\(counter.next())"
        let stamp = try createNew(bytes, at: temporary)
        if vanishing { unlink(path) }
        var renamed = rename(temporary, path) == 0
        if !renamed, errno == ENOENT, temporaryDirectory != nil, let slash {
            // The temporary file is elsewhere, so the target's folder may not exist yet.
            try? Directories.create(String(path[..<slash]))
            renamed = rename(temporary, path) == 0
        }
        if !renamed {
            let message = lastError()
            unlink(temporary)
            throw IOError(path: path, message: message)
        }
        return stamp
    }

    /// Creates a new file (failing if it exists) holding `bytes`, creating parent directories.
    @discardableResult
    public static func createNew(_ bytes: [UInt8], at path: String) throws(IOError) -> FileStamp {
        var descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if descriptor < 0 && errno == ENOENT {
            try Directories.create(String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]))
            descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
        guard descriptor >= 0 else { throw IOError(path: path, message: lastError()) }
        var failure = writeAll(bytes, to: descriptor)
        var info = stat()
        if failure == nil && fstat(descriptor, &info) != 0 { failure = lastError() }
        close(descriptor)
        if let failure {
            unlink(path)
            throw IOError(path: path, message: failure)
        }
        return FileStamp(info)
    }

    /// The path with symlinks resolved (the path itself if it does not exist yet).
    static func resolvedPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    public static func lastError() -> String {
        String(cString: strerror(errno))
    }
}

/// Unique suffixes for temporary files within this process.
public final class TemporaryCounter: @unchecked Sendable {
    private var value: UInt64 = 0
    private let lock = NSLock()

    public init() {}

    public func next() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
