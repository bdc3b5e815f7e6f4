import Foundation
import HybridTestSupport
import Testing

/// `hybrid translate` as a user runs it: exit statuses, --dry-run, --format json, messages.
@Suite("hybrid translate (the executable)")
struct TranslateCommandTests {
    /// The fixture compiled for dev, its bundle copied to ui_exports/dev and edited by `edit`.
    private func repository(edit: (String) throws -> Void) throws -> RepositoryFixture {
        let fixture = try RepositoryFixture()
        let compile = try HybridProcess.run(["compile", "--env", "dev"], in: fixture.root)
        #expect(compile.status == 0, "\(compile.stderr)")
        try FileManager.default.createDirectory(atPath: fixture.root + "/ui_exports", withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: fixture.root + "/bundles/dev", toPath: fixture.root + "/ui_exports/dev")
        try? FileManager.default.removeItem(atPath: fixture.root + "/ui_exports/dev/.hybrid-status")
        try edit(fixture.root + "/ui_exports/dev")
        return fixture
    }

    private func replace(_ path: String, _ old: String, _ new: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test("--dry-run prints the unified diff and writes nothing; without it the template changes")
    func dryRun() throws {
        let fixture = try repository { dir in
            try replace(dir + "/charts/revenue.yaml", "slice_name: Revenue (dev)", "slice_name: Net revenue (dev)")
        }
        let before = fixture.snapshot("assets")
        let dry = try HybridProcess.run(["translate", "--env", "dev", "--dry-run"], in: fixture.root)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("--- a/assets/charts/revenue.yaml.j2\n+++ b/assets/charts/revenue.yaml.j2\n"))
        #expect(dry.stdout.contains("-slice_name: \"Revenue ({{ ENV }})\"\n+slice_name: \"Net revenue ({{ ENV }})\"\n"))
        #expect(dry.stdout.hasSuffix("translate dev ← ui_exports/dev: would change 2, created 0, unchanged 3\n"))
        #expect(fixture.snapshot("assets") == before)
        let real = try HybridProcess.run(["translate", "--env", "dev"], in: fixture.root)
        #expect(real.status == 0)
        #expect(try fixture.read("assets/charts/revenue.yaml.j2").contains("slice_name: \"Net revenue ({{ ENV }})\""))
    }

    @Test("a change that cannot be placed: the report line, the .ui file, exit 3, and JSON for scripts")
    func unplaced() throws {
        let fixture = try repository { dir in
            try replace(dir + "/charts/revenue.yaml", "description: Managed in Git (DEV)", "description: Finance")
        }
        let result = try HybridProcess.run(["translate", "--env", "dev"], in: fixture.root)
        #expect(result.status == 3)
        #expect(
            result.stderr.hasPrefix(
                "assets/_partials/chart_defaults.j2:2: cannot place change of description (produced by {{ ENV | upper"),
            "\(result.stderr)")
        #expect(fixture.exists("assets/charts/revenue.yaml.j2.ui"))
        let json = try HybridProcess.run(
            ["translate", "--env", "dev", "--dry-run", "--format", "json"], in: fixture.root)
        #expect(json.status == 3)
        struct Report: Decodable {
            struct Unplaced: Decodable {
                var template: String
                var line: Int
                var keyPath: String

                enum CodingKeys: String, CodingKey {
                    case template, line
                    case keyPath = "key_path"
                }
            }
            var unplaced: [Unplaced]
            var uiFiles: [String]
            var changed: [String]

            enum CodingKeys: String, CodingKey {
                case unplaced, changed
                case uiFiles = "ui_files"
            }
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(json.stdout.utf8))
        #expect(report.unplaced.first?.keyPath == "description")
        #expect(report.unplaced.first?.line == 2)
        #expect(report.uiFiles == ["assets/charts/revenue.yaml.j2.ui"])
        #expect(report.changed.isEmpty)
    }

    @Test("bad input: no export, an unknown environment — exit 1 with a clear message, nothing written")
    func badInput() throws {
        let fixture = try RepositoryFixture()
        let missing = try HybridProcess.run(["translate", "--env", "dev"], in: fixture.root)
        #expect(missing.status == 1)
        #expect(
            missing.stderr.contains(
                "error: no export at ui_exports/dev (write one with: hybrid export --env ENV --out ui_exports/dev)"))
        let unknown = try HybridProcess.run(["translate", "--env", "nope"], in: fixture.root)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no environment 'nope'"))
        #expect(!fixture.exists("ui_exports"))
    }
}
