import Foundation
import HybridDiagnostics

/// What one compile counts and reports, shared by its concurrent stages: node counters, findings
/// (each once: the same template error under several variable sets is one finding) and, with
/// `--explain`, why each node ran.
final class BuildLog: @unchecked Sendable {
    struct Counters {
        var nodes = 0
        var rebuilt = 0
        var cached = 0
        /// Outputs taken from the remote cache.
        var fetched = 0
        var written = 0
        var removed = 0
    }

    /// Whether ``explain(_:)`` keeps its lines (`--explain`).
    let explains: Bool
    private let lock = NSLock()
    private var counterValues = Counters()
    private var findings: [Diagnostic] = []
    private var findingSet: Set<Diagnostic> = []
    private var reasons: [String] = []

    init(explains: Bool) {
        self.explains = explains
    }

    var counters: Counters {
        lock.lock()
        defer { lock.unlock() }
        return counterValues
    }

    var diagnostics: [Diagnostic] {
        lock.lock()
        defer { lock.unlock() }
        return findings
    }

    var explanations: [String] {
        lock.lock()
        defer { lock.unlock() }
        return reasons
    }

    func count(_ update: (inout Counters) -> Void) {
        lock.lock()
        update(&counterValues)
        lock.unlock()
    }

    /// Records a finding once.
    func report(_ diagnostic: Diagnostic) {
        lock.lock()
        if findingSet.insert(diagnostic).inserted { findings.append(diagnostic) }
        lock.unlock()
    }

    /// Records why nodes ran, in the order given (callers pass lines in a deterministic order).
    func explain(_ lines: [String]) {
        guard explains, !lines.isEmpty else { return }
        lock.lock()
        reasons += lines
        lock.unlock()
    }
}
