import Foundation
import HybridAudit
import HybridDiagnostics
import HybridTestSupport
import Testing

@Suite("Audit store (SQLite and PostgreSQL, the same tests)")
struct AuditStoreTests {
    static let base: Int64 = 1_796_000_000_000

    @Test(
        "deploys come newest first, and keyset pages return every record once even at equal times",
        arguments: AuditBackend.available)
    func paging(_ backend: AuditBackend) async throws {
        let fixture = try await AuditFixture.make(backend)
        let store = try await fixture.open()
        // 23 records, several per millisecond, appended out of time order.
        let records = (0..<23).map { deployRecord("r\($0)", at: Self.base + Int64(($0 * 7) % 5)) }
        try await store.append(records)
        var seen: [String] = []
        var cursor: AuditCursor?
        var pages = 0
        repeat {
            let page = try await store.deploys(DeployQuery(limit: 5, cursor: cursor))
            seen += page.items.map(\.record.recordID)
            cursor = page.nextCursor.flatMap(AuditCursor.init(encoded:))
            pages += 1
            #expect(page.items.count <= 5)
        } while cursor != nil && pages < 10
        #expect(pages == 5)
        #expect(seen.count == 23 && Set(seen).count == 23)
        let times = seen.map { id in records.first { $0.recordID == id }!.epochMilliseconds! }
        #expect(times == times.sorted(by: >), "newest first")
        await store.close()
    }

    @Test("filters are bound values: each narrows, a quote is just a character", arguments: AuditBackend.available)
    func filters(_ backend: AuditBackend) async throws {
        let fixture = try await AuditFixture.make(backend)
        let store = try await fixture.open()
        try await store.append([
            deployRecord("a", at: Self.base, env: "prod", status: .success, actor: "ana", tenant: "acme"),
            deployRecord("b", at: Self.base + 1000, env: "prod", status: .failed, actor: "bo"),
            deployRecord("c", at: Self.base + 2000, env: "dev", status: .noop, actor: "ana", tenant: "acme"),
            deployRecord("d", at: Self.base + 3000, env: "prod' OR '1'='1", actor: "ana"),
        ])
        func ids(_ query: DeployQuery) async throws -> [String] {
            try await store.deploys(query).items.map(\.record.recordID)
        }
        #expect(try await ids(DeployQuery(environment: "prod")) == ["b", "a"])
        #expect(try await ids(DeployQuery(status: .failed)) == ["b"])
        #expect(try await ids(DeployQuery(actor: "ana")) == ["d", "c", "a"])
        #expect(try await ids(DeployQuery(tenant: "acme")) == ["c", "a"])
        #expect(try await ids(DeployQuery(since: Self.base + 1000, until: Self.base + 3000)) == ["c", "b"])
        #expect(try await ids(DeployQuery(environment: "prod' OR '1'='1")) == ["d"])
        #expect(try await ids(DeployQuery(environment: "x' OR '1'='1")) == [])
        let first = try #require(try await store.deploys(DeployQuery(environment: "prod")).items.first)
        #expect(first.record == deployRecord("b", at: Self.base + 1000, env: "prod", status: .failed, actor: "bo"))
        await store.close()
    }

    @Test(
        "a record id stored twice is one record (a retried write or a re-flushed spool)",
        arguments: AuditBackend.available)
    func idempotent(_ backend: AuditBackend) async throws {
        let fixture = try await AuditFixture.make(backend)
        let store = try await fixture.open()
        let record = deployRecord("same", at: Self.base)
        #expect(try await store.append([record]) == 1)
        #expect(try await store.append([record, deployRecord("other", at: Self.base)]) == 1, "only the new one counts")
        #expect(try await store.records(after: 0, limit: 100).map(\.record.recordID) == ["same", "other"])
        await store.close()
    }

