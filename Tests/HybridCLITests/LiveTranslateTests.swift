import Foundation
import HybridTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Nested in the live runtime suite, which runs serially: these tests share its Superset.
extension LiveRuntimeTests {
    /// The way back from Superset's UI to Git against a real Superset 6.1: edits made through the API
    /// come back as exactly the template lines they change.
    @Suite("UI → Git against a live Superset")
    struct LiveTranslateTests {
        let repo = LiveRepository()

        private func git(_ arguments: [String]) throws -> HybridProcess.Result {
            try LiveRepository.run("/usr/bin/git", ["-C", repo.root] + arguments)
        }

        @Test(
            "rename a chart and change a metric expression through the API: export_to_pr.sh dev --dry-run commits exactly those template lines; compiled, no drift; a second run commits nothing"
        )
        func renameAndMetric() async throws {
            _ = try git(["init", "-q"])
            try repo.write(".gitignore", "bundles/\n.hybrid-cache/\n.hybrid/\n")
            _ = try git(["-c", "user.name=t", "-c", "user.email=t@t", "add", "-A"])
            _ = try git(["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "initial"])
            let apply = try repo.hybrid(["apply", "--env", "live"])
            #expect(apply.status == 0, "\(apply.stderr)")
            let api = try await LiveAPI.login(LiveServer.url)
            let chart = try #require(try await api.find("chart", column: "slice_name", value: "Revenue \(repo.suffix)"))
            try await api.put("chart/\(chart)", ["slice_name": "Daily revenue \(repo.suffix)"])
            let dataset = try #require(try await api.datasetOfChart(chart))
            let metrics = try await api.get("dataset/\(dataset)")["metrics"] as? [[String: Any]] ?? []
            let metric = try #require(metrics.first)
            try await api.put(
                "dataset/\(dataset)",
                [
                    "metrics": [
                        [
                            "id": metric["id"] as Any, "metric_name": "Total Revenue", "expression": "SUM(revenue) * 2",
                            "d3format": ",.2f",
                        ]
                    ]
                ])

            // The roundtrip as CI runs it: scripts/export_to_pr.sh (export, normalize, translate, a commit).
            let script = try repo.exportToPR()
            #expect(script.status == 0, "\(script.stdout)\(script.stderr)")
            #expect(script.stdout.contains("committed on branch ui-export/live/"), "\(script.stdout)")
            let diff = try git(["diff", "--unified=0", "HEAD~1", "--", "assets"])
            let changed = diff.stdout.split(separator: "\n").filter {
                ($0.hasPrefix("+") || $0.hasPrefix("-")) && !$0.hasPrefix("+++") && !$0.hasPrefix("---")
            }.map(String.init)
            // Exactly the two edited lines, and the dashboard's chart (Superset keeps its old name there) by path.
            #expect(
                changed.sorted() == [
                    "+  - {metric_name: Total Revenue, expression: SUM(revenue) * 2, d3format: ',.2f'}",
                    "+  CHART-1: {type: CHART, id: CHART-1, meta: {sliceName: Revenue {{ SUFFIX }}, width: 12, height: 50, chart: charts/revenue}}",
                    "+slice_name: Daily revenue {{ SUFFIX }}",
                    "-  - {metric_name: Total Revenue, expression: SUM(revenue), d3format: ',.2f'}",
                    "-  CHART-1: {type: CHART, id: CHART-1, meta: {sliceName: Revenue {{ SUFFIX }}, width: 12, height: 50}}",
                    "-slice_name: Revenue {{ SUFFIX }}",
                ], "\(diff.stdout)")

            #expect(try repo.hybrid(["compile", "--env", "live"]).status == 0)
            let drift = try repo.hybrid(["drift-plan", "--env", "live"])
            #expect(drift.stdout == "NO_DRIFT\n", "\(drift.stdout)\(drift.stderr)")
            let again = try repo.exportToPR()
            #expect(again.status == 0)
            #expect(again.stdout.hasSuffix("no changes\n"), "\(again.stdout)\(again.stderr)")
            #expect(try git(["rev-list", "--count", "HEAD"]).stdout == "2\n")
        }
    }
}

extension LiveRepository {
    /// `scripts/export_to_pr.sh live --dry-run` of hybrid's repository, run in this one with the built hybrid.
    func exportToPR() throws -> HybridProcess.Result {
        var variables = ProcessInfo.processInfo.environment.merging(HybridProcess.gitIdentity) { _, test in test }
        variables["HYBRID"] = HybridProcess.executable.path
        variables["HYBRID_SUPERSET_USERNAME"] = LiveServer.username
        variables["HYBRID_SUPERSET_PASSWORD"] = LiveServer.password
        variables["NO_COLOR"] = "1"
        return try HybridProcess.run(
            executable: "/bin/bash", [repositoryRoot + "/scripts/export_to_pr.sh", "live", "--dry-run"], in: root,
            environment: variables)
    }
}

extension LiveAPI {
    /// The id of the dataset a chart reads.
    func datasetOfChart(_ chart: Int) async throws -> Int? {
        let query = "(columns:!(id,datasource_id),filters:!((col:id,opr:eq,value:\(chart))))"
        var components = URLComponents(string: base + "/api/v1/chart/")!
        components.queryItems = [URLQueryItem(name: "q", value: query)]
        var request = URLRequest(url: components.url!)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (data, _) = try await URLSession.shared.data(for: request)
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return (json?["result"] as? [[String: Any]])?.first?["datasource_id"] as? Int
    }

    func get(_ path: String) async throws -> [String: Any] {
        var request = URLRequest(url: URL(string: base + "/api/v1/" + path)!)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (data, _) = try await URLSession.shared.data(for: request)
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return json?["result"] as? [String: Any] ?? [:]
    }
}
