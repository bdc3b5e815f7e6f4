import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The way back from Superset's UI to Git against a real Superset 6.1: edits made through the API
/// come back as exactly the template lines they change.
@Suite("UI → Git against a live Superset", .serialized, .enabled(if: LiveServer.enabled))
struct LiveTranslateTests {
    let repo = LiveRepository()

    private func git(_ arguments: [String]) throws -> HybridProcess.Result {
        try LiveRepository.run("/usr/bin/git", ["-C", repo.root] + arguments)
    }

    @Test(
        "rename a chart and change a metric expression through the API: export, translate, and exactly those lines change; compiled, no drift; again, nothing"
    )
    func renameAndMetric() async throws {
        _ = try git(["init", "-q"])
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

        let export = try repo.hybrid(["export", "--env", "live", "--out", "ui_exports/live"])
        #expect(export.status == 0, "\(export.stderr)")
        let translate = try repo.hybrid(["translate", "--env", "live"])
        #expect(translate.status == 0, "\(translate.stdout)\(translate.stderr)")
        let diff = try git(["diff", "--unified=0", "--", "assets"])
        let changed = diff.stdout.split(separator: "\n").filter {
            ($0.hasPrefix("+") || $0.hasPrefix("-")) && !$0.hasPrefix("+++") && !$0.hasPrefix("---")
        }
        #expect(
            changed.contains("-slice_name: Revenue {{ SUFFIX }}")
                && changed.contains("+slice_name: Daily revenue {{ SUFFIX }}"), "\(diff.stdout)")
        #expect(changed.contains { $0.hasPrefix("+") && $0.contains("expression: SUM(revenue) * 2") }, "\(diff.stdout)")
        // Two lines in the chart and the dataset; the dashboard, which named the chart by its old
        // name, at most names it by path now.
        let files = try git(["diff", "--name-only", "--", "assets"]).stdout.split(separator: "\n")
        #expect(files.contains("assets/charts/revenue.yaml.j2") && files.contains("assets/datasets/fact_sales.yaml.j2"))
        #expect(changed.count <= 6, "\(diff.stdout)")

        #expect(try repo.hybrid(["compile", "--env", "live"]).status == 0)
        let drift = try repo.hybrid(["drift-plan", "--env", "live"])
        #expect(drift.stdout == "NO_DRIFT\n", "\(drift.stdout)\(drift.stderr)")
        let again = try repo.hybrid(["translate", "--env", "live", "--format", "json"])
        #expect(again.status == 0)
        #expect(
            again.stdout.contains("\"changed\" : [\n\n  ]") || again.stdout.contains("\"changed\" : []"),
            "\(again.stdout)")
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
