import Foundation
import HybridTestSupport
import PropertyBased
import Testing

@testable import HybridCompiler

/// Watch mode's hot graph: compiles that keep a ``CompileMemory`` between them write exactly what
/// clean compiles write, leave a cache on which a plain compile is a no-op, and start over from
/// disk when another process compiled in between.
@Suite("Compile memory")
struct CompileMemoryTests {
    private static func compile(_ fixture: RepositoryFixture, memory: CompileMemory?, jobs: Int = 2) async throws
        -> CompileReport
    {
        let compiler = Compiler(workspace: try Workspace.load(root: fixture.root))
        return await compiler.compile(
            CompileOptions(environment: "prod", mappings: .all, jobs: jobs), memory: memory)
    }

    private static func errors(_ report: CompileReport) -> Set<String> {
        Set(report.diagnostics.filter { $0.severity == .error }.map(\.description))
    }

    @Test(
        "after each random edit, a compile with memory equals a clean build, and a plain compile after it does nothing")
    func memoryEqualsClean() async throws {
        await propertyCheck(count: 8, input: Gen.uint64()) { seed in
            var random = SplitMix(state: seed)
            var files = RepositoryFixture.files
            let watched = try! RepositoryFixture(files: files)
            let memory = CompileMemory()
            var history: [String] = []
            for step in 0..<10 {
                history.append(IncrementalSoundnessTests.edit(&files, step: step, random: &random))
                let written = IncrementalSoundnessTests.sync(files, into: watched)
                if written.contains("hybrid.yaml") { memory.reset() }  // as hybrid watch does
                let jobs = Bool.random(using: &random) ? 1 : 8
                let built = try! await Self.compile(watched, memory: memory, jobs: jobs)
                let clean = try! RepositoryFixture(files: files)
                let reference = try! await Self.compile(clean, memory: nil, jobs: 9 - jobs)
                let context = "seed \(seed), edits: \(history.joined(separator: "; "))"
                #expect(Self.errors(built) == Self.errors(reference), "\(context)")
                if reference.errorCount == 0 {
                    #expect(watched.snapshot() == clean.snapshot(), "\(context)")
                }
            }
            let plain = try! await Self.compile(watched, memory: nil)
            if plain.errorCount == 0 {
                #expect(plain.rebuilt == 0 && plain.written == 0 && plain.removed == 0, "seed \(seed)")
            }
        }
    }

    @Test("a compile by another process in between makes the memory start over from disk")
    func anotherProcessCompiled() async throws {
        let fixture = try RepositoryFixture()
        let memory = CompileMemory()
        _ = try await Self.compile(fixture, memory: memory)
        let before = fixture.snapshot()
        let chart = "assets/charts/by_tenant.yaml.j2"
        let original = try fixture.read(chart)
        // Another process compiles an edit; the edit is then undone.
        try fixture.write(chart, original + "description: edited elsewhere\n")
        let elsewhere = try await Self.compile(fixture, memory: nil)
        #expect(elsewhere.written > 0)
        try fixture.write(chart, original)
        // The memory's bundles have the inputs digest of now, but the files on disk moved on.
        let again = try await Self.compile(fixture, memory: memory)
        #expect(again.written == elsewhere.written)
        #expect(fixture.snapshot() == before)
    }

    @Test("a rebuild with memory rebuilds exactly the nodes a disk-based incremental compile rebuilds")
    func rebuildTouchesOnlyWhatChanged() async throws {
        let hot = try RepositoryFixture()
        let cold = try RepositoryFixture()
        let memory = CompileMemory()
        #expect(try await Self.compile(hot, memory: memory).errorCount == 0)
        _ = try await Self.compile(cold, memory: nil)
        let idle = try await Self.compile(hot, memory: memory)
        #expect(idle.rebuilt == 0 && idle.written == 0)
        let chart = "assets/charts/by_tenant.yaml.j2"
        for fixture in [hot, cold] {
            try fixture.write(chart, try fixture.read(chart) + "description: one more line\n")
        }
        let fromMemory = try await Self.compile(hot, memory: memory)
        let fromDisk = try await Self.compile(cold, memory: nil)
        #expect(fromMemory.written == fromMemory.bundles.count)
        #expect(fromMemory.rebuilt == fromDisk.rebuilt)
        #expect(fromMemory.written == fromDisk.written)
        #expect(hot.snapshot() == cold.snapshot())
        #expect(memory.isWarm)
    }
}
