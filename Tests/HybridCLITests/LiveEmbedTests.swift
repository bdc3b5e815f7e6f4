import Foundation
import HybridAudit
import HybridTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Nested in the live runtime suite, which runs serially: these tests share its Superset.
extension LiveRuntimeTests {
    /// The embed policy against a real Superset 6.1 (GUEST_ROLE_NAME = "Gamma") and its analytics
    /// database (fact_sales over tenants c1, c2, c3): rows a guest token reads, refusals, drift.
    @Suite("Embedding with tenant enforcement against a live Superset")
    struct LiveEmbedTests {
        let repo = LiveRepository()

        static let policy = """
            allowed_domains: [app.example.com]
            tenant_enforcement:
              required: true
              injection_method: where_clause
              tenant_column: customer_id
            token_policy:
              max_ttl: 3600
              require_user_id: true
              require_roles: [viewer, analyst]
            dashboards: [dashboards/overview]

            """

        /// The policy and a second dashboard outside it, applied.
        private func applied() throws {
            try repo.write("assets/embeds/policy.yaml", Self.policy)
            let overview = try repo.read("assets/dashboards/overview.yaml.j2")
            try repo.write(
                "assets/dashboards/hidden.yaml.j2",
                overview.replacingOccurrences(of: "Overview {{ SUFFIX }}", with: "Hidden {{ SUFFIX }}")
                    .replacingOccurrences(of: "slug: overview-", with: "slug: hidden-"))
            let validate = try repo.hybrid(["validate", "--env", "live"])
            #expect(validate.status == 0, "\(validate.stderr)")
            let apply = try repo.hybrid(["apply", "--env", "live"])
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(
                apply.stdout.contains(
                    "embed live: 1 dashboard embedded (1 set), allowed: https://app.example.com"), "\(apply.stdout)")
        }

        private func mint(_ extra: [String], environment: [String: String] = [:]) throws -> HybridProcess.Result {
            try repo.hybrid(
                ["embed", "mint-token", "--env", "live", "--dashboard-id", "dashboards/overview"] + extra,
                environment: environment)
        }

        /// The customer ids of the rows a guest token reads through the dashboard's chart (nil: refused).
        private func tenantsSeen(token: String, api: LiveAPI, asAdmin: Bool = false) async throws -> (
            status: Int, tenants: [String]
        ) {
            let chart = try #require(try await api.find("chart", column: "slice_name", value: "Revenue \(repo.suffix)"))
            let dashboard = try #require(
                try await api.find("dashboard", column: "slug", value: "overview-\(repo.suffix)"))
            let dataset = try #require(try await api.datasetOfChart(chart))
            let body: [String: Any] = [
                "datasource": ["id": dataset, "type": "table"],
                "form_data": ["slice_id": chart, "dashboardId": dashboard],
                "queries": [
                    ["columns": ["customer_id"], "metrics": ["Total Revenue"], "orderby": [], "row_limit": 1000]
                ],
                "result_format": "json", "result_type": "full",
            ]
            // As Superset's frontend asks: the chart and dashboard in the query string, which its action
            // log records with the event.
            let logged = "?form_data=%7B%22slice_id%22%3A\(chart)%7D&dashboard_id=\(dashboard)"
            var request = URLRequest(url: URL(string: LiveServer.url + "/api/v1/chart/data" + logged)!)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            if asAdmin {
                request.setValue("Bearer \(api.token)", forHTTPHeaderField: "Authorization")
            } else {
                request.setValue(token, forHTTPHeaderField: "X-GuestToken")
            }
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            let (data, response) = try await URLSession.shared.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            let rows = ((json?["result"] as? [[String: Any]])?.first?["data"] as? [[String: Any]]) ?? []
            return (status, rows.compactMap { $0["customer_id"] as? String })
        }

