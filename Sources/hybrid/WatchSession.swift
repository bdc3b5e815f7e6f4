import Dispatch
import Foundation
import HybridDiagnostics
import HybridWatch

/// The watcher side of `hybrid watch`: starts inotify (or polling, with a warning when inotify
/// cannot watch), waits for batches off the cooperative thread pool, and ends on SIGINT/SIGTERM:
/// the first signal lets a running rebuild finish and stops; a second one exits at once.
final class WatchSession: @unchecked Sendable {
    private let output: WatchOutput
    private let lock = NSLock()
    private var current: (any FileWatcher)?
    private var stopping = false
    private var signalSources: [any DispatchSourceSignal] = []

    init(output: WatchOutput) {
        self.output = output
    }

    /// A watcher for `scope`: inotify unless `polling`, polling (with a warning) when inotify is unavailable.
    func start(scope: WatchScope, polling: Bool) -> any FileWatcher {
        let watcher: any FileWatcher
        if polling {
            watcher = PollingWatcher(scope: scope)
        } else {
            #if canImport(Glibc)
                do {
                    watcher = try InotifyWatcher(scope: scope)
                } catch {
                    output.warning("\(error); watching by polling instead")
                    watcher = PollingWatcher(scope: scope)
                }
            #else
                output.warning("file-system events are not available on this platform; watching by polling")
                watcher = PollingWatcher(scope: scope)
            #endif
        }
        lock.lock()
        current = watcher
        let stopped = stopping
        lock.unlock()
        if stopped { watcher.stop() }
        return watcher
    }

    /// When inotify reached its watch limit on a folder that appeared later: a polling watcher
    /// to continue with (the inotify one is stopped), with a warning.
    func fallbackIfNeeded(_ watcher: any FileWatcher, scope: WatchScope) -> (any FileWatcher)? {
        #if canImport(Glibc)
            guard let inotify = watcher as? InotifyWatcher, let problem = inotify.limitReachedLater else { return nil }
            output.warning("\(problem); watching by polling instead")
            inotify.stop()
            return start(scope: scope, polling: true)
        #else
            return nil
        #endif
    }

    /// The next batch, waited for on a thread of its own; nil once a signal arrived.
    func next(from watcher: any FileWatcher) async -> WatchBatch? {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: watcher.next()) }
            thread.name = "hybrid-watch"
            thread.start()
        }
    }

    /// SIGINT and SIGTERM stop the watch (exit 0 after the running rebuild); a second one exits now.
    func handleSignals() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.stopOnSignal() }
            source.resume()
            signalSources.append(source)
        }
    }

    private func stopOnSignal() {
        lock.lock()
        let again = stopping
        stopping = true
        let watcher = current
        lock.unlock()
        if again { exit(130) }
        watcher?.stop()
    }
}
