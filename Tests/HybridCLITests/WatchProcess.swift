import Foundation
import HybridTestSupport

/// A `hybrid watch --format json` process on a repository, read event by event.
final class WatchProcess {
    let process = Process()
    let outputLog: String
    let errorLog: String
    private var consumed = 0

    /// Starts `hybrid watch --format json ARGUMENTS` in `root` and waits for its `watching` event;
    /// `tinyQueue`: with the inotify queue that many events long (``InotifyQueueSetting``).
    init(
        root: String, arguments: [String] = ["--all-mappings"], environment overrides: [String: String] = [:],
        tinyQueue: Int? = nil
    ) throws {
        let name = UUID().uuidString.prefix(8)
        outputLog = NSTemporaryDirectory() + "watch-\(name).jsonl"
        errorLog = NSTemporaryDirectory() + "watch-\(name).err"
        for log in [outputLog, errorLog] { _ = FileManager.default.createFile(atPath: log, contents: nil) }
        process.executableURL = HybridProcess.executable
        process.arguments = ["watch", "--format", "json"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        for (name, value) in overrides { environment[name] = value }
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputLog))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorLog))
        if let tinyQueue {
            // The watcher creates its inotify instance (reading the queue size) before it compiles.
            try InotifyQueueSetting.withTinyQueue(tinyQueue) {
                try process.run()
                _ = try next(timeout: 120) { $0["event"] as? String == "watching" }
            }
        } else {
            try InotifyQueueSetting.withNormalQueue { try process.run() }
            _ = try next(timeout: 120) { $0["event"] as? String == "watching" }
        }
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(atPath: outputLog)
        try? FileManager.default.removeItem(atPath: errorLog)
    }

    var stderr: String { (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? "" }

    /// Every event printed so far.
    var events: [[String: Any]] {
        let text = (try? String(contentsOfFile: outputLog, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// The next event (after those already returned) that `accept` takes; earlier ones are skipped.
    func next(timeout: TimeInterval = 30, _ accept: ([String: Any]) -> Bool) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let all = events
            while consumed < all.count {
                let event = all[consumed]
                consumed += 1
                if accept(event) { return event }
            }
            guard process.isRunning else { break }
            usleep(10_000)
        }
        throw FixtureError("no such event within \(timeout) s; events: \(events)\nstderr: \(stderr)")
    }

    /// The next rebuild whose changed paths include `path` (or that rescanned).
    func rebuild(touching path: String, timeout: TimeInterval = 30) throws -> [String: Any] {
        try next(timeout: timeout) { event in
            guard event["event"] as? String == "rebuild" else { return false }
            let changed = event["changed"] as? [String] ?? []
            return event["rescan"] as? Bool == true
                || changed.contains { path == $0 || path.hasPrefix($0 + "/") || $0.hasPrefix(path + "/") }
        }
    }

    /// Waits until no event came for `quiet` seconds; the last rebuild seen (if any).
    func settle(quiet: TimeInterval = 0.6, timeout: TimeInterval = 60) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var count = events.count
        var since = Date()
        while Date() < deadline {
            usleep(50_000)
            let now = events.count
            if now != count {
                count = now
                since = Date()
            } else if Date().timeIntervalSince(since) >= quiet {
                consumed = count
                return
            }
        }
        throw FixtureError("the watcher never settled: \(events.count) events")
    }

    /// Sends `signal` and waits for the exit status.
    func stop(_ signal: Int32 = SIGINT) -> Int32 {
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return process.terminationStatus
    }
}
