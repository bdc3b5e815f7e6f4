import Foundation
import HybridCache
import SupersetModel

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

    /// Writes `bytes` to `path` atomically (a temporary file beside it, then rename), creating
    /// parent directories; returns the new stamp.
    public static func write(_ bytes: [UInt8], to path: String, temporaryDirectory: String? = nil)
        throws(AtomicFile.IOError) -> FileStamp
    {
        outputStamp(try AtomicFile.replace(bytes, at: path, temporaryDirectory: temporaryDirectory))
    }

    /// Creates a new file (it must not exist) holding `bytes`, creating parent directories; for
    /// files not yet visible to anyone (inside a staging directory). Returns its stamp.
    public static func create(_ bytes: [UInt8], at path: String) throws(AtomicFile.IOError) -> FileStamp {
        outputStamp(try AtomicFile.createNew(bytes, at: path))
    }

    private static func outputStamp(_ stamp: FileStamp) -> FileStamp {
        var stamp = stamp
        stamp.changedSeconds = 0
        stamp.changedNanoseconds = 0
        return stamp
    }

    /// Whether the file at `path` holds exactly `hash` (reads it).
    public static func contentMatches(_ path: String, _ hash: ContentHash) -> Bool {
        guard let bytes = try? AtomicFile.read(path) else { return false }
        return ContentHash(of: bytes) == hash
    }

    /// Whether anything (a file, a folder, a symlink even if dangling) is at `path`.
    public static func lstatExists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Removes an output (and directories it leaves empty, up to the bundle root).
    public static func remove(_ path: String, bundleRoot: String) {
        if unlink(path) == 0 { Directories.removeEmptyParents(of: path, stoppingAt: bundleRoot) }
    }
}

/// A bundle directory held open, so that checking its files' stamps resolves only the file's
/// name inside its folder (`fstatat` on the folder, opened once), not the whole path each time.
/// One build's view before its writes: a folder missing when first asked stays missing for it.
final class OutputDirectory {
    let path: String
    private let descriptor: Int32
    /// The directory does not exist (or is not a directory): no file in it has a stamp.
    private let missing: Bool
    /// Folders inside the directory (`charts`, `charts/sales`) held open, by their path's bytes;
    /// descriptor -1 for a folder that does not exist (a first compile asks for each of its files).
    private var folders: [(name: [CChar], descriptor: Int32)] = []

    init(path: String) {
        self.path = path
        descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        missing = descriptor < 0 && (errno == ENOENT || errno == ENOTDIR)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        for folder in folders where folder.descriptor >= 0 { close(folder.descriptor) }
    }

    /// The output stamp (``OutputFile/stamp(_:)``) of `relative` inside the directory.
    func stamp(_ relative: String) -> FileStamp? {
        relative.withCString { stamp(cString: $0) }
    }

    /// ``stamp(_:)`` of a path already held as a C string (no allocation once its folder is open).
    func stamp(cString relative: UnsafePointer<CChar>) -> FileStamp? {
        if missing { return nil }
        guard descriptor >= 0 else { return OutputFile.stamp(path + "/" + String(cString: relative)) }
        var info = stat()
        var found: Int32
        let slash: UnsafePointer<CChar>? = UnsafePointer(strrchr(relative, Int32(UInt8(ascii: "/"))))
        if let slash, let folder = folder(relative, length: slash - relative) {
            if folder < 0 { return nil }
            found = fstatat(folder, slash + 1, &info, 0)
        } else {
            found = fstatat(descriptor, relative, &info, 0)
        }
        guard found == 0 else { return nil }
        var stamp = FileStamp(info)
        guard !stamp.isDirectory else { return nil }
        stamp.changedSeconds = 0
        stamp.changedNanoseconds = 0
        return stamp
    }

    /// The open folder whose path is the first `length` bytes of `relative`, -1 when it does not
    /// exist; nil when it cannot be opened for another reason (then the whole relative path is resolved).
    private func folder(_ relative: UnsafePointer<CChar>, length: Int) -> Int32? {
        for folder in folders where folder.name.count == length && memcmp(folder.name, relative, length) == 0 {
            return folder.descriptor
        }
        let name = Array(UnsafeBufferPointer(start: relative, count: length))
        let opened = (name + [0]).withUnsafeBufferPointer { buffer in
            openat(descriptor, buffer.baseAddress!, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        if opened < 0 {
            guard errno == ENOENT || errno == ENOTDIR else { return nil }
            folders.append((name, -1))
            return -1
        }
        folders.append((name, opened))
        return opened
    }
}
