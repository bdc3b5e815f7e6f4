import Foundation
import Testing

@Suite("hybrid normalize (the executable)")
struct NormalizeCommandTests {
    let directory = NSTemporaryDirectory() + "hybrid-cli-" + UUID().uuidString

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(
        "bad input gives one file:line:col error line and exit 1",
        arguments: [
            ("malformed.yaml", "a: [1, 2\nb: 3\n", ":2:2: error: did not find expected ',' or ']'"),
            ("duplicate.yaml", "a: 1\nb: 2\na: 3\n", ":3:1: error: duplicate key 'a'"),
            ("bomb.yaml", bomb(), ":8:36: error: aliases expand to more than 1000000 nodes"),
            (
                "two-documents.yaml", "a: 1\n---\nb: 2\n",
                ":2:1: error: expected a single document in the stream, but found another document"
            ),
        ])
    func badInput(name: String, text: String, expected: String) throws {
        let path = try write(name, text)
        let result = try HybridProcess.run(["normalize", "--check", path], in: directory)
        #expect(result.status == 1)
        let errorLines = result.stderr.split(separator: "\n").filter { $0.contains("error:") }
        #expect(errorLines.count == 1)
        #expect(errorLines.first?.hasPrefix(path + expected) == true, "\(result.stderr)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text, "input left untouched")
    }

    @Test("--check lists non-canonical files and exits 1; rewriting fixes them; --check then passes")
    func checkThenFix() throws {
        let path = try write("x.yaml", "b: 1\na: 2\n")
        let check = try HybridProcess.run(["normalize", "--check", path], in: directory)
        #expect(check.status == 1)
        #expect(check.stdout == "\(path): not canonical\n")
        let fix = try HybridProcess.run(["normalize", path], in: directory)
        #expect(fix.status == 0)
        #expect(fix.stdout == "normalized \(path)\n")
        #expect(try HybridProcess.run(["normalize", "--check", path], in: directory).status == 0)
    }

    @Test("--stdout prints the canonical form exactly and changes nothing")
    func stdout() throws {
        let path = try write("s.yaml", "b: 'yes'\na: 1\n")
        let result = try HybridProcess.run(["normalize", "--stdout", path], in: directory)
        #expect(result.status == 0)
        #expect(result.stdout == "a: 1\nb: 'yes'\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "b: 'yes'\na: 1\n")
    }

    @Test("--format json reports each file's status for scripts")
    func json() throws {
        let path = try write("j.yaml", "b: 1\na: 2\n")
        let result = try HybridProcess.run(["normalize", "--check", "--format", "json", path], in: directory)
        #expect(result.status == 1)
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        let files = report["files"] as! [[String: Any]]
        #expect(files.first?["status"] as? String == "not-canonical")
        #expect((report["summary"] as! [String: Int])["notCanonical"] == 1)
    }

    @Test("the example repository at hybrid's root passes normalize --check")
    func exampleRepository() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let result = try HybridProcess.run(["normalize", "--check"], in: root)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    @Test("a file that is a symlink to a file outside the repository is refused, and the outside file is untouched")
    func symlinkOutside() throws {
        let outside = NSTemporaryDirectory() + "hybrid-outside-" + UUID().uuidString + ".yaml"
        try Data("b: 1\na: 2\n".utf8).write(to: URL(fileURLWithPath: outside))
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try FileManager.default.createSymbolicLink(atPath: directory + "/link.yaml", withDestinationPath: outside)
        let result = try HybridProcess.run(["normalize", "link.yaml"], in: directory)
        #expect(result.status == 1)
        #expect(result.stderr.contains("link.yaml:1:1: error: resolves to "), "\(result.stderr)")
        #expect(result.stderr.contains("outside the repository"))
        #expect(try String(contentsOfFile: outside, encoding: .utf8) == "b: 1\na: 2\n")
        // A link that stays inside is written through, and stays a link.
        _ = try write("target.yaml", "b: 1\na: 2\n")
        try FileManager.default.createSymbolicLink(
            atPath: directory + "/inside.yaml", withDestinationPath: "target.yaml")
        #expect(try HybridProcess.run(["normalize", "inside.yaml"], in: directory).status == 0)
        #expect(try String(contentsOfFile: directory + "/target.yaml", encoding: .utf8) == "a: 2\nb: 1\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory + "/inside.yaml") == "target.yaml")
    }
}

/// Nine levels of ten aliases each: a billion nodes if expanded (the corpus's 112-alias-bomb.yaml).
func bomb() -> String {
    var text = "# hybrid: error alias-limit at 8:36\na: &a lol\n"
    let names = Array("abcdefghij")
    for level in 1..<names.count {
        let alias = "*\(names[level - 1])"
        text +=
            "\(names[level]): &\(names[level]) [" + Array(repeating: alias, count: 10).joined(separator: ", ") + "]\n"
    }
    return text
}
