import Foundation
import HybridAudit
import HybridTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Audit store under concurrent writer processes", .serialized)
struct AuditConcurrencyTests {
    /// Starts `hybrid-audit-writer ROOT COUNT PREFIX BATCH` with its standard output in a file.
    private static func writer(_ fixture: AuditFixture, count: Int, prefix: String, batch: Int, output: String)
        throws -> Process
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: auditWriterExecutable)
        process.arguments = [fixture.root, String(count), prefix, String(batch)]
        process.environment = fixture.processEnvironment
        FileManager.default.createFile(atPath: output, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test(
        "8 processes writing at once while pages are read: no record lost or doubled", arguments: AuditBackend.available
    )
    func eightWriters(_ backend: AuditBackend) async throws {
        let fixture = try await AuditFixture.make(backend)
        // The schema exists before the writers race (they also migrate under a lock; see the next test).
        let store = try await fixture.open()
        let writers = try (0..<8).map { index in
            try Self.writer(
                fixture, count: 150, prefix: "w\(index)", batch: 1 + index % 3,
                output: fixture.root + "/writer-\(index).out")
        }
        // Read while they write: every page is well-formed and the total only grows.
        var reads = 0
        var lastTotal = 0
        while writers.contains(where: \.isRunning) || reads == 0 {
            let page = try await store.deploys(DeployQuery(limit: 50))
            #expect(page.items.count <= 50)
            let total = try await store.records(after: 0, limit: 10_000).count
            #expect(total >= lastTotal)
            lastTotal = total
            reads += 1
        }
        for writer in writers {
            writer.waitUntilExit()
            #expect(writer.terminationStatus == 0)
        }
        let stored = try await store.records(after: 0, limit: 10_000).map(\.record.recordID)
        #expect(stored.count == 8 * 150)
        #expect(Set(stored) == Set((0..<8).flatMap { index in (1...150).map { "w\(index)-\($0)" } }))
        #expect(reads >= 1)
        await store.close()
    }

    @Test("writers that open a new store at once create its schema once", arguments: AuditBackend.available)
    func racingMigrations(_ backend: AuditBackend) async throws {
        let fixture = try await AuditFixture.make(backend)
        let writers = try (0..<8).map { index in
            try Self.writer(fixture, count: 5, prefix: "m\(index)", batch: 1, output: fixture.root + "/m-\(index).out")
        }
        for writer in writers {
            writer.waitUntilExit()
            #expect(writer.terminationStatus == 0)
        }
        let store = try await fixture.open()
        #expect(try await store.records(after: 0, limit: 100).count == 40)
        await store.close()
    }

    @Test(
        "kill -9 of a writer mid-transaction loses nothing it committed and keeps no half batch",
        arguments: AuditBackend.available)
    func killedWriter(_ backend: AuditBackend) async throws {
        let fixture = try await AuditFixture.make(backend)
        let output = fixture.root + "/killed.out"
        let batch = 40
        let writer = try Self.writer(fixture, count: 1_000_000, prefix: "k", batch: batch, output: output)
        // Wait until a few batches are committed, then kill it while it writes the next ones.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let printed = (try? String(contentsOfFile: output, encoding: .utf8))?.split(separator: "\n").count ?? 0
            if printed >= 5 * batch { break }
            usleep(2000)
        }
        kill(writer.processIdentifier, SIGKILL)
        writer.waitUntilExit()
        #expect(writer.terminationReason == .uncaughtSignal)
        let committed = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(committed.count >= 5 * batch)
        let store = try await fixture.open()
        let stored = try await store.records(after: 0, limit: 2_000_000).map(\.record.recordID)
        #expect(Set(committed).isSubset(of: Set(stored)), "every id the writer saw committed is stored")
        #expect(stored.count % batch == 0, "whole transactions only: \(stored.count) records")
        #expect(Set(stored).count == stored.count)
        // The store takes new records after the kill.
        try await store.append([deployRecord("after-kill", at: 1_796_000_000_000)])
        #expect(try await store.records(after: 0, limit: 2_000_000).count == stored.count + 1)
        await store.close()
    }
}
