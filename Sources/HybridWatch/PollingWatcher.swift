import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Watches a ``WatchScope`` by listing and stat-ing it every `interval`: the fallback where events
/// are unavailable (the inotify watch limit, network and VM-shared file systems). A change is
/// reported once two scans in a row agree, so a burst is still one batch.
public final class PollingWatcher: FileWatcher, @unchecked Sendable {
    /// What identifies an unchanged file between two scans.
    struct Signature: Equatable {
        var inode: UInt64
        var size: Int64
        var modified: Int
        var modifiedNanoseconds: Int
        var changed: Int
        var changedNanoseconds: Int
    }

    public let scope: WatchScope
    public let interval: Duration
    private let condition = NSCondition()
    private var stopped = false
    private var snapshot: [String: Signature]
    private var folderCount = 0

    public var method: String { "polling every \(interval.milliseconds) ms" }

    public init(scope: WatchScope, interval: Duration = .milliseconds(250)) {
        self.scope = scope
        self.interval = interval
        snapshot = [:]
        var folders = 0
        snapshot = scan(folders: &folders)
        folderCount = folders
    }

    public var counts: (files: Int, folders: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (snapshot.count, folderCount)
    }

    public func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Sleeps `duration` unless stopped; false when stopped.
    private func sleep(_ duration: Duration) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(Double(duration.milliseconds) / 1000)
        while !stopped && condition.wait(until: deadline) {}
        return !stopped
    }

    public func next() -> WatchBatch? {
        while sleep(interval) {
            var folders = 0
            var current = scan(folders: &folders)
            guard current != snapshot else { continue }
            // Settle: scan until two scans agree (a burst still being written), for at most a second.
            for _ in 0..<20 {
                guard sleep(.milliseconds(50)) else { return nil }
                let again = scan(folders: &folders)
                if again == current { break }
                current = again
            }
            var batch = WatchBatch()
            for (path, signature) in current where snapshot[path] != signature { batch.paths.insert(path) }
            for path in snapshot.keys where current[path] == nil { batch.paths.insert(path) }
            condition.lock()
            snapshot = current
            folderCount = folders
            condition.unlock()
            if !batch.isEmpty { return batch }
        }
        return nil
    }

    private func scan(folders: inout Int) -> [String: Signature] {
        var found: [String: Signature] = [:]
        for file in scope.files {
            if let signature = signature(scope.root + "/" + file) { found[file] = signature }
        }
        for folder in scope.folders where FileStatus.isDirectory(scope.root + "/" + folder) {
            walk(folder, into: &found, folders: &folders)
        }
        return found
    }

    private func walk(_ relative: String, into found: inout [String: Signature], folders: inout Int) {
        folders += 1
        for entry in FileStatus.entries(of: scope.root + "/" + relative) {
            let child = relative + "/" + entry.name
            if entry.isDirectory {
                walk(child, into: &found, folders: &folders)
            } else if scope.reports(child), let signature = signature(scope.root + "/" + child) {
                found[child] = signature
            }
        }
    }

    private func signature(_ path: String) -> Signature? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFDIR else { return nil }
        return Signature(
            inode: UInt64(info.st_ino), size: Int64(info.st_size), modified: info.st_mtim.tv_sec,
            modifiedNanoseconds: info.st_mtim.tv_nsec, changed: info.st_ctim.tv_sec,
            changedNanoseconds: info.st_ctim.tv_nsec)
    }
}

extension Duration {
    /// Whole milliseconds.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
