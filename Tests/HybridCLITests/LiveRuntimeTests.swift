import Foundation
import HybridTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The runtime commands against a real Apache Superset 6.1 (started by `scripts/superset-local up`;
/// `.ci/run` does it). Set HYBRID_TEST_SUPERSET_URL (and HYBRID_TEST_SUPERSET_CSRF_URL for a second
/// server with CSRF on); without it these tests are skipped, and with CI=true a missing variable
/// fails them. Every test uses its own names and uuid namespace, so they can share a server.
@Suite("Runtime against a live Superset", .serialized, .enabled(if: LiveServer.enabled))
struct LiveRuntimeTests {
    let repo = LiveRepository()

    @Test("apply then export gives an empty diff -r; a second apply makes no import call")
    func applyExportRoundTrip() throws {
        let apply = try repo.hybrid(["apply", "--env", "live"])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stdout.contains("imported 4 changed assets in 1 call"), "\(apply.stdout)")
        let out = repo.root + "/verify"
        let export = try repo.hybrid(["export", "--env", "live", "--out", out])
        #expect(export.status == 0, "\(export.stderr)")
        let diff = try LiveRepository.run("/usr/bin/diff", ["-r", repo.root + "/bundles/live", out])
        #expect(diff.status == 0, "\(diff.stdout)")
        #expect(diff.stdout.isEmpty)
        let again = try repo.hybrid(["apply", "--env", "live"])
        #expect(
            again.stdout.contains("nothing to apply: every asset is up to date (no import call)"), "\(again.stdout)")
        let drift = try repo.hybrid(["drift-plan", "--env", "live"])
        #expect(drift.status == 0)
        #expect(drift.stdout == "NO_DRIFT\n")
    }

    @Test("one template edited: only it and what it needs are imported")
    func oneTemplateEdited() throws {
        _ = try repo.hybrid(["apply", "--env", "live"])
        try repo.write(
            "assets/charts/revenue.yaml.j2",
            try repo.read("assets/charts/revenue.yaml.j2").replacingOccurrences(
                of: "row_limit: 100", with: "row_limit: 250"))
        let plan = try repo.hybrid(["plan", "--env", "live", "--detailed-exitcode"])
        #expect(plan.status == 2)
        #expect(plan.stdout.contains("~ update    charts/revenue.yaml  (changed in the bundle)"), "\(plan.stdout)")
        #expect(plan.stdout.contains("Plan: 0 to create, 1 to update, 0 orphaned, 3 unchanged."))
        let apply = try repo.hybrid(["apply", "--env", "live", "--format", "json"])
        #expect(apply.status == 0, "\(apply.stderr)")
        struct Report: Decodable {
            var imported: Int
            var importCalls: Int
            var changes: [Change]
            struct Change: Decodable { var path: String }
        }
        let report = try #require(try JSONDecoder().decode([Report].self, from: Data(apply.stdout.utf8)).first)
        #expect(report.changes.map(\.path) == ["charts/revenue.yaml"])
        // The chart with its dataset and database (the closure Superset needs), the dashboard untouched.
        #expect(report.imported == 3)
        #expect(report.importCalls == 1)
    }

    @Test(
        "watch --apply: the first compile is applied, then a save is applied within its rebuild; plan then has nothing to do"
    )
    func watchApplies() throws {
        let watcher = try WatchProcess(
            root: repo.root, arguments: ["--env", "live", "--apply"],
            environment: [
                "HYBRID_SUPERSET_USERNAME": LiveServer.username, "HYBRID_SUPERSET_PASSWORD": LiveServer.password,
                "HYBRID_ACTOR": "live-test",
            ])
        let started = watcher.events.first { $0["event"] as? String == "apply" }
        #expect(started?["applied"] as? Int == 1, "\(watcher.stderr)")
        try repo.write(
            "assets/charts/revenue.yaml.j2",
            try repo.read("assets/charts/revenue.yaml.j2").replacingOccurrences(
                of: "row_limit: 100", with: "row_limit: 321"))
        let rebuild = try watcher.rebuild(touching: "assets/charts/revenue.yaml.j2", timeout: 120)
        #expect(rebuild["applied"] as? Int == 1, "\(watcher.stderr)")
        #expect(rebuild["applyFailed"] as? Bool == false)
        #expect(watcher.stop() == 0)
        let plan = try repo.hybrid(["plan", "--env", "live", "--detailed-exitcode"])
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
        let audit = try repo.hybrid(["audit", "list", "--format", "json"])
        #expect(audit.stdout.components(separatedBy: "\"action\" : \"apply\"").count - 1 == 2, "\(audit.stdout)")
    }

    @Test("a saved plan applies as planned, and is refused once the bundle moved; plan shows the attribute")
    func savedPlan() throws {
        _ = try repo.hybrid(["apply", "--env", "live"])
        try repo.write(
            "assets/charts/revenue.yaml.j2",
            try repo.read("assets/charts/revenue.yaml.j2").replacingOccurrences(
                of: "row_limit: 100", with: "row_limit: 250"))
        let plan = try repo.hybrid(["plan", "--env", "live", "--out", "plan.json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("      ~ params.row_limit: 100 → 250\n"), "\(plan.stdout)")
        // The bundle moves after the plan: refused, nothing applied.
        try repo.write(
            "assets/charts/revenue.yaml.j2",
            try repo.read("assets/charts/revenue.yaml.j2").replacingOccurrences(
                of: "row_limit: 250", with: "row_limit: 300"))
        let stale = try repo.hybrid(["apply", "plan.json", "--env", "live"])
        #expect(stale.status == 1)
        #expect(stale.stderr.contains("the plan plan.json is stale; nothing was applied"), "\(stale.stderr)")
        #expect(stale.stderr.contains("bundle live changed since the plan"))
        // Planned again: applied exactly.
        _ = try repo.hybrid(["plan", "--env", "live", "--out", "plan.json"])
        let applied = try repo.hybrid(["apply", "plan.json", "--env", "live"])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout.contains("imported 1 changed asset"), "\(applied.stdout)")
        let outside = try repo.hybrid(["plan", "--env", "live", "--out", "/tmp/hybrid-plan-outside.json"])
        #expect(outside.status == 1)
        #expect(
            outside.stderr.contains("--out /tmp/hybrid-plan-outside.json is not inside the repository"),
            "\(outside.stderr)")
    }

    @Test("a chart renamed through Superset's API is drift naming the field; apply restores it")
    func driftRestored() async throws {
        _ = try repo.hybrid(["apply", "--env", "live"])
        let api = try await LiveAPI.login(LiveServer.url)
        let chart = try #require(try await api.find("chart", column: "slice_name", value: "Revenue \(repo.suffix)"))
        try await api.put("chart/\(chart)", ["slice_name": "Renamed in the UI \(repo.suffix)"])
        let drift = try repo.hybrid(["drift-plan", "--env", "live"])
        #expect(drift.status == 2)
        #expect(drift.stdout.hasPrefix("DRIFT_FOUND\n"))
        #expect(drift.stdout.contains("live: charts/revenue.yaml: slice_name differ"))
        #expect(drift.stdout.contains("+slice_name: Renamed in the UI \(repo.suffix)"))
        let apply = try repo.hybrid(["apply", "--env", "live"])
        #expect(apply.stdout.contains("imported 1 changed asset"), "\(apply.stdout)")
        #expect(try repo.hybrid(["drift-plan", "--env", "live"]).stdout == "NO_DRIFT\n")
    }

    @Test("promote over two targets (the second with CSRF on) applies both and audits each step")
    func promoteTwoTargets() async throws {
        try repo.write(
            "hybrid.yaml",
            "superset:\n  urls:\n    live: \(LiveServer.url)\n    second: \(LiveServer.csrfURL ?? LiveServer.url)\n"
                + "uuid_namespace: \(repo.namespace)\npromotion:\n  chain: [live, second]\n")
        try repo.write(
            "env/second.yaml", try repo.read("env/live.yaml").replacingOccurrences(of: "SUFFIX: ", with: "SUFFIX: b"))
        let promote = try repo.hybrid(["promote"])
        #expect(promote.status == 0, "\(promote.stdout)\(promote.stderr)")
        #expect(promote.stdout.contains("promote live: applied"))
        #expect(promote.stdout.contains("promote second: applied"))
        let audit = try await AuditTrail.lines(root: repo.root)
        #expect(audit.count == 2)
        #expect(audit.allSatisfy { $0.contains("\"action\":\"promote\"") && $0.contains("\"status\":\"success\"") })
        let again = try repo.hybrid(["promote", "--drift"])
        #expect(again.stdout.contains("promote live: up-to-date"), "\(again.stdout)")
    }

    @Test("an apply killed mid-way records only what the server accepted; the next apply completes it")
    func killedApply() throws {
        for chart in 0..<12 {
            try repo.write(
                "assets/charts/extra_\(chart).yaml.j2",
                "slice_name: Extra \(chart) {{ SUFFIX }}\nviz_type: table\ndatasource: fact_sales\nparams: {}\n")
        }
        _ = try repo.hybrid(["compile", "--env", "live"])
        let process = Process()
        process.executableURL = HybridProcess.executable
        process.arguments = ["apply", "--env", "live", "--chunk-size", "1"]
        process.currentDirectoryURL = URL(fileURLWithPath: repo.root)
        var variables = ProcessInfo.processInfo.environment
        variables["HYBRID_SUPERSET_USERNAME"] = LiveServer.username
        variables["HYBRID_SUPERSET_PASSWORD"] = LiveServer.password
        process.environment = variables
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(700_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        // What the applied state calls unchanged must really be on the server.
        let recorded = try repo.hybrid(["plan", "--env", "live", "--no-refresh", "--format", "json"])
        let actual = try repo.hybrid(["plan", "--env", "live", "--format", "json"])
        struct Item: Decodable {
            var path: String
            var change: String
        }
        let stateSays = try JSONDecoder().decode([Item].self, from: Data(recorded.stdout.utf8))
        let serverSays = Dictionary(
            uniqueKeysWithValues: try JSONDecoder().decode([Item].self, from: Data(actual.stdout.utf8)).map {
                ($0.path, $0.change)
            })
        for item in stateSays where item.change == "unchanged" {
            #expect(
                serverSays[item.path] == "unchanged",
                "\(item.path) recorded as applied but the server says \(serverSays[item.path] ?? "?")")
        }
        let finish = try repo.hybrid(["apply", "--env", "live"])
        #expect(finish.status == 0, "\(finish.stderr)")
        #expect(try repo.hybrid(["drift-plan", "--env", "live"]).stdout == "NO_DRIFT\n")
    }

    @Test("--prune deletes only assets hybrid applied that left the bundle; export --all keeps the rest apart")
    func pruneAndExportAll() async throws {
        try repo.write(
            "assets/charts/extra.yaml.j2",
            "slice_name: Extra {{ SUFFIX }}\nviz_type: table\ndatasource: fact_sales\nparams: {}\n")
        _ = try repo.hybrid(["apply", "--env", "live"])
        let api = try await LiveAPI.login(LiveServer.url)
        #expect(try await api.find("chart", column: "slice_name", value: "Extra \(repo.suffix)") != nil)
        try FileManager.default.removeItem(atPath: repo.root + "/assets/charts/extra.yaml.j2")
        let plan = try repo.hybrid(["plan", "--env", "live"])
        #expect(plan.stdout.contains("- orphaned  charts/extra.yaml"), "\(plan.stdout)")
        let prune = try repo.hybrid(["apply", "--env", "live", "--prune"])
        #expect(prune.status == 0, "\(prune.stderr)")
        #expect(try await api.find("chart", column: "slice_name", value: "Extra \(repo.suffix)") == nil)
        #expect(try await api.find("chart", column: "slice_name", value: "Revenue \(repo.suffix)") != nil)
        let out = repo.root + "/all"
        let export = try repo.hybrid(["export", "--env", "live", "--out", out, "--all"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(FileManager.default.fileExists(atPath: out + "/charts/revenue.yaml"))
        let unmanaged = (try? FileManager.default.contentsOfDirectory(atPath: out + "/_unmanaged")) ?? []
        #expect(!unmanaged.isEmpty)
        let diff = try LiveRepository.run(
            "/usr/bin/diff", ["-r", "-x", "_unmanaged", repo.root + "/bundles/live", out])
        #expect(diff.stdout.isEmpty, "\(diff.stdout)")
    }

    @Test("a wrong password, a server that is down, and CSRF on: clear errors or success")
    func failures() throws {
        let wrong = try repo.hybrid(["apply", "--env", "live"], environment: ["HYBRID_SUPERSET_PASSWORD": "wrong"])
        #expect(wrong.status == 1)
        #expect(
            wrong.stderr.contains("login as '\(LiveServer.username)' was refused: Not authorized"), "\(wrong.stderr)")
        let down = try repo.hybrid(["apply", "--env", "live", "--url", "http://127.0.0.1:9"])
        #expect(down.status == 1)
        #expect(
            down.stderr.contains("cannot reach Superset at http://127.0.0.1:9 (connection refused)"), "\(down.stderr)")
        if let csrf = LiveServer.csrfURL {
            let apply = try repo.hybrid(["apply", "--env", "live", "--url", csrf])
            #expect(apply.status == 0, "\(apply.stderr)")
        }
    }

    @Test("the password appears nowhere: not in bundles, the cache, the audit log or the output")
    func secretsStayOut() throws {
        let secret = "pw-\(repo.suffix)-s3cret"
        let result = try repo.hybrid(
            ["apply", "--env", "live"],
            environment: ["HYBRID_DB_PASSWORD_ANALYTICS_\(repo.suffix.uppercased())": secret])
        #expect(result.status == 0, "\(result.stderr)")
        let refused = try repo.hybrid(["apply", "--env", "live"], environment: ["HYBRID_SUPERSET_PASSWORD": secret])
        #expect(refused.status == 1)
        for output in [result.stdout, result.stderr, refused.stdout, refused.stderr] {
            #expect(!output.contains(secret))
        }
        let grep = try LiveRepository.run("/usr/bin/grep", ["-r", "-l", "-a", secret, repo.root])
        #expect(grep.stdout.isEmpty, "found in: \(grep.stdout)")
        let login = try LiveRepository.run(
            "/usr/bin/grep", ["-r", "-l", "-a", LiveServer.password + "\"", repo.root + "/.hybrid"])
        #expect(login.stdout.isEmpty)
    }
}

