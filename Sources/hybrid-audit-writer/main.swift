// Writes audit records in a loop into a repository's store (SQLite at ROOT/.hybrid/audit.db, or
// HYBRID_AUDIT_URL): the concurrency and kill tests and scripts/bench-serve.py drive it; not a test.
//
//   hybrid-audit-writer ROOT COUNT PREFIX [BATCH] [DAYS]
//
// Writes COUNT records with ids PREFIX-1 … PREFIX-COUNT, BATCH per transaction (default 1), spread
// over the last DAYS days (default 0: now); prints each record id on its own line once committed.
import Foundation
import HybridAudit

let arguments = CommandLine.arguments
guard arguments.count >= 4, let count = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: hybrid-audit-writer ROOT COUNT PREFIX [BATCH] [DAYS]\n".utf8))
    exit(2)
}
let root = arguments[1]
let prefix = arguments[3]
let batch = arguments.count > 4 ? max(1, Int(arguments[4]) ?? 1) : 1
let days = arguments.count > 5 ? max(0, Int(arguments[5]) ?? 0) : 0

let environments = ["dev", "staging", "prod"]
let statuses: [AuditRecord.Status] = [.success, .success, .success, .noop, .failed]
let now = Int64(Date().timeIntervalSince1970 * 1000)

func record(_ index: Int) -> AuditRecord {
    let offset = days == 0 ? 0 : Int64((index * 7919) % (days * 86_400)) * 1000
    let status = statuses[index % statuses.count]
    return AuditRecord(
        recordID: "\(prefix)-\(index)", timestamp: AuditTime.timestamp(milliseconds: now - offset),
        actor: "writer-\(prefix)@example.com", action: index % 10 == 9 ? .promote : .apply,
        environment: environments[index % environments.count], tenant: index % 4 == 0 ? nil : "client-\(index % 100)",
        target: "http://127.0.0.1:8088", gitSHA: String(repeating: "ab", count: 20), assets: ["chart": index % 7],
        status: status, durationSeconds: Double(index % 50) / 10, error: status == .failed ? "import failed" : nil)
}

do {
    let store = try await AuditStores.open(root: root)
    var index = 1
    while index <= count {
        let records = (index..<min(index + batch, count + 1)).map(record)
        try await store.append(records)
        FileHandle.standardOutput.write(Data((records.map(\.recordID).joined(separator: "\n") + "\n").utf8))
        index += records.count
    }
    await store.close()
} catch {
    FileHandle.standardError.write(Data("hybrid-audit-writer: \(error)\n".utf8))
    exit(1)
}
