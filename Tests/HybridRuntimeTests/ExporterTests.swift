import Foundation
import HybridCompiler
import HybridTestSupport
import SupersetModel
import Testing

@testable import HybridRuntime

@Suite("Exporter.export against a fake Superset")
struct ExporterTests {
    static let unmanagedUUID = "11111111-2222-4333-8444-555555555555"

    /// Every file under `directory`, by relative path, as text.
    private static func files(_ directory: String) -> [String: String] {
        var files: [String: String] = [:]
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [:] }
        for case let relative as String in walker {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory + "/" + relative, isDirectory: &isDirectory),
                !isDirectory.boolValue
            else { continue }
            files[relative] = try? String(contentsOfFile: directory + "/" + relative, encoding: .utf8)
        }
        return files
    }

    @Test("each managed asset is written at its bundle path in the normal form, with metadata.yaml")
    func managedAssets() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        _ = try await harness.applier(fake).apply(bundle, options: .init())
        fake.seed(kind: .chart, yaml: Array("slice_name: Other\nuuid: \(Self.unmanagedUUID)\nviz_type: table\n".utf8))
        let output = TemporaryDirectory()
        try output.write("notes.txt", "mine\n")
        let directory = output.path + "/export"
        try output.write("export/notes.txt", "mine\n")

        let outcome = try await Exporter(connection: try harness.connection(fake)).export(
            bundle, into: directory, everything: false)
        #expect(outcome.managed == 5)
        #expect(outcome.unmanaged == 0)
        #expect(outcome.missing.isEmpty)
        var expected = Dictionary(
            uniqueKeysWithValues: bundle.assets.map { ($0.path, String(decoding: $0.bytes, as: UTF8.self)) })
        expected["metadata.yaml"] = String(decoding: BundleMetadata.bytes, as: UTF8.self)
        expected["notes.txt"] = "mine\n"
        #expect(Self.files(directory) == expected)
        #expect(!fake.calls.contains("GET /api/v1/assets/export/"))
    }

    @Test("with everything, unmanaged assets go under _unmanaged/ and assets the server lacks are listed")
    func everything() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        _ = try await harness.applier(fake).apply(bundle, options: .init())
        let other = fake.seed(
            kind: .chart, yaml: Array("slice_name: Other\nuuid: \(Self.unmanagedUUID)\nviz_type: table\n".utf8))
        fake.remove(try bundle.asset("dashboards/overview.yaml").uuid)
        let output = TemporaryDirectory()

        let outcome = try await Exporter(connection: try harness.connection(fake)).export(
            bundle, into: output.path, everything: true)
        #expect(outcome.managed == 4)
        #expect(outcome.unmanaged == 1)
        #expect(outcome.missing == ["dashboards/overview.yaml"])
        let written = Self.files(output.path)
        #expect(
            written.keys.sorted() == [
                "_unmanaged/charts/Other_\(other.id).yaml", "charts/by_tenant.yaml", "charts/revenue.yaml",
                "databases/analytics.yaml", "datasets/sales.yaml", "metadata.yaml",
            ])
        #expect(written["_unmanaged/charts/Other_\(other.id).yaml"]?.contains("slice_name: Other\n") == true)
        #expect(fake.exportCalls == ["GET /api/v1/assets/export/"])
    }
}