/// The live server's coordinates.
enum LiveServer {
    static let environment = ProcessInfo.processInfo.environment
    static var url: String { environment["HYBRID_TEST_SUPERSET_URL"] ?? "" }
    static var csrfURL: String? { environment["HYBRID_TEST_SUPERSET_CSRF_URL"] }
    static var username: String { environment["HYBRID_SUPERSET_USERNAME"] ?? "admin" }
    static var password: String { environment["HYBRID_SUPERSET_PASSWORD"] ?? "admin" }
    /// Run when a server is configured, and always under CI (where a missing server is a failure).
    static var enabled: Bool { !url.isEmpty || environment["CI"] == "true" }
}

/// A small control-plane repository aimed at the live server, with names unique to this test.
final class LiveRepository {
    let root = NSTemporaryDirectory() + "hybrid-live-" + UUID().uuidString
    let suffix = String(UUID().uuidString.prefix(8)).lowercased()
    let namespace = UUID().uuidString.lowercased()

    init() {
        let database =
            ProcessInfo.processInfo.environment["HYBRID_SUPERSET_ANALYTICS_DB"].map { "sqlite:///" + $0 }
            ?? "sqlite:///analytics.db"
        let files = [
            "hybrid.yaml": "superset:\n  url: \(LiveServer.url)\nuuid_namespace: \(namespace)\n",
            "env/live.yaml": "SUFFIX: \(suffix)\nDATABASE: \"\(database)\"\n",
            "assets/databases/analytics.yaml.j2":
                "database_name: analytics_{{ SUFFIX }}\nsqlalchemy_uri: \"{{ DATABASE }}\"\nextra: {}\n",
            "assets/datasets/fact_sales.yaml.j2":
                "table_name: fact_sales\nschema: main\ndatabase: analytics_{{ SUFFIX }}\n"
                + "columns:\n  - {column_name: order_date, is_dttm: true, type: TIMESTAMP}\n"
                + "  - {column_name: customer_id, type: TEXT}\n  - {column_name: revenue, type: REAL}\n"
                + "metrics:\n  - {metric_name: Total Revenue, expression: SUM(revenue), d3format: ',.2f'}\n",
            "assets/charts/revenue.yaml.j2":
                "slice_name: Revenue {{ SUFFIX }}\nviz_type: echarts_timeseries_line\ndatasource: fact_sales\n"
                + "params:\n  x_axis: order_date\n  metrics: [Total Revenue]\n  groupby: [customer_id]\n"
                + "  row_limit: 100\n",
            "assets/dashboards/overview.yaml.j2":
                "dashboard_title: Overview {{ SUFFIX }}\nslug: overview-{{ SUFFIX }}\n"
                + "metadata:\n  expanded_slices: {charts/revenue: true}\n"
                + "  timed_refresh_immune_slices: [charts/revenue]\n"
                + "  chart_configuration:\n    charts/revenue:\n      id: charts/revenue\n"
                + "      crossFilters: {scope: {rootPath: [ROOT_ID], excluded: [charts/revenue]}}\n"
                + "position:\n  ROOT_ID: {type: ROOT, id: ROOT_ID, children: [GRID_ID]}\n"
                + "  GRID_ID: {type: GRID, id: GRID_ID, children: [CHART-1]}\n"
                + "  CHART-1: {type: CHART, id: CHART-1, meta: {sliceName: Revenue {{ SUFFIX }}, width: 12, height: 50}}\n",
        ]
        for (path, text) in files { try? write(path, text) }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    func write(_ path: String, _ text: String) throws {
        let url = URL(fileURLWithPath: root + "/" + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: root + "/" + path, encoding: .utf8) }

    func hybrid(_ arguments: [String], environment: [String: String] = [:]) throws -> HybridProcess.Result {
        var variables = ProcessInfo.processInfo.environment
        variables["HYBRID_SUPERSET_USERNAME"] = LiveServer.username
        variables["HYBRID_SUPERSET_PASSWORD"] = LiveServer.password
        variables["HYBRID_ACTOR"] = "live-test"
        for (name, value) in environment { variables[name] = value }
        return try HybridProcess.run(arguments, in: root, environment: variables)
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> HybridProcess.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return HybridProcess.Result(
            status: process.terminationStatus, stdout: String(decoding: data, as: UTF8.self), stderr: "")
    }
}

/// Direct REST calls to the live server, to change things behind hybrid's back.
struct LiveAPI {
    let base: String
    let token: String