    @Test(
        "embed counts: minted and refused by reason, grouped by tenant, dashboard or user",
        arguments: AuditBackend.available)
    func embedCounts(_ backend: AuditBackend) async throws {
        let fixture = try await AuditFixture.make(backend)
        let store = try await fixture.open()
        func mint(_ id: String, tenant: String?, user: String, status: AuditRecord.Status, reason: String?, at: Int64)
            -> AuditRecord
        {
            var record = deployRecord(id, at: at, status: status, action: .embedMint)
            record.embed = AuditRecord.EmbedMint(
                dashboard: "d-\(tenant ?? "none")", tenantID: tenant, user: user, roles: ["Gamma"], ttlSeconds: 60,
                signedBy: status == .success ? "api" : nil, reason: reason)
            return record
        }
        try await store.append([
            mint("1", tenant: "acme", user: "u1", status: .success, reason: nil, at: Self.base),
            mint("2", tenant: "acme", user: "u2", status: .refused, reason: "ttl", at: Self.base + 1),
            mint("3", tenant: "acme", user: "u2", status: .refused, reason: "ttl", at: Self.base + 2),
            mint("4", tenant: "beta", user: "u1", status: .refused, reason: "roles", at: Self.base + 3),
            mint("5", tenant: "beta", user: "u1", status: .failed, reason: "server_error", at: Self.base + 4),
            mint("6", tenant: nil, user: "u3", status: .success, reason: nil, at: Self.base + 5_000_000),
            deployRecord("deploy", at: Self.base),
        ])
        let byTenant = try await store.embedCounts(EmbedCountQuery(until: Self.base + 1_000_000, groupBy: .tenant))
        #expect(
            byTenant == [
                EmbedCount(key: "acme", minted: 1, refused: 2, refusedByReason: ["ttl": 2]),
                EmbedCount(key: "beta", minted: 0, refused: 2, refusedByReason: ["roles": 1, "server_error": 1]),
            ])
        let byUser = try await store.embedCounts(EmbedCountQuery(groupBy: .user))
        #expect(byUser.map(\.key) == ["u1", "u2", "u3"])
        #expect(byUser.map(\.minted) == [1, 0, 1])
        // Deploys are not mints, and mints are not deploys.
        #expect(try await store.deploys(DeployQuery()).items.map(\.record.recordID) == ["deploy"])
        await store.close()
    }

    @Test(
        ".hybrid/audit.jsonl is imported once, keeps its lines' fields, and is left as it is",
        arguments: AuditBackend.available)
    func legacyImport(_ backend: AuditBackend) async throws {
        let fixture = try await AuditFixture.make(backend)
        let lines =
            #"{"action":"apply","actor":"ci","assets":{"charts":2},"duration_seconds":1.5,"env":"prod","git_sha":"unknown","status":"success","target":"http://127.0.0.1:8088","timestamp":"2026-01-01T00:00:00Z"}"#
            + "\n" + "not json\n"
            + #"{"action":"embed-mint","actor":"ci","assets":{},"duration_seconds":0.2,"embed":{"dashboard":"d","roles":[],"tenant_id":"c1","ttl_seconds":60},"env":"prod","git_sha":"unknown","status":"refused","target":"http://x","timestamp":"2026-01-02T00:00:00Z","error":"no"}"#
            + "\n"
        try fixture.directory.write(".hybrid/audit.jsonl", lines)
        let first = try await fixture.open()
        await first.close()
        let second = try await fixture.open()
        let stored = try await second.records(after: 0, limit: 100)
        #expect(stored.count == 2)
        #expect(stored.first?.record.actor == "ci")
        #expect(stored.first?.record.assets == ["charts": 2])
        #expect(stored.first?.record.epochMilliseconds == AuditTime.milliseconds("2026-01-01T00:00:00Z"))
        #expect(stored.last?.record.embed?.tenantID == "c1")
        #expect(try fixture.directory.read(".hybrid/audit.jsonl") == lines)
        await second.close()
    }

    @Test("the metrics tail reads records after an id, oldest first", arguments: AuditBackend.available)
    func tail(_ backend: AuditBackend) async throws {
        let fixture = try await AuditFixture.make(backend)
        let store = try await fixture.open()
        try await store.append((0..<7).map { deployRecord("t\($0)", at: Self.base - Int64($0)) })
        let head = try await store.records(after: 0, limit: 3)
        let rest = try await store.records(after: head.last!.id, limit: 100)
        #expect((head + rest).map(\.record.recordID) == (0..<7).map { "t\($0)" })
        #expect((head + rest).map(\.id) == (head + rest).map(\.id).sorted())
        await store.close()
    }

    @Test(
        "a store that cannot be reached spools the record and says so; the next command writes it",
        arguments: AuditBackend.available)
    func spool(_ backend: AuditBackend) async throws {
        let fixture = try await AuditFixture.make(backend)
        var unreachable = fixture.environment
        unreachable[AuditStores.urlVariable] = "postgres://hybrid:spool-secret-pw@127.0.0.1:1/none?sslmode=disable"
        let record = deployRecord("spooled", at: Self.base)
        let failure = await AuditRecorder(root: fixture.root, environment: unreachable).record(record)
        let message = try #require(failure).message
        #expect(message.contains("cannot write the audit record"))
        #expect(message.contains(".hybrid/audit-spool/"))
        #expect(!message.contains("spool-secret-pw"))
        #expect(AuditSpool(root: fixture.root).pending().records.map(\.record) == [record])
        // The next command that reaches the store writes the spooled record first, then its own.
        #expect(
            await AuditRecorder(root: fixture.root, environment: fixture.environment).record(
                deployRecord("next", at: Self.base + 1)) == nil)
        #expect(AuditSpool(root: fixture.root).pending().records.isEmpty)
        let store = try await fixture.open()
        #expect(try await store.records(after: 0, limit: 10).map(\.record.recordID) == ["spooled", "next"])
        await store.close()
    }

    @Test("a registered secret never reaches the store, whatever field carries it")
    func redaction() async throws {
        let fixture = try await AuditFixture.make(.sqlite)
        SecretRegistry.shared.register("audit-test-secret-42")
        var record = deployRecord("secret", at: Self.base, status: .failed)
        record.error = "login failed for password audit-test-secret-42"
        record.target = "http://u:audit-test-secret-42@127.0.0.1"
        #expect(await AuditRecorder(root: fixture.root).record(record) == nil)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture.root + "/.hybrid/audit.db"))
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: fixture.root + "/.hybrid/audit.db-wal"))) ?? Data()
        #expect(bytes.range(of: Data("audit-test-secret-42".utf8)) == nil)
        #expect(wal.range(of: Data("audit-test-secret-42".utf8)) == nil)
        let store = try await fixture.open()
        #expect(
            try await store.records(after: 0, limit: 1).first?.record.error == "login failed for password <redacted>")
        await store.close()
    }
}
