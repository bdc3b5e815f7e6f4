import Foundation

#if canImport(Glibc)
    import Glibc

    /// `fs.inotify.max_queued_events`, which the kernel reads when an inotify instance is created. The
    /// overflow test sets it tiny for the moment its watcher starts; every other test that creates
    /// an inotify instance does so under ``withNormalQueue(_:)``, so none gets the tiny queue by
    /// accident (tests of all targets run in parallel in one process).
    public enum InotifyQueueSetting {
        public static let path = "/proc/sys/fs/inotify/max_queued_events"
        nonisolated(unsafe) private static var lock: pthread_rwlock_t = {
            var lock = pthread_rwlock_t()
            pthread_rwlock_init(&lock, nil)
            return lock
        }()

        /// Whether this process may change the setting (root, a writable /proc).
        public static var isWritable: Bool { access(path, W_OK) == 0 }

        /// Runs `body` (which creates an inotify instance) while the queue has its normal size.
        public static func withNormalQueue<T>(_ body: () throws -> T) rethrows -> T {
            pthread_rwlock_rdlock(&lock)
            defer { pthread_rwlock_unlock(&lock) }
            return try body()
        }

        /// Runs `body` with the queue set to `events`, then puts the system's value back.
        public static func withTinyQueue<T>(_ events: Int, _ body: () throws -> T) throws -> T {
            pthread_rwlock_wrlock(&lock)
            defer { pthread_rwlock_unlock(&lock) }
            let original = try String(contentsOfFile: path, encoding: .utf8)
            try "\(events)\n".write(toFile: path, atomically: false, encoding: .utf8)
            defer { try? original.write(toFile: path, atomically: false, encoding: .utf8) }
            return try body()
        }
    }
#endif
