import Foundation
import HybridCompiler
import HybridTestSupport
import SupersetModel
import Testing

@Suite("Normalizer")
struct NormalizerTests {
    @Test("rewrites a file into the canonical form, atomically, and a second run changes nothing")
    func rewrites() throws {
        let directory = TemporaryDirectory()
        try directory.write("env/dev.yaml", "b: yes\na: {y: 1, x: [1e3, '0755']}\n")
        let path = directory.path + "/env/dev.yaml"
        let first = Normalizer(mode: .write).run(path: path)
        #expect(first.status == .normalized)
        #expect(try directory.read("env/dev.yaml") == "a:\n  x:\n    - 1e3\n    - '0755'\n  y: 1\nb: true\n")
        let stamp = try directory.modificationDate("env/dev.yaml")
        Thread.sleep(forTimeInterval: 0.02)
        #expect(Normalizer(mode: .write).run(path: path).status == .canonical)
        #expect(try directory.modificationDate("env/dev.yaml") == stamp, "an unchanged file must not be rewritten")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/env")
        #expect(leftovers == ["dev.yaml"], "no temporary files left behind")
    }

    @Test("check mode changes nothing and reports files that are not canonical")
    func checkChangesNothing() throws {
        let directory = TemporaryDirectory()
        try directory.write("a.yaml", "b: 1\na: 2\n")
        let result = Normalizer(mode: .check).run(path: directory.path + "/a.yaml")
        #expect(result.status == .notCanonical)
        #expect(try directory.read("a.yaml") == "b: 1\na: 2\n")
    }

    @Test("a file that does not parse is reported with file:line:col and left untouched")
    func parseErrorLeavesFileAlone() throws {
        let directory = TemporaryDirectory()
        let text = "a: 1\nb: [1, 2\nc: 3\n"
        try directory.write("bad.yaml", text)
        let path = directory.path + "/bad.yaml"
        let result = Normalizer(mode: .write).run(path: path)
        #expect(result.status == .failed)
        #expect(result.diagnostics.first?.description.hasPrefix("\(path):3:2: error:") == true)
        #expect(try directory.read("bad.yaml") == text)
    }

    @Test("comments are never dropped silently: refused without --drop-comments, allowed with it")
    func protectsComments() throws {
        let directory = TemporaryDirectory()
        let text = "b: 1\n# why a is 2\na: 2\n"
        try directory.write("c.yaml", text)
        let path = directory.path + "/c.yaml"
        let refused = Normalizer(mode: .write).run(path: path)
        #expect(refused.status == .failed)
        #expect(refused.diagnostics.first?.location?.line == 2)
        #expect(try directory.read("c.yaml") == text)
        #expect(Normalizer(mode: .write, dropComments: true).run(path: path).status == .normalized)
        #expect(try directory.read("c.yaml") == "a: 2\nb: 1\n")
    }

    @Test("a symlinked file is rewritten through the link")
    func symlinks() throws {
        let directory = TemporaryDirectory()
        try directory.write("real.yaml", "b: 1\na: 2\n")
        try FileManager.default.createSymbolicLink(
            atPath: directory.path + "/link.yaml", withDestinationPath: directory.path + "/real.yaml")
        #expect(Normalizer(mode: .write).run(path: directory.path + "/link.yaml").status == .normalized)
        #expect(try directory.read("real.yaml") == "a: 2\nb: 1\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path + "/link.yaml")
        #expect(attributes[.type] as? FileAttributeType == .typeSymbolicLink)
    }

    @Test("a file with a second document is the single-document error in every mode, and is not written")
    func refusesSecondDocument() throws {
        let directory = TemporaryDirectory()
        try directory.write("s.yaml", "b: 1\n---\n[x]\n")
        for mode in [Normalizer.Mode.print, .check, .write] {
            let result = Normalizer(mode: mode).run(path: directory.path + "/s.yaml")
            #expect(result.status == .failed)
            #expect(result.canonical == nil)
            #expect(result.diagnostics.first?.message.hasPrefix("expected a single document") == true)
            #expect(result.diagnostics.first?.location?.line == 2)
        }
        #expect(try directory.read("s.yaml") == "b: 1\n---\n[x]\n")
    }

    @Test("directories expand to their YAML files in code-point order, skipping hidden entries")
    func collectsFiles() throws {
        let directory = TemporaryDirectory()
        for name in ["b.yaml", "a.yml", "c.txt", ".hidden.yaml", "sub/z.yaml", ".git/x.yaml"] {
            try directory.write(name, "a: 1\n")
        }
        let (files, problems) = YAMLFileCollector.collect([directory.path, directory.path + "/missing"])
        #expect(files.map { String($0.dropFirst(directory.path.count + 1)) } == ["a.yml", "b.yaml", "sub/z.yaml"])
        #expect(problems.count == 1)
    }
}
