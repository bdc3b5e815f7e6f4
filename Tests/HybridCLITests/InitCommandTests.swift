import Foundation
import Testing

@Suite("hybrid init (the executable)")
struct InitCommandTests {
    @Test("scaffolds a repository that passes normalize --check, and never overwrites without --force")
    func scaffold() throws {
        let directory = NSTemporaryDirectory() + "hybrid-init-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try HybridProcess.run(["init", directory])
        #expect(first.status == 0)
        #expect(first.stdout.contains("created    hybrid.yaml"))
        #expect(first.stdout.contains("created    assets/dashboards/overview.yaml.j2"))
        #expect(try HybridProcess.run(["normalize", "--check"], in: directory).status == 0)

        try Data("ENV: mine\n".utf8).write(to: URL(fileURLWithPath: directory + "/env/dev.yaml"))
        let second = try HybridProcess.run(["init", directory])
        #expect(second.status == 0)
        #expect(second.stdout.contains("kept       env/dev.yaml"))
        #expect(try String(contentsOfFile: directory + "/env/dev.yaml", encoding: .utf8) == "ENV: mine\n")
    }
}
