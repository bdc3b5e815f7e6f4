import Foundation
import HybridAudit

/// What a repository's audit store holds, for tests that check what a command audited.
public enum AuditTrail {
    /// Every record, oldest first.
    public static func records(root: String) async throws -> [AuditRecord] {
        try await AuditStores.using(root: root, environment: [:]) { store throws(AuditStoreError) in
            try await store.records(after: 0, limit: 100_000).map(\.record)
        }
    }

    /// Every record as a line of key-sorted JSON (what `.hybrid/audit.jsonl` held), oldest first.
    public static func lines(root: String) async throws -> [String] {
        try await records(root: root).map { String(decoding: AuditJSON.encode($0) ?? Data(), as: UTF8.self) }
    }
}
