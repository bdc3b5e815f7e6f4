import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Nested in the live runtime suite, which runs serially: these tests share its Superset.
extension LiveRuntimeTests {
    /// Drift defined by the applied state, preflight before import, names unique per server across
    /// tenants — against a real Superset 6.1.
    @Suite("Runtime semantics against a live Superset")
    struct LiveRuntimeSemanticsTests {
        let repo = LiveRepository()

        /// `promotion.chain: [live, second]`, the second environment with names of its own.
        private func twoEnvironments() throws {
            try repo.write(
                "hybrid.yaml",
                "superset:\n  urls:\n    live: \(LiveServer.url)\n    second: \(LiveServer.url)\n"
                    + "uuid_namespace: \(repo.namespace)\npromotion:\n  chain: [live, second]\n")
            try repo.write(
                "env/second.yaml",
                try repo.read("env/live.yaml").replacingOccurrences(
                    of: "SUFFIX: \(repo.suffix)", with: "SUFFIX: \(repo.suffix)s"))
        }

        @Test(
            "a first promote with --drift over two environments succeeds; a UI edit, then a UI delete, stop the next one with exit 2"
        )
        func promoteWithDrift() async throws {
            try twoEnvironments()
            let fresh = try repo.hybrid(["drift-plan", "--env", "live"])
            #expect(fresh.status == 0, "\(fresh.stdout)\(fresh.stderr)")
            #expect(fresh.stdout.hasPrefix("NO_DRIFT\n"))
            #expect(fresh.stdout.contains("pending: live: create charts/revenue.yaml"), "\(fresh.stdout)")

            let first = try repo.hybrid(["promote", "--drift"])
            #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
            #expect(first.stdout.contains("promote live: applied"), "\(first.stdout)")
            #expect(first.stdout.contains("promote second: applied"), "\(first.stdout)")

            // Edited in the UI (through the API the UI uses): drift, with the diff, and the chain stops.
            let api = try await LiveAPI.login(LiveServer.url)
            let chart = try #require(try await api.find("chart", column: "slice_name", value: "Revenue \(repo.suffix)"))
            try await api.put("chart/\(chart)", ["slice_name": "Edited in the UI \(repo.suffix)"])
            let edited = try repo.hybrid(["promote", "--drift"])
            #expect(edited.status == 2, "\(edited.stdout)\(edited.stderr)")
            #expect(edited.stderr.contains("live/charts/revenue.yaml: drifted on the server (slice_name differ)"))
            #expect(edited.stderr.contains("+slice_name: Edited in the UI \(repo.suffix)"), "\(edited.stderr)")
            #expect(!edited.stdout.contains("promote second"))

            // Restored by apply; then deleted in the UI: drift too.
            #expect(try repo.hybrid(["apply", "--env", "live"]).status == 0)
            try await api.delete(
                "chart/\(try #require(try await api.find("chart", column: "slice_name", value: "Revenue \(repo.suffix)")))"
            )
            let plan = try repo.hybrid(["drift-plan", "--env", "live"])
            #expect(plan.status == 2)
            #expect(plan.stdout.contains("charts/revenue.yaml"), "\(plan.stdout)")
            #expect(plan.stdout.contains("deleted"), "\(plan.stdout)")
            let deleted = try repo.hybrid(["promote", "--drift"])
            #expect(deleted.status == 2, "\(deleted.stdout)\(deleted.stderr)")
            #expect(
                deleted.stderr.contains(
                    "live/charts/revenue.yaml: missing on the server (deleted since the last apply)"),
                "\(deleted.stderr)")
        }

        @Test("a database name, a slug and a dataset's table another uuid holds: preflight names both, imports nothing")
        func preflight() async throws {
            #expect(try repo.hybrid(["apply", "--env", "live"]).status == 0)
            let api = try await LiveAPI.login(LiveServer.url)
            let charts = try await api.count("chart", column: "slice_name", value: "Revenue \(repo.suffix)")
            #expect(charts == 1)

            // Another repository (other uuids) with the same names.
            let other = LiveRepository()
            try other.write("env/live.yaml", try repo.read("env/live.yaml"))
            let clash = try other.hybrid(["apply", "--env", "live"])
            #expect(clash.status == 1)
            #expect(
                clash.stderr.contains("error: preflight: 2 assets of bundle live would take names"), "\(clash.stderr)")
            #expect(clash.stderr.contains("takes database_name 'analytics_\(repo.suffix)', which database "))
            #expect(clash.stderr.contains("takes slug 'overview-\(repo.suffix)', which dashboard "))
            #expect(clash.stderr.contains("nothing was imported"))
            // Nothing imported: still one chart of that name, and the first repository sees no drift.
            #expect(try await api.count("chart", column: "slice_name", value: "Revenue \(repo.suffix)") == 1)
            #expect(try repo.hybrid(["drift-plan", "--env", "live"]).stdout == "NO_DRIFT\n")
            let plan = try other.hybrid(["plan", "--env", "live"])
            #expect(plan.status == 1)
            #expect(plan.stderr.contains("hybrid apply would refuse to import"), "\(plan.stderr)")

