import Foundation
import HybridCache
import HybridTestSupport
import Testing

@testable import HybridCompiler

/// The no-op and one-edit paths answered from the stored bundle record (``BundleBuilder/storedIsCurrent(_:directory:)``,
/// ``BundleBuilder/buildFromStored(_:keys:digest:directory:_:)``) against clean builds of the same sources.
@Suite("Stored record paths")
struct StoredRecordPathTests {
    private static let edits: [(path: String, from: String, to: String)] = [
        ("assets/charts/by_tenant.yaml.j2", "table", "pivot_table_v2"),
        ("assets/charts/revenue.yaml.j2", "adhoc_filters: []", "adhoc_filters: []\n  row_limit: 500"),
    ]

    private func edited(_ fixture: RepositoryFixture, _ edits: [(path: String, from: String, to: String)]) throws {
        for edit in edits {
            try fixture.write(edit.path, try fixture.read(edit.path).replacingOccurrences(of: edit.from, with: edit.to))
        }
    }

    /// Every tenant's record, stamps cleared (they name inodes and times, not content).
    private func records(_ fixture: RepositoryFixture) throws -> [String: [UInt8]] {
        let store = CacheStore(directory: fixture.root + "/.hybrid-cache")
        var records: [String: [UInt8]] = [:]
        for tenant in [nil, "client_a", "client_b"] {
            let scope = BundleScope(environment: "prod", tenant: tenant, namespace: UUIDv5.defaultNamespace)
            guard var record = BundleRecord.load(store: store, scope: scope) else { continue }
            for index in record.outputs.indices { record.outputs[index].stamp = FileStamp.absent }
            record.metadataStamp = FileStamp.absent
            record.statusStamp = FileStamp.absent
            records[tenant ?? "-"] = record.encoded()
        }
        return records
    }

    @Test("one or two templates edited: bundles, records and findings equal a clean build's", arguments: [1, 2])
    func editsEqualCleanBuild(count: Int) async throws {
        let incremental = try RepositoryFixture()
        _ = try await incremental.compile(mappings: .all)
        let before = incremental.modificationTimes()
        try edited(incremental, Array(Self.edits.prefix(count)))
        let report = try await incremental.compile(mappings: .all)

        let clean = try RepositoryFixture()
        try edited(clean, Array(Self.edits.prefix(count)))
        let cleanReport = try await clean.compile(mappings: .all)

        #expect(report.errorCount == 0, "\(report.diagnostics)")
        #expect(incremental.snapshot() == clean.snapshot())
        #expect(try records(incremental) == records(clean))
        #expect(report.diagnostics.map(\.description) == cleanReport.diagnostics.map(\.description))
        #expect(report.written == 2 * count)
        let after = incremental.modificationTimes()
        let changed = after.keys.filter { after[$0] != before[$0] && !$0.hasPrefix(BundleStatus.directoryName) }
        #expect(changed.count == 2 * count)
        for tenant in ["client_a", "client_b"] {
            let status = try #require(
                BundleStatus.load(at: incremental.root + "/bundles/.hybrid-status/prod/\(tenant).json"))
            #expect(status.state == .complete)
        }
        // And the next compile is a no-op answered from the records just written.
        let again = try await incremental.compile(mappings: .all)
        #expect(again.rebuilt == 0 && again.written == 0)
    }

    @Test(
        "a template that renders empty in prod: an edit elsewhere, then the empty one made an asset, equal clean builds"
    )
    func emptyTemplate() async throws {
        let empty = (
            path: "assets/charts/dev_only.yaml.j2",
            text: "{% if ENV == 'dev' %}slice_name: debug\nviz_type: table\ndatasource: fact_sales\n{% endif %}"
        )
        let incremental = try RepositoryFixture()
        try incremental.write(empty.path, empty.text)
        _ = try await incremental.compile(mappings: .all)
        let steps: [(path: String, from: String, to: String)] = [
            Self.edits[0], (empty.path, "{% if ENV == 'dev' %}", "{% if ENV == 'prod' %}"),
        ]
        for step in steps.indices {
            try edited(incremental, [steps[step]])
            let report = try await incremental.compile(mappings: .all)
            let clean = try RepositoryFixture()
            try clean.write(empty.path, empty.text)
            try edited(clean, Array(steps[...step]))
            let cleanReport = try await clean.compile(mappings: .all)
            #expect(report.errorCount == 0 && cleanReport.errorCount == 0, "\(report.diagnostics)")
            #expect(incremental.snapshot() == clean.snapshot())
            #expect(try records(incremental) == records(clean))
        }
        #expect(incremental.exists("bundles/prod/client_a/charts/dev_only.yaml"))
        let store = CacheStore(directory: incremental.root + "/.hybrid-cache")
        let scope = BundleScope(environment: "prod", tenant: "client_a", namespace: UUIDv5.defaultNamespace)
        #expect(BundleRecord.load(store: store, scope: scope)?.empty.isEmpty == true)
    }

    @Test("an output changed by hand is rewritten, also when a template changed in the same compile")
    func handEditedOutputDuringAnEdit() async throws {
        let fixture = try RepositoryFixture()
        _ = try await fixture.compile(mappings: .all)
        let output = "bundles/prod/client_a/datasets/sales.yaml"
        let original = try fixture.read(output)
        // Same size, written in place: only the stamp's time and the content differ.
        let handle = try #require(FileHandle(forWritingAtPath: fixture.root + "/" + output))
        try handle.write(contentsOf: Data("X".utf8))
        try handle.close()
        try edited(fixture, [Self.edits[0]])
        let report = try await fixture.compile(mappings: .all)
        #expect(report.errorCount == 0)
        #expect(try fixture.read(output) == original)
        #expect(report.explanations.contains { $0.contains("client_a/datasets/sales.yaml: output file was changed") })
    }

    @Test("a status file replaced by hand is not taken for the one the record was saved with")
    func replacedStatus() async throws {
        let fixture = try RepositoryFixture()
        _ = try await fixture.compile(mappings: .all)
        let statusPath = "bundles/.hybrid-status/prod/client_a.json"
        try fixture.write(
            statusPath, try fixture.read(statusPath).replacingOccurrences(of: "\"complete\"", with: "\"failed\""))
        _ = try await fixture.compile(mappings: .all)
        #expect(BundleStatus.load(at: fixture.root + "/" + statusPath)?.state == .complete)

        try edited(fixture, [Self.edits[0]])
        try fixture.write(
            statusPath, try fixture.read(statusPath).replacingOccurrences(of: "\"complete\"", with: "\"building\""))
        let report = try await fixture.compile(mappings: .all)
        #expect(report.errorCount == 0)
        #expect(BundleStatus.load(at: fixture.root + "/" + statusPath)?.state == .complete)
    }

    @Test("a deleted output is written again on a no-op and during an edit")
    func deletedOutput() async throws {
        let fixture = try RepositoryFixture()
        _ = try await fixture.compile(mappings: .all)
        let clean = fixture.snapshot()
        try fixture.remove("bundles/prod/client_b/charts/revenue.yaml")
        _ = try await fixture.compile(mappings: .all)
        #expect(fixture.snapshot() == clean)
        try fixture.remove("bundles/prod/client_b/datasets/sales.yaml")
        try edited(fixture, [Self.edits[0]])
        _ = try await fixture.compile(mappings: .all)
        let reference = try RepositoryFixture()
        try edited(reference, [Self.edits[0]])
        _ = try await reference.compile(mappings: .all)
        #expect(fixture.snapshot() == reference.snapshot())
    }
}
