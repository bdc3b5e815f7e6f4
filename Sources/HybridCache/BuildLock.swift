import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive lock on a cache directory (`flock` on `<cache>/v1/lock`): a second compile on the
/// same repository waits for the first, saying so. Released when the process exits, even by `kill -9`.
public final class BuildLock: @unchecked Sendable {
    private let descriptor: Int32
    public let path: String

    /// Takes the lock, calling `waiting` once (with the holder's pid when known) if it must wait.
    public init(directory: String, waiting: (String) -> Void) throws(AtomicFile.IOError) {
        try Directories.create(directory)
        path = directory + "/lock"
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw AtomicFile.IOError(path: path, message: AtomicFile.lastError()) }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK else {
                let message = AtomicFile.lastError()
                close(descriptor)
                throw AtomicFile.IOError(path: path, message: message)
            }
            let holder = (try? AtomicFile.read(path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            let who = holder.isEmpty ? "another hybrid process" : "another hybrid process (pid \(holder))"
            waiting("waiting for \(who) to release \(path)")
            while flock(descriptor, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    let message = AtomicFile.lastError()
                    close(descriptor)
                    throw AtomicFile.IOError(path: path, message: message)
                }
            }
        }
        let pid = Array(String(getpid()).utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    deinit {
        _ = ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
