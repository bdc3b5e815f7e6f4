import Foundation
import HybridCache
import HybridCompiler
import HybridTestSupport
import HybridYAML
import SupersetModel
import Testing

@testable import HybridRuntime

@Suite("Applied state, dependencies, audit log")
struct RuntimeRecordsTests {
    @Test("the dependency closure of a dashboard holds its charts, their datasets and databases")
    func closure() throws {
        func document(_ path: String, _ text: String) throws -> BundleDocument {
            BundleDocument(
                path: path, node: try #require(try YAMLParser.parseDocument(text, file: path)),
                kind: BundleDocument.kind(forPath: path))
        }
        let dependencies = AssetDependencies([
            try document("databases/d.yaml", "uuid: D\n"),
            try document("datasets/t.yaml", "uuid: T\ndatabase_uuid: D\n"),
            try document("datasets/u.yaml", "uuid: U\ndatabase_uuid: D\n"),
            try document("charts/c.yaml", "uuid: C\ndataset_uuid: T\n"),
            try document(
                "dashboards/x.yaml",
                "uuid: X\nposition: {CHART-1: {type: CHART, meta: {uuid: C}}}\n"
                    + "metadata: {native_filter_configuration: [{targets: [{datasetUuid: U}]}]}\n"),
        ])
        #expect(dependencies.closure(of: ["x"]) == ["x", "c", "t", "u", "d"])
        #expect(dependencies.closure(of: ["c"]) == ["c", "t", "d"])
        #expect(dependencies.closure(of: ["d"]) == ["d"])
    }

    @Test("applied state round-trips, keyed by environment, tenant and target without credentials")
    func appliedState() throws {
        let directory = TemporaryDirectory()
        let store = CacheStore(directory: directory.path)
        let path = AppliedState.path(
            store: store, environment: "prod", tenant: "a", target: "http://admin:pw@Host:8088/")
        #expect(path == AppliedState.path(store: store, environment: "prod", tenant: "a", target: "http://host:8088"))
        #expect(path != AppliedState.path(store: store, environment: "prod", tenant: nil, target: "http://host:8088"))
        let state = AppliedState(assets: [
            "u1": .init(kind: .chart, path: "charts/a.yaml", hash: ContentHash(of: "a")),
            "u2": .init(kind: .dataset, path: "datasets/b.yaml", hash: ContentHash(of: "b")),
        ])
        try state.save(at: path, store: store)
        #expect(AppliedState.load(at: path, store: store) == state)
    }
}