            // The same repository with a second dataset template for the same table in the same database.
            try repo.write("assets/datasets/copy.yaml.j2", try repo.read("assets/datasets/fact_sales.yaml.j2"))
            try repo.write(
                "assets/charts/revenue.yaml.j2",
                try repo.read("assets/charts/revenue.yaml.j2").replacingOccurrences(
                    of: "datasource: fact_sales", with: "datasource: datasets/fact_sales"))
            let table = try repo.hybrid(["apply", "--env", "live"])
            #expect(table.status == 1, "\(table.stdout)")
            #expect(
                table.stderr.contains(
                    "datasets/copy.yaml (uuid "), "\(table.stderr)")
            #expect(
                table.stderr.contains(
                    "takes table_name 'fact_sales' (database 'analytics_\(repo.suffix)', schema 'main'), which dataset "
                ),
                "\(table.stderr)")
            #expect(try await api.count("dataset", column: "table_name", value: "fact_sales") >= 1)
        }

        @Test(
            "five tenants sharing a database name and slugs are refused by validate and apply; distinct names converge")
        func fiveTenants() throws {
            for tenant in 1...5 { try repo.write("mappings/t\(tenant).yaml", "vars:\n  CACHE_TIMEOUT: \(tenant)\n") }
            let validate = try repo.hybrid(["validate", "--env", "live", "--all-mappings"])
            #expect(validate.status == 1)
            #expect(
                validate.stdout.contains("database_name 'analytics_\(repo.suffix)'")
                    || validate.stderr.contains("database_name 'analytics_\(repo.suffix)'"),
                "\(validate.stdout)\(validate.stderr)")
            #expect((validate.stdout + validate.stderr).contains("slug 'overview-\(repo.suffix)'"))
            let apply = try repo.hybrid(["apply", "--env", "live", "--all-mappings"])
            #expect(apply.status == 1)
            #expect(apply.stderr.contains("nothing was imported"), "\(apply.stderr)")
            #expect(!apply.stdout.contains("imported"))

            for tenant in 1...5 {
                try repo.write(
                    "mappings/t\(tenant).yaml",
                    "source:\n  database: analytics_\(repo.suffix)\ntarget:\n  database: analytics_\(repo.suffix)_t\(tenant)\n"
                        + "vars:\n  SLUG_SUFFIX: -t\(tenant)\n")
            }
            try repo.write(
                "assets/dashboards/overview.yaml.j2",
                try repo.read("assets/dashboards/overview.yaml.j2").replacingOccurrences(
                    of: "slug: overview-{{ SUFFIX }}",
                    with: "slug: overview-{{ SUFFIX }}{{ SLUG_SUFFIX | default('') }}"))
            #expect(try repo.hybrid(["validate", "--env", "live", "--all-mappings"]).status == 0)
            let first = try repo.hybrid(["apply", "--env", "live", "--all-mappings"])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(
                first.stdout.components(separatedBy: "imported 4 changed assets in 1 call").count == 6,
                "\(first.stdout)")
            let second = try repo.hybrid(["apply", "--env", "live", "--all-mappings"])
            #expect(second.status == 0, "\(second.stderr)")
            #expect(
                second.stdout.components(separatedBy: "nothing to apply: every asset is up to date (no import call)")
                    .count
                    == 6, "\(second.stdout)")
            let drift = try repo.hybrid(["drift-plan", "--env", "live", "--all-mappings"])
            #expect(drift.stdout == "NO_DRIFT\n", "\(drift.stdout)")
        }
    }
}

extension LiveAPI {
    /// How many objects of a resource have `column` equal to `value`.
    func count(_ resource: String, column: String, value: String) async throws -> Int {
        try #require(try await list(resource, column: column, value: value)?["count"] as? Int)
    }

    func delete(_ path: String) async throws {
        var request = URLRequest(url: URL(string: base + "/api/v1/" + path)!)
        request.httpMethod = "DELETE"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (_, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
    }
}
