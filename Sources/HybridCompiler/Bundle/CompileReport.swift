import Foundation
import HybridDiagnostics
import HybridRemoteCache
import SupersetModel

/// What one compile did: findings, counts for the summary line, reasons for `--explain`.
public struct CompileReport: Sendable {
    public struct Bundle: Sendable, Codable {
        /// `prod` or `prod/client_a`.
        public var name: String
        public var state: BundleStatus.State
        public var outputs: Int
        public var written: Int
        public var removed: Int
    }

    public var environment: String
    public var diagnostics: [Diagnostic] = []
    /// `--explain`: one line per rebuilt node, why it ran.
    public var explanations: [String] = []
    public var bundles: [Bundle] = []
    /// Nodes considered: renders (templates × variable sets) and outputs (templates × bundles).
    public var nodes = 0
    /// Nodes that ran (a render, or a retarget/link/emit).
    public var rebuilt = 0
    /// Nodes answered from the cache.
    public var cached = 0
    /// Outputs taken from the remote cache (neither rendered nor linked here).
    public var fetched = 0
    /// What the remote cache did for this compile (nil: no remote cache); bundles uploaded.
    public var remote: RemoteCacheStatistics?
    public var uploaded = 0
    /// Files written (new or changed content) and removed.
    public var written = 0
    public var removed = 0
    public var seconds = 0.0
    /// Where the time went, in order (`--timings`).
    public var phases: [Phase] = []

    /// One phase of a compile and its wall time.
    public struct Phase: Sendable, Codable, Equatable {
        public var name: String
        public var seconds: Double
    }

    /// `phases: lock 0.1 ms, inputs 8.0 ms, …`.
    public var phaseSummary: String {
        "phases: " + phases.map { String(format: "%@ %.1f ms", $0.name, $0.seconds * 1000) }.joined(separator: ", ")
    }

    public var errorCount: Int { diagnostics.count { $0.severity == .error } }
    public var warningCount: Int { diagnostics.count { $0.severity == .warning } }

    /// `compiled prod: 22,928 nodes, 328 rebuilt, 22,600 cached, 100 written, 0 removed in 0.12 s`.
    public var summary: String {
        var text = "compile \(environment): \(bundles.count) bundle\(bundles.count == 1 ? "" : "s"), "
        text += "\(nodes) nodes, \(rebuilt) rebuilt, \(cached) cached, "
        if remote != nil { text += "\(fetched) fetched, " }
        text += "\(written) written, \(removed) removed"
        text += String(format: " in %.2f s", seconds)
        if let remote {
            text += String(
                format: "; remote cache: %d request%@, %.1f MB in", remote.requests, remote.requests == 1 ? "" : "s",
                Double(remote.bytesDownloaded) / 1_000_000)
            if uploaded > 0 || remote.uploads > 0 {
                text += String(
                    format: ", %d bundle%@ uploaded (%.1f MB)", uploaded, uploaded == 1 ? "" : "s",
                    Double(remote.bytesUploaded) / 1_000_000)
            }
        }
        if errorCount > 0 { text += ", \(errorCount) error\(errorCount == 1 ? "" : "s")" }
        if warningCount > 0 { text += ", \(warningCount) warning\(warningCount == 1 ? "" : "s")" }
        return text
    }
}
