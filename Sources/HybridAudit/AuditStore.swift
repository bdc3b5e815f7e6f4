import Foundation

/// The store could not be opened, reached or written: where and why.
public struct AuditStoreError: Error, Sendable, CustomStringConvertible {
    /// The store (a path, or a PostgreSQL URL without its password).
    public var location: String
    public var message: String

    public init(location: String, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "audit store \(location): \(message)" }
}

/// Where deploy and embed records live: SQLite at `.hybrid/audit.db` or PostgreSQL. Both run the same
/// schema (``AuditSQL``) and the same statements, so either answers every query the same way.
public protocol AuditStore: Sendable {
    /// The path or the URL (no password), for messages.
    var location: String { get }

    /// Stores records in one transaction; a record id already stored is skipped. Returns how many
    /// were new.
    @discardableResult
    func append(_ records: [AuditRecord]) async throws(AuditStoreError) -> Int

    /// Stores the records under `marker` once: when the marker is already stored nothing is written,
    /// `records` is not even called, and the answer is false (the one-time import of
    /// `.hybrid/audit.jsonl`).
    func importOnce(marker: String, _ records: @escaping @Sendable () -> [AuditRecord]) async throws(AuditStoreError)
        -> Bool

    /// One page of deploys (apply, promote), newest first.
    func deploys(_ query: DeployQuery) async throws(AuditStoreError) -> DeployPage

    /// Guest tokens minted and refused.
    func embedCounts(_ query: EmbedCountQuery) async throws(AuditStoreError) -> [EmbedCount]

    /// Records stored after `id`, oldest first; a store's ids grow in commit order.
    func records(after id: Int64, limit: Int) async throws(AuditStoreError) -> [StoredAuditRecord]

    /// Releases connections.
    func close() async
}
