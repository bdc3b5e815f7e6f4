import Foundation
import HybridTestSupport
import Testing

/// `scripts/export_to_pr.sh` in a Git repository of its own, with a stand-in for `hybrid` (HYBRID)
/// whose export and translate do what each test needs; the real commands are covered elsewhere.
@Suite("scripts/export_to_pr.sh", .serialized)
struct ExportToPRScriptTests {
    let directory = TemporaryDirectory()
    var root: String { directory.path }

    /// A stand-in `hybrid`: export copies $STUB_EXPORT, translate runs $STUB_EDIT, prints $STUB_REPORT
    /// and exits $STUB_STATUS.
    static let stub = """
        #!/usr/bin/env bash
        set -euo pipefail
        case "$1" in
        export)
            out=""
            while [ $# -gt 0 ]; do [ "$1" = --out ] && out="$2"; shift; done
            mkdir -p "$out" && cp -R "$STUB_EXPORT"/. "$out"/
            ;;
        normalize) ;;
        translate)
            if [ -n "${STUB_EDIT:-}" ]; then eval "$STUB_EDIT"; fi
            cat "$STUB_REPORT"
            exit "${STUB_STATUS:-0}"
            ;;
        *) echo "stub: unexpected $*" >&2; exit 9 ;;
        esac

        """

    init() throws {
        try directory.write("assets/charts/x.yaml.j2", "slice_name: X\n")
        try directory.write("ui_exports/dev/charts/x.yaml", "slice_name: X\n")
        try directory.write("ui_exports/dev/metadata.yaml", "type: assets\nversion: 1.0.0\n")
        try directory.write(".stub/export/charts/x.yaml", "slice_name: X\n")
        try directory.write(".stub/export/metadata.yaml", "type: assets\nversion: 1.0.0\n")
        try directory.write(".stub/hybrid", Self.stub)
        try directory.write(".gitignore", ".stub/\n")
        chmod(root + "/.stub/hybrid", 0o755)
        try directory.write(
            ".stub/report.json",
            #"{"changed": [], "created": [], "deleted_in_ui": [], "unplaced": [], "ui_files": [], "unchanged": 1}"#)
        _ = try git(["init", "-q", "-b", "main"])
        _ = try git(["add", "-A"])
        _ = try git(["commit", "-q", "-m", "initial"])
    }

    private func git(_ arguments: [String]) throws -> HybridProcess.Result {
        try run("/usr/bin/git", ["-c", "user.name=t", "-c", "user.email=t@example.com"] + arguments)
    }

    private func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws
        -> HybridProcess.Result
    {
        var variables = ProcessInfo.processInfo.environment.merging(HybridProcess.gitIdentity) { _, test in test }
        variables["GH_TOKEN"] = nil
        for (name, value) in environment { variables[name] = value }
        return try HybridProcess.run(executable: executable, arguments, in: root, environment: variables)
    }

    private func script(_ arguments: [String], _ environment: [String: String] = [:]) throws -> HybridProcess.Result {
        var variables = [
            "HYBRID": root + "/.stub/hybrid", "STUB_EXPORT": root + "/.stub/export",
            "STUB_REPORT": root + "/.stub/report.json",
        ]
        for (name, value) in environment { variables[name] = value }
        return try run(
            "/bin/bash", [repositoryRoot + "/scripts/export_to_pr.sh"] + arguments, environment: variables)
    }

    private func branches() throws -> [String] {
        try git(["branch", "--format=%(refname:short)"]).stdout.split(separator: "\n").map(String.init)
    }

    @Test("a dirty working tree is refused and left as it was")
    func dirtyTree() throws {
        try directory.write("assets/charts/x.yaml.j2", "slice_name: mine\n")
        let result = try script(["dev"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("the working tree has uncommitted changes"))
        #expect(try directory.read("assets/charts/x.yaml.j2") == "slice_name: mine\n")
        #expect(try branches() == ["main"])
    }

    @Test("nothing changed in the UI: `no changes`, no branch, exit 0")
    func noChanges() throws {
        let result = try script(["dev"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasSuffix("no changes\n"))
        #expect(try branches() == ["main"])
        #expect(try git(["status", "--porcelain"]).stdout.isEmpty)
    }

    @Test(
        "a UI edit: one commit on ui-export/ENV/<timestamp> with the templates and the export; title and body printed")
    func change() throws {
        try directory.write(".stub/export/charts/x.yaml", "slice_name: Y\n")
        try directory.write(
            ".stub/report.json",
            #"{"changed": ["assets/charts/x.yaml.j2"], "created": [], "deleted_in_ui": [], "unplaced": "#
                + #"[{"template": "assets/charts/x.yaml.j2", "line": 3, "key_path": "params.metrics[0]", "producer": "a loop"}], "#
                + #""ui_files": [], "unchanged": 0}"#)
        let result = try script(
            ["dev", "--dry-run"],
            ["STUB_EDIT": "printf 'slice_name: Y\\n' > assets/charts/x.yaml.j2", "STUB_STATUS": "3"])
        #expect(result.status == 0, "\(result.stderr)")
        let branch = try #require(try branches().first { $0.hasPrefix("ui-export/dev/") })
        #expect(branch.range(of: #"^ui-export/dev/\d{8}T\d{6}Z$"#, options: .regularExpression) != nil)
        #expect(try git(["rev-list", "--count", "main.." + branch]).stdout == "1\n")
        let files = try git(["show", "--name-only", "--format=", branch]).stdout
        #expect(files == "assets/charts/x.yaml.j2\nui_exports/dev/charts/x.yaml\n")
        #expect(result.stdout.contains("Title: UI export dev: 1 template file changed"))
        #expect(result.stdout.contains("- `assets/charts/x.yaml.j2`"))
        #expect(
            result.stdout.contains(
                "- `assets/charts/x.yaml.j2:3: cannot place change of params.metrics[0] (produced by a loop)`"))
        #expect(result.stdout.contains("assets/charts/x.yaml.j2 | 2 +-"))
        // Run again on that branch: the export is what was committed, so nothing is committed.
        let again = try script(["dev", "--dry-run"], ["STUB_STATUS": "0"])
        #expect(again.stdout.hasSuffix("no changes\n"), "\(again.stdout)\(again.stderr)")
        #expect(try git(["rev-list", "--count", "main..HEAD"]).stdout == "1\n")
    }

    @Test("translate failing: the export and templates are put back, exit with its status, no branch")
    func translateFails() throws {
        try directory.write(".stub/export/charts/x.yaml", "slice_name: Z\n")
        let result = try script(["dev"], ["STUB_STATUS": "1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("hybrid translate failed (exit 1); nothing committed"))
        #expect(try git(["status", "--porcelain"]).stdout.isEmpty)
        #expect(try branches() == ["main"])
    }
}
