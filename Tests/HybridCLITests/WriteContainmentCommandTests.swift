import Foundation
import HybridTestSupport
import Testing

/// Where compile and export may write: never into the sources, never out of the repository through
/// a symlink, never over a file hybrid did not write (without `--force`).
@Suite("hybrid writes only where it owns (the executable)")
struct WriteContainmentCommandTests {
    let repository = TemporaryDirectory()
    let outsideDirectory = TemporaryDirectory()
    var root: String { repository.path }
    var outside: String { outsideDirectory.path }

    init() throws {
        for (path, text) in smallRepositoryFiles {
            try repository.write(path, text)
        }
    }

    func write(_ path: String, _ text: String) throws { try repository.write(path, text) }

    func read(_ path: String) throws -> String { try repository.read(path) }

    func files(under path: String) -> [String] {
        (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? []).sorted()
    }

    @Test(
        "bundles_dir or cache_dir in the sources or in each other is an error at the key's line; nothing is written",
        arguments: [
            ("bundles_dir: env", "hybrid.yaml:3:14: error: bundles_dir 'env' overlaps env/ (environment variables)"),
            ("bundles_dir: mappings", "hybrid.yaml:3:14: error: bundles_dir 'mappings' overlaps mappings/"),
            ("bundles_dir: .git", "hybrid.yaml:3:14: error: bundles_dir '.git' overlaps .git/ (the Git repository)"),
            (
                "bundles_dir: assets/charts",
                "hybrid.yaml:3:14: error: bundles_dir 'assets/charts' overlaps assets_dir 'assets' (the templates)"
            ),
            ("cache_dir: env/cache", "hybrid.yaml:3:12: error: cache_dir 'env/cache' overlaps env/"),
            (
                "cache_dir: bundles/.cache",
                "hybrid.yaml:3:12: error: bundles_dir 'bundles' and cache_dir 'bundles/.cache' overlap"
            ),
            (
                "bundles_dir: .hybrid-cache/out",
                "hybrid.yaml:3:14: error: bundles_dir '.hybrid-cache/out' and cache_dir '.hybrid-cache' overlap"
            ),
        ])
    func configuredIntoSources(line: String, expected: String) throws {
        try write("hybrid.yaml", "mode: superset\ndefault_env: dev\n\(line)\n")
        let before = files(under: root)
        let result = try HybridProcess.run(["compile", "--all-mappings"], in: root)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix(expected), "\(result.stderr)")
        #expect(files(under: root) == before, "nothing written")
    }

    @Test("a bundles/ symlinked out of the repository or into env/ is refused at load; nothing written there")
    func symlinkedBundles() throws {
        try FileManager.default.createSymbolicLink(atPath: root + "/bundles", withDestinationPath: outside)
        let out = try HybridProcess.run(["compile"], in: root)
        #expect(out.status == 1)
        #expect(
            out.stderr.hasPrefix(
                "hybrid.yaml:1:1: error: bundles_dir 'bundles' resolves to \(outside), not a folder inside the repository"
            ),
            "\(out.stderr)")
        #expect(files(under: outside).isEmpty)

        try FileManager.default.removeItem(atPath: root + "/bundles")
        try FileManager.default.createSymbolicLink(atPath: root + "/bundles", withDestinationPath: "env")
        let intoEnv = try HybridProcess.run(["compile"], in: root)
        #expect(intoEnv.status == 1)
        #expect(intoEnv.stderr.contains("bundles_dir 'bundles' (resolving to "), "\(intoEnv.stderr)")
        #expect(intoEnv.stderr.contains("/env) overlaps env/"), "\(intoEnv.stderr)")
        #expect(files(under: root + "/env") == ["dev.yaml"])
    }

    @Test("a bundle folder symlinked out of bundles/ is refused and nothing is written through it")
    func symlinkedBundleFolder() throws {
        try FileManager.default.createDirectory(atPath: root + "/bundles", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/bundles/dev", withDestinationPath: outside)
        let result = try HybridProcess.run(["compile"], in: root)
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: cannot write bundle dev: bundles/dev: resolves to "), "\(result.stderr)")
        #expect(files(under: outside).isEmpty)
    }

    @Test("a person's file at an output path stops the bundle, named, untouched; --force replaces it")
    func ownership() throws {
        try write("bundles/dev/charts/c.yaml", "my notes\n")
        let refused = try HybridProcess.run(["compile"], in: root)
        #expect(refused.status == 1)
        #expect(
            refused.stderr.hasPrefix(
                "bundles/dev/charts/c.yaml:1:1: error: hybrid did not write this file (it is not in bundles/.hybrid-status/dev.json) and would replace it with the output of assets/charts/c.yaml.j2; move it away, or compile with --force to replace it"
            ), "\(refused.stderr)")
        #expect(try read("bundles/dev/charts/c.yaml") == "my notes\n")
        #expect(!FileManager.default.fileExists(atPath: root + "/bundles/dev/databases"), "nothing half-written")

        let forced = try HybridProcess.run(["compile", "--force"], in: root)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try read("bundles/dev/charts/c.yaml").contains("slice_name: C\n"))
        // Now hybrid owns it: a hand edit is simply rewritten, no --force needed.
        try write("bundles/dev/charts/c.yaml", "edited\n")
        let again = try HybridProcess.run(["compile"], in: root)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try read("bundles/dev/charts/c.yaml") != "edited\n")
    }

    @Test("a person's metadata.yaml is refused too; a file already holding the output is adopted")
    func ownershipOfMetadataAndIdenticalFiles() throws {
        try write("bundles/dev/metadata.yaml", "version: 0\n")
        let refused = try HybridProcess.run(["compile"], in: root)
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("bundles/dev/metadata.yaml:1:1: error: hybrid did not write this file"))
        #expect(refused.stderr.contains("with the output of the bundle's metadata"))
        #expect(try read("bundles/dev/metadata.yaml") == "version: 0\n")

        // The same outputs copied into a fresh bundle folder (e.g. restored from an artifact).
        try FileManager.default.removeItem(atPath: root + "/bundles/dev/metadata.yaml")
        #expect(try HybridProcess.run(["compile"], in: root).status == 0)
        try FileManager.default.moveItem(atPath: root + "/bundles", toPath: root + "/copy")
        try FileManager.default.createDirectory(atPath: root + "/bundles", withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: root + "/copy/dev", toPath: root + "/bundles/dev")
        try FileManager.default.removeItem(atPath: root + "/.hybrid-cache")
        let adopted = try HybridProcess.run(["compile"], in: root)
        #expect(adopted.status == 0, "\(adopted.stderr)")
    }

    @Test("export --out outside the repository or into its sources is refused before anything is fetched")
    func exportOutside() throws {
        let away = try HybridProcess.run(
            ["export", "--env", "dev", "--out", outside + "/x", "--url", "http://127.0.0.1:1"], in: root)
        #expect(away.status == 1)
        #expect(away.stderr.hasPrefix("error: --out \(outside)/x is not inside the repository"), "\(away.stderr)")
        let sources = try HybridProcess.run(
            ["export", "--env", "dev", "--out", "env/exported", "--url", "http://127.0.0.1:1"], in: root)
        #expect(sources.status == 1)
        #expect(sources.stderr.contains("--out env/exported ("), "\(sources.stderr)")
        #expect(sources.stderr.contains("overlaps env/ (environment variables)"), "\(sources.stderr)")
        #expect(files(under: outside).isEmpty)
    }
}
