import Foundation
import HybridCache
import HybridTestSupport
import Testing

@testable import HybridCompiler

/// `hybrid cache gc`: what goes first, what stays, the limits, the lock, and compiles after it.
@Suite("Cache collector")
struct CacheCollectorTests {
    static func compile(_ fixture: RepositoryFixture) async throws -> CompileReport {
        await Compiler(workspace: try Workspace.load(root: fixture.root)).compile(
            CompileOptions(environment: "prod", mappings: .all))
    }

    static func collector(_ fixture: RepositoryFixture) throws -> CacheCollector {
        CacheCollector(workspace: try Workspace.load(root: fixture.root))
    }

    /// A repository compiled, edited three times and compiled after each (leaving stale renders).
    static func repositoryWithHistory() async throws -> RepositoryFixture {
        let fixture = try RepositoryFixture()
        #expect(try await compile(fixture).errorCount == 0)
        let chart = "assets/charts/by_tenant.yaml.j2"
        for step in 0..<3 {
            try fixture.write(chart, try fixture.read(chart) + "# edit \(step)\n")
            #expect(try await compile(fixture).errorCount == 0)
        }
        return fixture
    }

    static func cleanBuild(_ fixture: RepositoryFixture) async throws -> [String: Data] {
        var files: [String: String] = [:]
        for folder in ["assets", "env", "mappings"] {
            for (path, data) in fixture.snapshot(folder) {
                files[folder + "/" + path] = String(decoding: data, as: UTF8.self)
            }
        }
        files["hybrid.yaml"] = try fixture.read("hybrid.yaml")
        let clean = try RepositoryFixture(files: files)
        _ = try await compile(clean)
        return clean.snapshot()
    }

    @Test("without limits only unreferenced entries go: the next compile is still a no-op")
    func unreferencedOnly() async throws {
        let fixture = try await Self.repositoryWithHistory()
        let report = try Self.collector(fixture).collect(.init(), waiting: { _ in })
        #expect(report.removedFiles >= 3, "the three superseded renders of the chart")
        #expect(report.removedReferenced == 0)
        #expect(report.filesAfter == report.referencedFiles)
        let after = try await Self.compile(fixture)
        #expect(after.rebuilt == 0 && after.written == 0)
        #expect(fixture.snapshot() == (try await Self.cleanBuild(fixture)))
        let again = try Self.collector(fixture).collect(.init(), waiting: { _ in })
        #expect(again.removedFiles == 0)
    }

    @Test("--max-size: unreferenced entries first, oldest first, then referenced ones; a compile after is correct")
    func maxSize() async throws {
        let fixture = try await Self.repositoryWithHistory()
        let dry = try Self.collector(fixture).collect(.init(maxSize: 0, dryRun: true), waiting: { _ in })
        #expect(dry.removedFiles == dry.filesBefore && dry.dryRun)
        let unreferencedGone = try Self.collector(fixture).collect(.init(), waiting: { _ in })
        #expect(unreferencedGone.filesAfter == dry.referencedFiles)
        let referenced = try Self.collector(fixture).collect(.init(dryRun: true), waiting: { _ in })
        // A limit just under what the referenced entries need: some referenced entries go, the oldest first.
        let report = try Self.collector(fixture).collect(
            .init(maxSize: referenced.referencedBytes - 1), waiting: { _ in })
        #expect(report.removedReferenced >= 1)
        #expect(report.bytesAfter <= referenced.referencedBytes - 1)
        let everything = try Self.collector(fixture).collect(.init(maxSize: 0), waiting: { _ in })
        #expect(everything.filesAfter == 0)
        let after = try await Self.compile(fixture)
        #expect(after.errorCount == 0 && after.rebuilt > 0)
        #expect(fixture.snapshot() == (try await Self.cleanBuild(fixture)))
    }

    @Test("--max-age removes unreferenced entries older than the limit and keeps newer ones")
    func maxAge() async throws {
        let fixture = try await Self.repositoryWithHistory()
        let workspace = try Workspace.load(root: fixture.root)
        let collector = CacheCollector(workspace: workspace)
        let unreferenced = try collector.collect(.init(dryRun: true), waiting: { _ in })
        #expect(unreferenced.removedFiles >= 3)
        // Age every entry by ten days; then write one more edit's render (new, unreferenced after the undo).
        let old = timeval(tv_sec: time(nil) - 10 * 86_400, tv_usec: 0)
        for entry in CacheCollector.entries(of: CacheStore(directory: workspace.cachePath)) {
            _ = utimes(entry.path, [old, old])
        }
        let chart = "assets/charts/by_tenant.yaml.j2"
        let original = try fixture.read(chart)
        try fixture.write(chart, original + "# fresh\n")
        _ = try await Self.compile(fixture)
        try fixture.write(chart, original + "# edit 2\n")  // the last compiled state before the fresh edit
        _ = try await Self.compile(fixture)
        let report = try collector.collect(.init(maxAgeDays: 5), waiting: { _ in })
        #expect(report.removedFiles >= unreferenced.removedFiles, "every old unreferenced render")
        #expect(report.removedReferenced == 0)
        // What is left: referenced entries (old or not) and the fresh edit's unreferenced renders.
        let referenced = collector.references(store: CacheStore(directory: workspace.cachePath))
        let cutoff = time(nil) - 5 * 86_400
        let left = CacheCollector.entries(of: CacheStore(directory: workspace.cachePath))
        #expect(left.allSatisfy { referenced.contains($0.path) || $0.modified >= cutoff })
        #expect(left.contains { !referenced.contains($0.path) }, "the fresh render stays")
        #expect(left.contains { referenced.contains($0.path) && $0.modified < cutoff }, "old but referenced stays")
        let after = try await Self.compile(fixture)
        #expect(after.rebuilt == 0 && after.written == 0)
    }

    @Test("gc waits for a compile holding the lock")
    func waitsForTheLock() async throws {
        let fixture = try await Self.repositoryWithHistory()
        let workspace = try Workspace.load(root: fixture.root)
        var lock: BuildLock? = try BuildLock(directory: workspace.cachePath + "/v1", waiting: { _ in })
        let finished = Locked(false)
        let told = Locked("")
        let collector = CacheCollector(workspace: workspace)
        let thread = Thread {
            _ = try? collector.collect(.init(), waiting: { message in told.withValue { $0 = message } })
            finished.withValue { $0 = true }
        }
        thread.start()
        try await Task.sleep(for: .milliseconds(300))
        #expect(!finished.current)
        #expect(told.current.contains("waiting for another hybrid process"))
        withExtendedLifetime(lock) {}
        lock = nil
        for _ in 0..<100 where !finished.current { try await Task.sleep(for: .milliseconds(20)) }
        #expect(finished.current)
    }

    @Test(
        "sizes parse with binary units",
        arguments: [
            ("1048576", Int64(1_048_576)), ("500M", 500 << 20), ("2G", 2 << 30), ("2GiB", 2 << 30),
            ("100MB", 100 << 20),
            ("64k", 64 << 10), ("0", 0),
        ])
    func sizes(text: String, bytes: Int64) {
        #expect(CacheCollector.parseSize(text) == bytes)
    }

    @Test("a bad size is refused", arguments: ["", "M", "1.5G", "-1", "12 apples", "99999999999999999999"])
    func badSizes(text: String) {
        #expect(CacheCollector.parseSize(text) == nil)
    }
}