        @Test("a tenant's token reads only that tenant's rows; another tenant's only theirs")
        func tenantRows() async throws {
            try applied()
            let api = try await LiveAPI.login(LiveServer.url)
            // The same query as an admin reads every tenant: what limits a guest is its rules.
            #expect(Set(try await tenantsSeen(token: "", api: api, asAdmin: true).tenants) == ["c1", "c2", "c3"])
            for tenant in ["c1", "c2"] {
                let minted = try mint(
                    [
                        "--tenant-id", tenant, "--user-id", "u-\(tenant)", "--roles", "viewer", "--expires", "600",
                        "--format", "json",
                    ])
                #expect(minted.status == 0, "\(minted.stderr)")
                let json = try JSONSerialization.jsonObject(with: Data(minted.stdout.utf8)) as? [String: Any]
                let token = try #require(json?["token"] as? String)
                let rls = try #require(json?["rls"] as? [[String: Any]])
                #expect(rls.count == 1)
                #expect(rls.first?["clause"] as? String == "customer_id = '\(tenant)'")
                let seen = try await tenantsSeen(token: token, api: api)
                #expect(seen.status == 200)
                #expect(!seen.tenants.isEmpty)
                #expect(Set(seen.tenants) == [tenant], "\(seen.tenants)")
            }
            // The audit has both mints, never the token.
            let audit = try await AuditTrail.lines(root: repo.root).joined(separator: "\n")
            #expect(audit.components(separatedBy: "\"action\":\"embed-mint\"").count - 1 == 2)
            #expect(audit.contains("\"tenant_id\":\"c2\""))
            #expect(!audit.contains("eyJ"))
        }

        static let injections = [
            "c1' OR '1'='1", "c1'--", "c1' UNION SELECT customer_id FROM fact_sales --", "c1\\' OR 1=1 --",
            "c1\\", "c1ʼ OR ʼ1ʼ=ʼ1", "c1＇ OR ＇1＇=＇1", "c1\n OR 1=1", "%", "c_", "c1' /* */ OR 'a'='a",
            "' OR customer_id LIKE '%", "c1\"; DROP TABLE fact_sales; --",
        ]

        @Test("injection-shaped tenant ids are refused by the pattern, or, let through, see no other tenant")
        func injections() async throws {
            try applied()
            // Those the default pattern lets through (`c_`) are checked with the others below.
            for id in Self.injections where id.wholeMatch(of: /[A-Za-z0-9_.:@-]{1,128}/) == nil {
                let refused = try mint(["--tenant-id", id, "--user-id", "u", "--roles", "viewer", "--expires", "300"])
                #expect(refused.status == 1, "\(id): \(refused.stdout)")
                #expect(refused.stdout.isEmpty)
                #expect(refused.stderr.contains("embed mint-token refused: tenant id"), "\(id): \(refused.stderr)")
            }
            // A permissive pattern lets them through: quoted, they match no tenant at all.
            try repo.write(
                "assets/embeds/policy.yaml", Self.policy + "tenant_id_pattern: '^.{1,200}$'\n")
            let api = try await LiveAPI.login(LiveServer.url)
            for id in Self.injections {
                let minted = try mint(
                    ["--tenant-id", id, "--user-id", "u", "--roles", "viewer", "--expires", "300", "--format", "json"])
                if id.contains("\n") {
                    #expect(minted.status == 1, "a control character is never put into SQL")
                    continue
                }
                #expect(minted.status == 0, "\(id): \(minted.stderr)")
                let json = try JSONSerialization.jsonObject(with: Data(minted.stdout.utf8)) as? [String: Any]
                let token = try #require(json?["token"] as? String)
                let seen = try await tenantsSeen(token: token, api: api)
                #expect(seen.tenants.isEmpty, "\(id) saw \(seen.tenants) (status \(seen.status))")
            }
        }

