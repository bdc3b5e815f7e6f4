import Foundation
import HybridTestSupport
import Testing

#if canImport(Glibc)
    import Glibc

    /// `hybrid watch` as a real process on a generated repository (3 tenants): every editor's way of
    /// saving, folders and deletions, bursts, errors, an inotify queue overflow, and the way out.
    @Suite("hybrid watch", .serialized)
    struct WatchCommandTests {
        static let clients = ["client_000", "client_001", "client_002"]
        static let chart = "assets/charts/chart_0001_0.yaml.j2"

        static func repository() throws -> RepositoryFixture {
            try RepositoryFixture(
                files: GeneratedRepository.files(seed: 11, datasets: 2, chartsPerDataset: 3, clients: 3))
        }

        /// Saves the chart template with `row_limit` defaulting to `value`, the way `style` saves.
        static func saveChart(_ fixture: RepositoryFixture, value: Int, style: String) throws {
            let path = fixture.root + "/" + chart
            let text = try fixture.read(chart).replacingOccurrences(
                of: #"default\(\d+\) \}\}"#, with: "default(\(value)) }}", options: .regularExpression)
            switch style {
            case "in place":
                try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            case "vscode":
                try Data(text.utf8).write(to: URL(fileURLWithPath: path + ".tmp"))
                #expect(rename(path + ".tmp", path) == 0)
            case "jetbrains":
                try Data(text.utf8).write(to: URL(fileURLWithPath: path + "___jb_tmp___"))
                #expect(rename(path, path + "___jb_old___") == 0)
                #expect(rename(path + "___jb_tmp___", path) == 0)
                #expect(unlink(path + "___jb_old___") == 0)
            case "vim":
                let probe = (path as NSString).deletingLastPathComponent + "/4913"
                try Data().write(to: URL(fileURLWithPath: probe))
                #expect(unlink(probe) == 0)
                #expect(rename(path, path + "~") == 0)
                try Data(text.utf8).write(to: URL(fileURLWithPath: path))
                #expect(unlink(path + "~") == 0)
            case "sed":
                let temporary = (path as NSString).deletingLastPathComponent + "/sedQ4x1Zb"
                try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
                #expect(rename(temporary, path) == 0)
            default:
                Issue.record("unknown style \(style)")
            }
        }

        /// The chart's output in every tenant bundle holds `row_limit: value`.
        static func outputsHold(_ fixture: RepositoryFixture, _ value: Int) throws -> Bool {
            try clients.allSatisfy { client in
                try fixture.read("bundles/dev/\(client)/charts/chart_0001_0.yaml").contains("row_limit: \(value)\n")
            }
        }

        /// The bundles a clean `hybrid compile --all-mappings` writes for the repository's sources now.
        static func cleanBuild(of fixture: RepositoryFixture) throws -> [String: Data] {
            var sources: [String: String] = [:]
            for folder in ["assets", "env", "mappings"] {
                for (path, data) in fixture.snapshot(folder) where !path.hasSuffix("~") {
                    sources[folder + "/" + path] = String(decoding: data, as: UTF8.self)
                }
            }
            sources["hybrid.yaml"] = try fixture.read("hybrid.yaml")
            let clean = try RepositoryFixture(files: sources)
            let result = try HybridProcess.run(["compile", "--all-mappings"], in: clean.root)
            #expect(result.status == 0, "\(result.stderr)")
            return clean.snapshot()
        }

        /// A plain compile after the watcher: nothing to do.
        static func expectPlainCompileIsNoOp(_ fixture: RepositoryFixture) throws {
            let result = try HybridProcess.run(["compile", "--all-mappings", "--format", "json"], in: fixture.root)
            #expect(result.status == 0, "\(result.stderr)")
            let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
            #expect(report["rebuilt"] as? Int == 0)
            #expect(report["written"] as? Int == 0)
            #expect(report["removed"] as? Int == 0)
        }

        @Test(
            "each editor's save rewrites the chart in every tenant bundle; Ctrl-C exits 0; a plain compile then does nothing"
        )
        func editorStyles() throws {
            let fixture = try Self.repository()
            let watcher = try WatchProcess(root: fixture.root)
            var value = 5000
            for style in ["in place", "vscode", "jetbrains", "vim", "sed"] {
                value += 1
                try Self.saveChart(fixture, value: value, style: style)
                // One rebuild per save (a machine stalled mid-save may make two: the last one counts).
                var rebuild = try watcher.rebuild(touching: Self.chart)
                for _ in 0..<3 where !(try Self.outputsHold(fixture, value)) {
                    rebuild = try watcher.rebuild(touching: Self.chart)
                }
                #expect(rebuild["changed"] as? [String] == [Self.chart], "\(style)")
                #expect(rebuild["errors"] as? Int == 0, "\(style)")
                #expect(try Self.outputsHold(fixture, value), "\(style)")
            }
            #expect(watcher.stop(SIGINT) == 0)
            #expect(watcher.events.last?["event"] as? String == "stopped")
            try Self.expectPlainCompileIsNoOp(fixture)
            #expect(fixture.snapshot() == (try Self.cleanBuild(of: fixture)))
            let scratch = fixture.snapshot(".hybrid-cache").keys.filter { $0.contains("/tmp/") }
            #expect(scratch.isEmpty, "temporary files left: \(scratch)")
        }

        @Test("a new folder's template appears in every bundle, a rename moves its outputs, a deletion removes them")
        func foldersRenamesDeletions() throws {
            let fixture = try Self.repository()
            let watcher = try WatchProcess(root: fixture.root)
            let template = "assets/charts/team/new_chart.yaml.j2"
            try fixture.write(
                template, "slice_name: \"New chart ({{ ENV }})\"\nviz_type: table\ndatasource: fact_0000\n")
            _ = try watcher.rebuild(touching: template)
            for client in Self.clients {
                #expect(fixture.exists("bundles/dev/\(client)/charts/team/new_chart.yaml"))
            }
            #expect(
                rename(fixture.root + "/assets/charts/team", fixture.root + "/assets/charts/renamed") == 0)
            _ = try watcher.rebuild(touching: "assets/charts/renamed")
            try watcher.settle()
            for client in Self.clients {
                #expect(!fixture.exists("bundles/dev/\(client)/charts/team/new_chart.yaml"))
                #expect(fixture.exists("bundles/dev/\(client)/charts/renamed/new_chart.yaml"))
            }
            try fixture.remove("assets/charts/renamed")
            _ = try watcher.rebuild(touching: "assets/charts/renamed")
            try watcher.settle()
            for client in Self.clients {
                #expect(!fixture.exists("bundles/dev/\(client)/charts/renamed/new_chart.yaml"))
            }
            #expect(watcher.stop(SIGTERM) == 0)
            #expect(fixture.snapshot() == (try Self.cleanBuild(of: fixture)))
        }

        @Test("a burst of 200 random edits ends with the bundles of a clean build")
        func burst() throws {
            let fixture = try Self.repository()
            let watcher = try WatchProcess(root: fixture.root)
            var random = SplitMix(state: 2026)
            let charts = fixture.snapshot("assets/charts").keys.sorted().map { "assets/charts/" + $0 }
            for step in 0..<200 {
                let path = charts.randomElement(using: &random)!
                var text = try fixture.read(path)
                if Bool.random(using: &random) {
                    text = text.replacingOccurrences(
                        of: #"default\(\d+\) \}\}"#, with: "default(\(step)) }}", options: .regularExpression)
                } else {
                    text += "# edit \(step)\n"
                }
                try fixture.write(path, text)
                if step % 40 == 0 {
                    try fixture.write("env/dev.yaml", try fixture.read("env/dev.yaml") + "EXTRA_\(step): \(step)\n")
                }
            }
            _ = try watcher.next { $0["event"] as? String == "rebuild" }
            try watcher.settle()
            #expect(watcher.stop() == 0)
            #expect(fixture.snapshot() == (try Self.cleanBuild(of: fixture)))
            try Self.expectPlainCompileIsNoOp(fixture)
        }

        @Test(
            "a broken template prints its file:line:col error and keeps the last good files; the next good save rebuilds"
        )
        func brokenThenFixed() throws {
            let fixture = try Self.repository()
            let watcher = try WatchProcess(root: fixture.root)
            let good = fixture.snapshot()
            let text = try fixture.read(Self.chart)
            try fixture.write(Self.chart, text + "broken: {{ ROW_LIMIT | no_such_filter }}\n")
            let broken = try watcher.rebuild(touching: Self.chart)
            let diagnostics = broken["diagnostics"] as? [[String: Any]] ?? []
            let error = diagnostics.first { $0["severity"] as? String == "error" }
            #expect(error?["file"] as? String == Self.chart)
            #expect((error?["line"] as? Int ?? 0) > 1)
            #expect((broken["errors"] as? Int ?? 0) > 0)
            #expect(broken["written"] as? Int == 0)
            let kept = fixture.snapshot().filter { !$0.key.hasPrefix(".hybrid-status") }
            #expect(kept == good.filter { !$0.key.hasPrefix(".hybrid-status") })
            try Self.saveChart(fixture, value: 4242, style: "in place")
            _ = try watcher.rebuild(touching: Self.chart)
            try fixture.write(
                Self.chart,
                try fixture.read(Self.chart).replacingOccurrences(
                    of: "broken: {{ ROW_LIMIT | no_such_filter }}\n", with: ""))
            let fixed = try watcher.rebuild(touching: Self.chart)
            #expect(fixed["errors"] as? Int == 0)
            #expect(try Self.outputsHold(fixture, 4242))
            #expect(watcher.stop() == 0)
            #expect(fixture.snapshot() == (try Self.cleanBuild(of: fixture)))
        }

        @Test(
            "an inotify queue overflow (a tiny queue) makes a rescan that still ends with a clean build's bundles",
            .enabled(if: InotifyQueueSetting.isWritable, "needs root to set fs.inotify.max_queued_events"))
        func overflow() throws {
            let fixture = try Self.repository()
            let watcher = try WatchProcess(root: fixture.root, tinyQueue: 8)
            // Files written while the watcher rebuilds (it reads no events then) overflow its queue of 8.
            var written = 0
            var rescanned = false
            let deadline = Date().addingTimeInterval(20)
            while !rescanned && Date() < deadline {
                for _ in 0..<30 {
                    try fixture.write(
                        "assets/charts/burst_\(written).yaml.j2",
                        "slice_name: \"Burst \(written)\"\nviz_type: table\ndatasource: fact_0000\n")
                    written += 1
                }
                usleep(20_000)
                rescanned = watcher.events.contains {
                    $0["event"] as? String == "rebuild" && $0["rescan"] as? Bool == true
                }
            }
            #expect(rescanned, "no rescan after \(written) files")
            try watcher.settle()
            #expect(watcher.stop() == 0)
            #expect(fixture.exists("bundles/dev/client_000/charts/burst_\(written - 1).yaml"))
            #expect(fixture.snapshot() == (try Self.cleanBuild(of: fixture)))
        }

        @Test("--validate re-validates after a rebuild: a metric broken by a save is reported, and fixed")
        func validates() throws {
            let fixture = try Self.repository()
            let watcher = try WatchProcess(root: fixture.root, arguments: ["--validate"])  // the plain bundle
            let text = try fixture.read(Self.chart)
            // A metric the chart's dataset does not define: the compile is fine, validation is not.
            try fixture.write(
                Self.chart,
                text.replacingOccurrences(
                    of: #"metrics:\n    - "Total "#, with: "metrics:\n    - \"No such ", options: .regularExpression))
            #expect(try fixture.read(Self.chart).contains("No such"))
            let broken = try watcher.rebuild(touching: Self.chart)
            let validation = broken["validation"] as? [String: Any]
            #expect((validation?["errors"] as? Int ?? 0) > 0, "\(broken)")
            try fixture.write(Self.chart, text)
            let fixed = try watcher.rebuild(touching: Self.chart)
            #expect((fixed["validation"] as? [String: Any])?["errors"] as? Int == 0, "\(fixed)")
            #expect(watcher.stop() == 0)
        }

        @Test("--poll watches by polling and rebuilds on a save")
        func polling() throws {
            let fixture = try Self.repository()
            let watcher = try WatchProcess(root: fixture.root, arguments: ["--all-mappings", "--poll"])
            #expect(
                watcher.events.first { $0["event"] as? String == "watching" }?["method"] as? String
                    == "polling every 250 ms")
            try Self.saveChart(fixture, value: 777, style: "in place")
            _ = try watcher.rebuild(touching: Self.chart)
            #expect(try Self.outputsHold(fixture, 777))
            #expect(watcher.stop() == 0)
        }

        @Test("--apply is refused for an environment in watch.no_apply (prod by default)")
        func applyRefused() throws {
            let fixture = try Self.repository()
            let result = try HybridProcess.run(["watch", "--env", "prod", "--apply"], in: fixture.root)
            #expect(result.status == 1)
            #expect(result.stderr.contains("watch --apply is refused for prod: hybrid.yaml watch.no_apply lists it"))
            #expect(!fixture.exists("bundles/prod"))
        }
    }
#endif
