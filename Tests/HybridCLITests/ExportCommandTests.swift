import Foundation
import Testing

@Suite("hybrid export (the executable, no server)")
struct ExportCommandTests {
    @Test("--out naming a file is an error before anything is compiled or downloaded")
    func outIsAFile() throws {
        let directory = NSTemporaryDirectory() + "hybrid-export-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try HybridProcess.run(["init", directory]).status == 0)
        try Data("not a directory\n".utf8).write(to: URL(fileURLWithPath: directory + "/notes.txt"))
        // A closed port: reaching the network would be a different error.
        let result = try HybridProcess.run(
            ["export", "--env", "dev", "--out", "notes.txt", "--url", "http://127.0.0.1:1"], in: directory,
            environment: ["HYBRID_SUPERSET_USERNAME": "u", "HYBRID_SUPERSET_PASSWORD": "p"])
        #expect(result.status == 1)
        #expect(result.stderr == "error: --out notes.txt is a file, not a directory\n")
        #expect(!FileManager.default.fileExists(atPath: directory + "/bundles"))
    }
}
