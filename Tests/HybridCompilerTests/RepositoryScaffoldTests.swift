import Foundation
import HybridCompiler
import HybridTestSupport
import SupersetModel
import Testing

@Suite("RepositoryScaffold")
struct RepositoryScaffoldTests {
    @Test("the scaffold is byte-identical to the example repository at hybrid's root")
    func matchesRepositoryRoot() throws {
        for file in ExampleRepository.files where file.path != ".gitignore" {
            let onDisk = try String(contentsOfFile: repositoryRoot + "/" + file.path, encoding: .utf8)
            #expect(onDisk == file.contents, "\(file.path) differs from the scaffold")
        }
    }

    @Test("init writes the seed's layout: config, four asset types, three environments, one mapping")
    func layout() throws {
        let directory = TemporaryDirectory()
        let outcomes = try RepositoryScaffold(force: false).create(in: directory.path + "/repo")
        #expect(outcomes.allSatisfy { $0.action == .created })
        let paths = Set(outcomes.map(\.path))
        for expected in [
            "hybrid.yaml", "assets/databases/analytics_db.yaml.j2", "assets/datasets/fact_sales.yaml.j2",
            "assets/charts/revenue_over_time.yaml.j2", "assets/dashboards/overview.yaml.j2", "env/dev.yaml",
            "env/staging.yaml", "env/prod.yaml", "mappings/client_a.yaml", ".gitignore", "scripts/export_to_pr.sh",
            ".github/workflows/hybrid.yml", ".github/workflows/ui-export-pr.yml",
        ] {
            #expect(paths.contains(expected), "\(expected)")
            #expect(FileManager.default.fileExists(atPath: directory.path + "/repo/" + expected))
        }
        #expect(FileManager.default.isExecutableFile(atPath: directory.path + "/repo/scripts/export_to_pr.sh"))
        #expect(!FileManager.default.isExecutableFile(atPath: directory.path + "/repo/hybrid.yaml"))
    }

    @Test("an existing file is kept without --force and replaced with it")
    func neverOverwritesWithoutForce() throws {
        let directory = TemporaryDirectory()
        try directory.write("env/dev.yaml", "MINE: 1\n")
        let first = try RepositoryScaffold(force: false).create(in: directory.path)
        #expect(first.first { $0.path == "env/dev.yaml" }?.action == .kept)
        #expect(try directory.read("env/dev.yaml") == "MINE: 1\n")

        let second = try RepositoryScaffold(force: true).create(in: directory.path)
        #expect(second.first { $0.path == "env/dev.yaml" }?.action == .overwritten)
        #expect(second.first { $0.path == "env/prod.yaml" }?.action == .unchanged)
        #expect(try directory.read("env/dev.yaml").contains("ENV: dev"))
    }

    @Test("the example's env and mapping files are already canonical")
    func exampleIsCanonical() throws {
        for file in ExampleRepository.files where file.path.hasPrefix("env/") || file.path.hasPrefix("mappings/") {
            let bytes = Array(file.contents.utf8)
            #expect(try Normalizer.canonicalForm(of: bytes, file: file.path) == bytes, "\(file.path)")
        }
    }
}
