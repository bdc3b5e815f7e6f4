import Foundation
import HybridTestSupport
import Testing

@testable import HybridCompiler

@Suite("Shards")
struct ShardTests {
    @Test(
        "I/N parses with 1 ≤ I ≤ N; anything else is refused",
        arguments: ["0/4", "5/4", "1/0", "a/4", "1/", "/4", "1/4/2", "-1/4", ""])
    func refused(text: String) {
        #expect(Shard(text) == nil)
    }

    @Test("valid shards parse and print back")
    func parses() {
        #expect(Shard("1/1") == Shard(index: 1, count: 1))
        #expect(Shard("3/4")?.description == "3/4")
    }

    @Test("every tenant is in exactly one shard, the shards differ in size by at most one, whatever the order")
    func partition() {
        let tenants = (0..<103).map { String(format: "client_%03d", $0) }
        for count in [1, 2, 3, 4, 7, 103, 200] {
            let shards = (1...count).map { Shard(index: $0, count: count).select(tenants) }
            var seen: [String: Int] = [:]
            for (index, shard) in shards.enumerated() {
                for tenant in shard { seen[tenant, default: 0] += 1 }
                #expect(shard == Shard(index: index + 1, count: count).select(tenants.reversed()))
            }
            #expect(seen.count == tenants.count && seen.values.allSatisfy { $0 == 1 }, "N = \(count)")
            let sizes = shards.map(\.count)
            #expect(sizes.max()! - sizes.min()! <= 1, "N = \(count): \(sizes)")
        }
        #expect(Shard(index: 1, count: 4).includesBase)
        #expect(!Shard(index: 2, count: 4).includesBase)
    }

    @Test("4 shards compiled one after another in one repository together give the full build's bundles")
    func shardsEqualFullBuild() async throws {
        let files = GeneratedRepository.files(seed: 5, datasets: 2, chartsPerDataset: 2, clients: 9)
        let sharded = try RepositoryFixture(files: files)
        var built: [String] = []
        for index in 1...4 {
            let compiler = Compiler(workspace: try Workspace.load(root: sharded.root))
            let report = await compiler.compile(
                CompileOptions(environment: "dev", mappings: .all, shard: Shard(index: index, count: 4)))
            #expect(report.errorCount == 0)
            built += report.bundles.map(\.name)
        }
        #expect(built.sorted() == (0..<9).map { String(format: "dev/client_%03d", $0) })
        let full = try RepositoryFixture(files: files)
        let report = await Compiler(workspace: try Workspace.load(root: full.root)).compile(
            CompileOptions(environment: "dev", mappings: .all))
        #expect(report.errorCount == 0)
        #expect(sharded.snapshot() == full.snapshot())
        // Without a mapping, the plain bundle is shard 1's alone.
        for index in 1...2 {
            let plain = await Compiler(workspace: try Workspace.load(root: sharded.root)).compile(
                CompileOptions(environment: "dev", shard: Shard(index: index, count: 2)))
            #expect(plain.bundles.map(\.name) == (index == 1 ? ["dev"] : []))
        }
    }
}