        @Test("an over-long TTL, a missing user, a foreign role and a dashboard outside the policy are refused")
        func refusals() async throws {
            try applied()
            let base = ["--tenant-id", "c1", "--user-id", "u", "--roles", "viewer", "--expires", "60"]
            let cases: [([String], String)] = [
                (
                    ["--tenant-id", "c1", "--user-id", "u", "--roles", "viewer", "--expires", "7200"],
                    "--expires 7200 is longer than the policy's token_policy.max_ttl (3600 s)"
                ),
                (["--tenant-id", "c1", "--roles", "viewer", "--expires", "60"], "requires a user: pass --user-id"),
                (
                    ["--tenant-id", "c1", "--user-id", "u", "--roles", "superuser", "--expires", "60"],
                    "role 'superuser'"
                ),
                (["--tenant-id", "c1", "--user-id", "u", "--expires", "60"], "requires roles: pass --roles"),
                (["--user-id", "u", "--roles", "viewer", "--expires", "60"], "requires a tenant: pass --tenant-id"),
            ]
            for (arguments, message) in cases {
                let result = try mint(arguments)
                #expect(result.status == 1)
                #expect(result.stdout.isEmpty, "nothing minted")
                #expect(result.stderr.contains(message), "\(result.stderr)")
            }
            let outside = try repo.hybrid(
                ["embed", "mint-token", "--env", "live", "--dashboard-id", "hidden-\(repo.suffix)"] + base)
            #expect(outside.status == 1)
            #expect(outside.stderr.contains("is not in the embed policy's dashboards"), "\(outside.stderr)")
            let audit = try await AuditTrail.lines(root: repo.root).joined(separator: "\n")
            #expect(audit.components(separatedBy: "\"status\":\"refused\"").count - 1 == cases.count + 1)
        }

        @Test("a locally signed token with --expires 2 reads rows, and is refused after 3 s")
        func localSigning() async throws {
            try applied()
            let secretFile = try #require(
                ProcessInfo.processInfo.environment["HYBRID_TEST_GUEST_TOKEN_SECRET_FILE"],
                "HYBRID_TEST_GUEST_TOKEN_SECRET_FILE names the live server's guest token secret")
            let secret = try String(contentsOfFile: secretFile, encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let minted = try mint(
                ["--tenant-id", "c3", "--user-id", "u", "--roles", "analyst", "--expires", "2", "--format", "json"],
                environment: ["HYBRID_GUEST_TOKEN_SECRET": secret])
            #expect(minted.status == 0, "\(minted.stderr)")
            #expect(!minted.stderr.contains(secret))
            let json = try JSONSerialization.jsonObject(with: Data(minted.stdout.utf8)) as? [String: Any]
            let token = try #require(json?["token"] as? String)
            let api = try await LiveAPI.login(LiveServer.url)
            let fresh = try await tenantsSeen(token: token, api: api)
            #expect(fresh.status == 200)
            #expect(Set(fresh.tenants) == ["c3"], "\(fresh.tenants)")
            try await Task.sleep(for: .seconds(3))
            let expired = try await tenantsSeen(token: token, api: api)
            #expect(expired.status == 401, "an expired token is refused")
        }

        @Test("the allowed domains on the server equal the policy after apply; a UI change is drift")
        func domainsDrift() async throws {
            try applied()
            let api = try await LiveAPI.login(LiveServer.url)
            let dashboard = try #require(
                try await api.find("dashboard", column: "slug", value: "overview-\(repo.suffix)"))
            let result = try await api.get("dashboard/\(dashboard)/embedded")
            #expect(result["allowed_domains"] as? [String] == ["https://app.example.com"])
            let uuid = try #require(result["uuid"] as? String)
            let clean = try repo.hybrid(["drift-plan", "--env", "live"])
            #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")