    static func login(_ base: String) async throws -> LiveAPI {
        let body = try JSONSerialization.data(withJSONObject: [
            "username": LiveServer.username, "password": LiveServer.password, "provider": "db", "refresh": true,
        ])
        var request = URLRequest(url: URL(string: base + "/api/v1/security/login")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        let (data, _) = try await URLSession.shared.data(for: request)
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return LiveAPI(base: base, token: try #require(json?["access_token"] as? String))
    }

    func find(_ resource: String, column: String, value: String) async throws -> Int? {
        let json = try await list(resource, column: column, value: value)
        return ((json?["result"] as? [[String: Any]])?.first?["id"] as? Int)
    }

    /// The list answer for the objects of a resource whose `column` equals `value`.
    func list(_ resource: String, column: String, value: String) async throws -> [String: Any]? {
        let query = "(columns:!(id,\(column)),filters:!((col:\(column),opr:eq,value:'\(value)')))"
        var components = URLComponents(string: base + "/api/v1/\(resource)/")!
        components.queryItems = [URLQueryItem(name: "q", value: query)]
        var request = URLRequest(url: components.url!)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (data, _) = try await URLSession.shared.data(for: request)
        return try JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    /// `POST /api/v1/<path>` with a JSON body; expects 200.
    func post(_ path: String, _ body: [String: Any]) async throws {
        var request = URLRequest(url: URL(string: base + "/api/v1/" + path)!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (_, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
    }

    func put(_ path: String, _ body: [String: Any]) async throws {
        var request = URLRequest(url: URL(string: base + "/api/v1/" + path)!)
        request.httpMethod = "PUT"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (_, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
    }
}
