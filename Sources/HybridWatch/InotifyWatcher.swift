import Foundation

#if canImport(Glibc)
    import Glibc

    /// Watches a ``WatchScope`` with Linux inotify: one watch per folder (added recursively, and
    /// for every folder that appears later), a trailing ``Debounce`` per batch, a full rescan when
    /// the kernel's queue overflows (`IN_Q_OVERFLOW`). Editors' temporary files are never reported.
    public final class InotifyWatcher: FileWatcher, @unchecked Sendable {
        /// Why inotify cannot watch the scope (the caller falls back to polling).
        public enum Unavailable: Error, CustomStringConvertible {
            /// `ENOSPC`: the user's inotify watch limit (`fs.inotify.max_user_watches`) is reached.
            case limitReached(watches: Int)
            /// inotify itself failed (`EMFILE`: too many instances, `ENOSYS`, …).
            case failed(String)

            public var description: String {
                switch self {
                case .limitReached(let watches):
                    "the inotify watch limit is reached after \(watches) folder(s) (fs.inotify.max_user_watches = "
                        + "\(InotifyWatcher.systemLimit("max_user_watches") ?? "?"); raise it with "
                        + "sudo sysctl fs.inotify.max_user_watches=524288)"
                case .failed(let message): "inotify is unavailable: \(message)"
                }
            }
        }

        private static let folderMask: UInt32 =
            UInt32(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO)
            | UInt32(IN_DELETE_SELF | IN_MOVE_SELF) | UInt32(IN_ONLYDIR)
        private static let rootMask: UInt32 =
            UInt32(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO)
            | UInt32(IN_ONLYDIR)

        public let scope: WatchScope
        public let debounce: Debounce
        public var method: String { "inotify" }
        private let descriptor: Int32
        private let wake: (read: Int32, write: Int32)
        private let lock = NSLock()
        private var folderOfWatch: [Int32: String] = [:]
        private var watchOfFolder: [String: Int32] = [:]
        private var fileCount = 0
        private var stopped = false
        /// Set when a folder that appeared could not be watched (limit reached): the caller should
        /// switch to polling; the batch that saw it asks for a rescan.
        public private(set) var limitReachedLater: Unavailable?

        public init(scope: WatchScope, debounce: Debounce = .standard) throws(Unavailable) {
            self.scope = scope
            self.debounce = debounce
            descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
            guard descriptor >= 0 else { throw .failed(String(cString: strerror(errno))) }
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else {
                let message = String(cString: strerror(errno))
                close(descriptor)
                throw .failed(message)
            }
            wake = (ends[0], ends[1])
            for end in ends {
                _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
                _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            }
            do throws(Unavailable) {
                try addWatch("", mask: InotifyWatcher.rootMask)
                for folder in scope.folders where isDirectory(folder) {
                    _ = try addTree(folder)
                }
            } catch {
                close(descriptor)
                close(wake.read)
                close(wake.write)
                throw error
            }
        }

        deinit {
            close(descriptor)
            close(wake.read)
            close(wake.write)
        }

        public var counts: (files: Int, folders: Int) {
            let rootFiles = scope.files.count { FileStatus.isFile(absolute($0)) }
            lock.lock()
            defer { lock.unlock() }
            return (fileCount + rootFiles, max(0, watchOfFolder.count - 1))
        }

        public func stop() {
            lock.lock()
            stopped = true
            lock.unlock()
            var byte: UInt8 = 1
            _ = write(wake.write, &byte, 1)
        }

        private var isStopped: Bool {
            lock.lock()
            defer { lock.unlock() }
            return stopped
        }

        public func next() -> WatchBatch? {
            var batch = WatchBatch()
            var first: ContinuousClock.Instant?
            var last: ContinuousClock.Instant?
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while !isStopped {
                var timeout: Int32 = -1
                if let first, let last {
                    var left = debounce.remaining(first: first, last: last, now: .now)
                    if left == 0, !batch.rescan, batch.paths.contains(where: { !exists($0) }) {
                        // A file renamed away (vim's backup, an editor's safe write) is usually
                        // back within milliseconds: wait up to the maximum before calling it deleted.
                        left = debounce.remaining(first: first, last: .now + debounce.maximum, now: .now)
                    }
                    if left == 0 { return batch }
                    timeout = Int32(left)
                }
                var fds = [
                    pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
                    pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0),
                ]
                let ready = poll(&fds, 2, timeout)
                if ready < 0 {
                    if errno == EINTR { continue }
                    return batch.isEmpty ? nil : batch
                }
                if fds[1].revents != 0 { return nil }
                if ready == 0 { continue }
                let before = batch
                drain(into: &batch, buffer: &buffer)
                if batch != before {
                    let now = ContinuousClock.now
                    if first == nil { first = now }
                    last = now
                }
            }
            return nil
        }

        /// Reads every queued event into `batch`.
        private func drain(into batch: inout WatchBatch, buffer: inout [UInt8]) {
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count <= 0 { return }
                var offset = 0
                while offset + 16 <= count {
                    let (wd, mask, length) = buffer.withUnsafeBytes { raw in
                        (
                            raw.loadUnaligned(fromByteOffset: offset, as: Int32.self),
                            raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self),
                            Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                        )
                    }
                    var nameBytes = buffer[(offset + 16)..<min(count, offset + 16 + length)]
                    if let end = nameBytes.firstIndex(of: 0) { nameBytes = nameBytes[..<end] }
                    handle(wd: wd, mask: mask, name: String(decoding: nameBytes, as: UTF8.self), batch: &batch)
                    offset += 16 + length
                }
            }
        }

        private func handle(wd: Int32, mask: UInt32, name: String, batch: inout WatchBatch) {
            if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                batch.rescan = true
                resynchronize()
                return
            }
            lock.lock()
            let folder = folderOfWatch[wd]
            lock.unlock()
            guard let folder else { return }
            if mask & UInt32(IN_IGNORED) != 0 {
                forget(wd: wd)
                return
            }
            if mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
                if !folder.isEmpty {
                    batch.paths.insert(folder)
                    forgetTree(folder)
                }
                return
            }
            guard !name.isEmpty else { return }
            let child = folder.isEmpty ? name : folder + "/" + name
            if mask & UInt32(IN_ISDIR) != 0 {
                if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0, scope.covers(folder: child) {
                    do {
                        for file in try addTree(child) { batch.paths.insert(file) }
                    } catch {
                        limitReachedLater = error
                        batch.rescan = true
                    }
                    batch.paths.insert(child)
                } else if mask & UInt32(IN_DELETE | IN_MOVED_FROM) != 0, scope.covers(folder: child) {
                    forgetTree(child)
                    batch.paths.insert(child)
                }
                return
            }
            if scope.reports(child) { batch.paths.insert(child) }
        }

        // MARK: watches

        private func exists(_ relative: String) -> Bool {
            FileStatus.exists(absolute(relative))
        }

        private func isDirectory(_ relative: String) -> Bool {
            FileStatus.isDirectory(absolute(relative))
        }

        private func absolute(_ relative: String) -> String {
            relative.isEmpty ? scope.root : scope.root + "/" + relative
        }

        private func addWatch(_ relative: String, mask: UInt32) throws(Unavailable) {
            let wd = inotify_add_watch(descriptor, absolute(relative), mask)
            if wd < 0 {
                if errno == ENOSPC {
                    lock.lock()
                    let watches = watchOfFolder.count
                    lock.unlock()
                    throw .limitReached(watches: watches)
                }
                if errno == ENOENT || errno == ENOTDIR { return }  // gone already; its parent reports it
                throw .failed("\(absolute(relative)): \(String(cString: strerror(errno)))")
            }
            lock.lock()
            folderOfWatch[wd] = relative
            watchOfFolder[relative] = wd
            lock.unlock()
        }

        /// Watches `relative` and every folder below it; returns the reportable files found.
        private func addTree(_ relative: String) throws(Unavailable) -> [String] {
            try addWatch(relative, mask: InotifyWatcher.folderMask)
            var files: [String] = []
            var direct = 0
            for entry in FileStatus.entries(of: absolute(relative)) {
                let child = relative + "/" + entry.name
                if entry.isDirectory {
                    files += try addTree(child)
                } else if scope.reports(child) {
                    files.append(child)
                    direct += 1
                }
            }
            lock.lock()
            fileCount += direct
            lock.unlock()
            return files
        }

        private func forget(wd: Int32) {
            lock.lock()
            defer { lock.unlock() }
            if let folder = folderOfWatch.removeValue(forKey: wd), watchOfFolder[folder] == wd {
                watchOfFolder.removeValue(forKey: folder)
            }
        }

        /// Stops watching a folder that was removed or moved away, and everything below it (a
        /// moved folder's watches would otherwise report under its old name).
        private func forgetTree(_ relative: String) {
            lock.lock()
            let gone = watchOfFolder.filter { $0.key == relative || $0.key.hasPrefix(relative + "/") }
            for (folder, wd) in gone {
                watchOfFolder.removeValue(forKey: folder)
                folderOfWatch.removeValue(forKey: wd)
            }
            lock.unlock()
            for wd in gone.values { inotify_rm_watch(descriptor, wd) }
        }

        /// After an overflow: watches every folder of the scope again (some may have appeared
        /// unseen) and recounts the files.
        private func resynchronize() {
            lock.lock()
            fileCount = 0
            lock.unlock()
            for folder in scope.folders where isDirectory(folder) {
                do {
                    _ = try addTree(folder)  // a folder already watched keeps its watch
                } catch {
                    limitReachedLater = error
                }
            }
        }

        /// The value of `/proc/sys/fs/inotify/<name>`, when readable.
        public static func systemLimit(_ name: String) -> String? {
            guard let data = FileManager.default.contents(atPath: "/proc/sys/fs/inotify/" + name) else { return nil }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
#endif