            try await api.post("dashboard/\(dashboard)/embedded", ["allowed_domains": ["https://evil.example.net"]])
            let drift = try repo.hybrid(["drift-plan", "--env", "live"])
            #expect(drift.status == 2, "\(drift.stdout)\(drift.stderr)")
            #expect(
                drift.stdout.contains(
                    "live: embed dashboards/overview.yaml: allowed domains differ (server: https://evil.example.net; "
                        + "policy: https://app.example.com)"), "\(drift.stdout)")
            let plan = try repo.hybrid(["plan", "--env", "live"])
            #expect(
                plan.stdout.contains("~ embed     dashboards/overview.yaml: allowed domains differ"), "\(plan.stdout)")
            let again = try repo.hybrid(["apply", "--env", "live"])
            #expect(again.stdout.contains("1 dashboard embedded (1 set)"), "\(again.stdout)")
            let after = try await api.get("dashboard/\(dashboard)/embedded")
            #expect(after["allowed_domains"] as? [String] == ["https://app.example.com"])
            #expect(after["uuid"] as? String == uuid, "the embedded uuid is kept")
            #expect(try repo.hybrid(["drift-plan", "--env", "live"]).status == 0)
        }

        @Test(
            "hybrid serve: a guest token from POST reads only its tenant's rows; /api/metrics/queries counts Superset's log"
        )
        func serve() async throws {
            try applied()
            let since = AuditTime.timestamp(Date().addingTimeInterval(-2))
            let api = try await LiveAPI.login(LiveServer.url)
            var environment = ProcessInfo.processInfo.environment
            environment["HYBRID_SUPERSET_USERNAME"] = LiveServer.username
            environment["HYBRID_SUPERSET_PASSWORD"] = LiveServer.password
            environment["HYBRID_SERVE_TOKEN"] = "live-serve-token-0123456789"
            let server = try ServeProcess(root: repo.root, environment: environment)
            let token = "live-serve-token-0123456789"
            let asked =
                #"{"env": "live", "dashboard_id": "dashboards/overview", "tenant_id": "c2", "user_id": "u-c2", "#
                + #""roles": ["viewer"], "expires": 600}"#
            var minted = try await server.json("/api/embed/guest-token", method: "POST", token: token, body: asked)
            if minted.status == 502 {
                // Superset's development server under CI once left a listing unanswered for 15 s; the
                // server said so (502, naming the call). One more ask, which must mint.
                print("serve: first mint answered 502 (\(minted.json)); asking once more")
                minted = try await server.json("/api/embed/guest-token", method: "POST", token: token, body: asked)
            }
            #expect(minted.status == 200, "\(minted.json) \(server.stderr)")
            let guestToken = try #require(minted.json["token"] as? String)
            #expect((minted.json["rls"] as? [[String: Any]])?.first?["clause"] as? String == "customer_id = 'c2'")
            let seen = try await tenantsSeen(token: guestToken, api: api)
            #expect(seen.status == 200)
            #expect(Set(seen.tenants) == ["c2"])
            let refused = try await server.json(
                "/api/embed/guest-token", method: "POST", token: token,
                body: asked.replacingOccurrences(of: #"["viewer"]"#, with: #"["owner"]"#))
            #expect(refused.status == 403)
            #expect((refused.json["error"] as? [String: Any])?["reason"] as? String == "roles")
            // Three chart-data queries as an admin, logged by Superset with their durations.
            for _ in 0..<3 { _ = try await tenantsSeen(token: "", api: api, asAdmin: true) }
            let chart = try #require(try await api.find("chart", column: "slice_name", value: "Revenue \(repo.suffix)"))
            let path = "/api/metrics/queries?env=live&group_by=chart&since=\(since)"
            let queries = try await server.json(path, token: token)
            #expect(queries.status == 200, "\(queries.json)")
            #expect(queries.json["cached"] as? Bool == false)
            let groups = queries.json["chart_data"] as? [[String: Any]] ?? []
            let group = try #require(groups.first { $0["key"] as? String == String(chart) }, "\(queries.json)")
            #expect((group["count"] as? Int ?? 0) >= 4, "three as admin, one as the guest: \(group)")
            #expect(group["errors"] as? Int == 0)
            let p50 = try #require(group["p50_ms"] as? Double)
            let p95 = try #require(group["p95_ms"] as? Double)
            let maximum = try #require(group["max_ms"] as? Double)
            #expect(p50 >= 0 && p50 <= p95 && p95 <= maximum)
            let again = try await server.json(path, token: token)
            #expect(again.json["cached"] as? Bool == true, "a second ask within the cache time is not Superset's")
            let embeds = try await server.json("/api/metrics/embeds?group_by=tenant&since=\(since)", token: token)
            let c2 = (embeds.json["groups"] as? [[String: Any]])?.first { $0["key"] as? String == "c2" }
            #expect(c2?["minted"] as? Int == 1)
            #expect(c2?["refused_by_reason"] as? [String: Int] == ["roles": 1])
            #expect(server.stop() == 0)
        }
    }
}
