import Foundation
import HybridCache

/// `.hybrid/audit.jsonl`, where hybrid appended records before the store: read once into the store,
/// then left as it is (never written, never deleted).
public struct LegacyAuditLog: Sendable {
    public let path: String

    public init(root: String) {
        path = (root == "." ? "" : root + "/") + ".hybrid/audit.jsonl"
    }

    /// The records, each with an id derived from its line (so importing the same lines twice, from
    /// two runners, stores them once), and the number of lines that do not decode.
    public func records() -> (records: [AuditRecord], unreadable: Int, marker: String)? {
        guard let bytes = try? AtomicFile.read(path) else { return nil }
        var records: [AuditRecord] = []
        var unreadable = 0
        for (number, line) in bytes.split(separator: 0x0A).enumerated() where !line.isEmpty {
            guard var record = try? JSONDecoder().decode(AuditRecord.self, from: Data(line)) else {
                unreadable += 1
                continue
            }
            if record.recordID.isEmpty { record.recordID = "jsonl-\(ContentHash(of: Array(line)))-\(number + 1)" }
            records.append(record)
        }
        return (records, unreadable, "audit.jsonl:\(ContentHash(of: bytes))")
    }

    /// Imports the log into the store unless these exact contents were imported before. Returns the
    /// number of records imported (nil when there was nothing to do).
    public func importOnce(into store: any AuditStore) async throws(AuditStoreError) -> Int? {
        guard let (records, _, marker) = records() else { return nil }
        return try await store.importOnce(marker: marker, records) ? records.count : nil
    }
}
