import Foundation
import HybridCompiler
import HybridDiagnostics
import SupersetModel

#if canImport(Glibc)
    import Glibc
#endif

/// A one-line progress display on standard error: only on a terminal, only once a run has
/// lasted a second, redrawn at most ten times a second, erased at the end.
final class ProgressDisplay: @unchecked Sendable {
    private let enabled: Bool
    private let started = ContinuousClock.now
    private var lastDraw = ContinuousClock.now
    private var drawn = false
    private let lock = NSLock()

    init() {
        enabled = isatty(2) != 0 && getenv("TERM").map { String(cString: $0) } != "dumb"
    }

    func update(_ progress: CompileProgress) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = ContinuousClock.now
        guard now - started > .seconds(1), now - lastDraw > .milliseconds(100) || progress.done == progress.total
        else { return }
        lastDraw = now
        drawn = true
        let percent = progress.total > 0 ? progress.done * 100 / progress.total : 100
        StandardStreams.writeError("\r\u{1B}[2K\(progress.phase): \(progress.done)/\(progress.total) (\(percent)%)")
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { StandardStreams.writeError("\r\u{1B}[2K") }
        drawn = false
    }
}
