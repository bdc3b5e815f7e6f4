import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HybridAudit
import HybridServe
import HybridTestSupport
import NIOCore
import Testing

@Suite("hybrid serve: routes, auth and bad input")
struct ServeRoutesTests {
    static let base: Int64 = 1_796_000_000_000

    private static func record(_ index: Int, env: String = "prod", status: AuditRecord.Status = .success)
        -> AuditRecord
    {
        AuditRecord(
            recordID: "r\(index)", timestamp: AuditTime.timestamp(milliseconds: base + Int64(index) * 60_000),
            actor: "ci@example.com", action: .apply, environment: env, tenant: index % 2 == 0 ? "acme" : nil,
            target: "http://127.0.0.1:8088", gitSHA: String(repeating: "c", count: 40), assets: ["chart": index],
            status: status, durationSeconds: Double(index), error: status == .failed ? "nope" : nil)
    }

    @Test("every /api route asks for the bearer token; /healthz, /metrics and / do not")
    func auth() async throws {
        let harness = try await ServeHarness()
        try await harness.server.application().test(.router) { client in
            for (method, uri) in [
                (HTTPRequest.Method.get, "/api/audit/deploys"), (.get, "/api/metrics/embeds"),
                (.get, "/api/metrics/queries"), (.post, "/api/embed/guest-token"),
            ] {
                try await client.execute(uri: uri, method: method) { response in
                    #expect(response.status == .unauthorized, "\(uri)")
                    #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"hybrid\"")
                }
                try await client.execute(
                    uri: uri, method: method, headers: [.authorization: "Bearer \(ServeHarness.token)x"]
                ) { response in #expect(response.status == .unauthorized, "\(uri)") }
                try await client.execute(
                    uri: uri, method: method, headers: [.authorization: "Basic \(ServeHarness.token)"]
                ) { response in #expect(response.status == .unauthorized, "\(uri)") }
            }
            try await client.execute(uri: "/api/audit/deploys", method: .get, headers: ServeHarness.authorized) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.text.contains("<table id=\"deploys\">"))
                #expect(!response.text.contains("http://") || !response.text.contains("src=\"http"))
            }
        }
    }

    @Test("the server refuses to start without a token, except --no-auth on loopback")
    func startRules() throws {
        #expect(throws: (any Error).self) { try HybridServer.checkAuth(bind: "127.0.0.1", token: nil, noAuth: false) }
        #expect(throws: (any Error).self) { try HybridServer.checkAuth(bind: "0.0.0.0", token: nil, noAuth: true) }
        #expect(throws: (any Error).self) { try HybridServer.checkAuth(bind: "10.0.0.5", token: nil, noAuth: true) }
        #expect(throws: (any Error).self) {
            try HybridServer.checkAuth(bind: "127.0.0.1", token: "short", noAuth: false)
        }
        #expect(throws: (any Error).self) {
            try HybridServer.checkAuth(bind: "127.0.0.1", token: ServeHarness.token, noAuth: true)
        }
        #expect(try HybridServer.checkAuth(bind: "127.0.0.1", token: nil, noAuth: true) == nil)
        #expect(try HybridServer.checkAuth(bind: "::1", token: nil, noAuth: true) == nil)
        #expect(
            try HybridServer.checkAuth(bind: "0.0.0.0", token: ServeHarness.token, noAuth: false) == ServeHarness.token)
    }

    @Test("bad query strings, huge limits, invalid cursors: each a 400 naming the parameter")
    func badInput() async throws {
        let harness = try await ServeHarness()
        let cases: [(String, String)] = [
            ("/api/audit/deploys?limit=100000", "limit"), ("/api/audit/deploys?limit=-1", "limit"),
            ("/api/audit/deploys?limit=1e3", "limit"), ("/api/audit/deploys?cursor=not-a-cursor", "cursor"),
            ("/api/audit/deploys?cursor=djI6MTox", "cursor"), ("/api/audit/deploys?env=%zz", "env"),
            ("/api/audit/deploys?env=%C3%28", "env"), ("/api/audit/deploys?since=last-week", "since"),
            ("/api/audit/deploys?status=green", "status"), ("/api/audit/deploys?env=a&env=b", "env"),
            ("/api/audit/deploys?drop=table", "drop"), ("/api/metrics/embeds?group_by=planet", "group_by"),
            ("/api/metrics/embeds?until=2026-13-01", "until"), ("/api/metrics/queries?env=nowhere", "env"),
            ("/api/metrics/queries?group_by=tenant", "group_by"),
        ]
        try await harness.server.application().test(.router) { client in
            for (uri, parameter) in cases {
                try await client.execute(uri: uri, method: .get, headers: ServeHarness.authorized) { response in
                    #expect(response.status == .badRequest, "\(uri)")
                    #expect(response.parameter == parameter, "\(uri): \(response.text)")
                }
            }
            let bodies: [(String, String?)] = [
                ("not json", nil), (#"{"dashboard_id": "d"}"#, "expires"),
                (#"{"dashboard_id": "d", "expires": "soon"}"#, "expires"), (#"{"expires": 60}"#, "dashboard_id"),
                (#"{"dashboard_id": "d", "expires": 60, "env": "nowhere"}"#, "env"),
            ]
            for (body, parameter) in bodies {
                try await client.execute(
                    uri: "/api/embed/guest-token", method: .post, headers: ServeHarness.authorized,
                    body: ByteBuffer(string: body)
                ) { response in
                    #expect(response.status == .badRequest, "\(body)")
                    #expect(response.parameter == parameter, "\(body): \(response.text)")
                }
            }
            try await client.execute(
                uri: "/api/embed/guest-token", method: .post, headers: ServeHarness.authorized,
                body: ByteBuffer(repeating: 0x20, count: 70_000)
            ) { #expect($0.status == .contentTooLarge) }
        }
    }

    @Test("/api/audit/deploys filters and pages newest first; next_cursor walks every record once")
    func deploys() async throws {
        let harness = try await ServeHarness()
        try await harness.store.append((0..<12).map { Self.record($0, env: $0 % 3 == 0 ? "dev" : "prod") })
        try await harness.server.application().test(.router) { client in
            var seen: [String] = []
            var uri = "/api/audit/deploys?limit=5&env=prod"
            while true {
                let json = try await client.execute(uri: uri, method: .get, headers: ServeHarness.authorized) {
                    $0.json
                }
                let items = try #require(json["items"] as? [[String: Any]])
                seen += items.compactMap { $0["record_id"] as? String }
                #expect(items.allSatisfy { $0["env"] as? String == "prod" })
                guard let next = json["next_cursor"] as? String else { break }
                uri = "/api/audit/deploys?limit=5&env=prod&cursor=\(next)"
            }
            #expect(seen == [11, 10, 8, 7, 5, 4, 2, 1].map { "r\($0)" })
            let since = AuditTime.timestamp(milliseconds: Self.base + 10 * 60_000)
            try await client.execute(
                uri: "/api/audit/deploys?since=\(since)&tenant=acme", method: .get, headers: ServeHarness.authorized
            ) { response in
                let items = response.json["items"] as? [[String: Any]] ?? []
                #expect(items.compactMap { $0["record_id"] as? String } == ["r10"])
                #expect(items.first?["git_sha"] as? String == String(repeating: "c", count: 40))
                #expect(items.first?["assets"] as? [String: Int] == ["chart": 10])
            }
        }
        await harness.store.close()
    }

    @Test("a refused guest token is a 403 with its reason, audited, and counted in /api/metrics/embeds and /metrics")
    func guestTokenRefusal() async throws {
        let harness = try await ServeHarness()
        try await harness.server.application().test(.router) { client in
            try await client.execute(
                uri: "/api/embed/guest-token", method: .post, headers: ServeHarness.authorized,
                body: ByteBuffer(
                    string: #"{"dashboard_id": "d-dev", "tenant_id": "c1", "user_id": "u", "expires": 601}"#)
            ) { response in
                #expect(response.status == .forbidden)
                let error = response.json["error"] as? [String: Any]
                #expect(error?["reason"] as? String == "ttl")
                #expect((error?["message"] as? String)?.contains("max_ttl (600 s)") == true)
            }
            try await client.execute(
                uri: "/api/embed/guest-token", method: .post, headers: ServeHarness.authorized,
                body: ByteBuffer(string: #"{"dashboard_id": "d-dev", "tenant_id": "c1", "expires": 60}"#)
            ) { response in
                #expect(response.status == .forbidden)
                #expect((response.json["error"] as? [String: Any])?["reason"] as? String == "user_required")
            }
            try await client.execute(
                uri: "/api/metrics/embeds?group_by=tenant", method: .get, headers: ServeHarness.authorized
            ) { response in
                let groups = response.json["groups"] as? [[String: Any]]
                #expect(groups?.count == 1)
                #expect(groups?.first?["key"] as? String == "c1")
                #expect(groups?.first?["refused"] as? Int == 2)
                #expect(groups?.first?["minted"] as? Int == 0)
                #expect(groups?.first?["refused_by_reason"] as? [String: Int] == ["ttl": 1, "user_required": 1])
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(
                    response.text.contains(#"hybrid_guest_tokens_total{env="dev",outcome="refused",reason="ttl"} 1"#))
            }
        }
        let records = try await AuditTrail.records(root: harness.repository.path)
        #expect(records.map(\.status) == [.refused, .refused])
        #expect(records.first?.embed?.ttlSeconds == 601)
        await harness.store.close()
    }

    @Test("/metrics: deploys by env and status, the apply duration histogram, requests by route and status")
    func metrics() async throws {
        let harness = try await ServeHarness()
        try await harness.store.append([
            Self.record(1, status: .success), Self.record(2, status: .success), Self.record(3, status: .failed),
            Self.record(4, env: "dev", status: .noop),
        ])
        let store = harness.store
        try await harness.server.application().test(.router) { client in
            try await client.execute(uri: "/api/audit/deploys?limit=0", method: .get, headers: ServeHarness.authorized)
            {
                #expect($0.status == .badRequest)
            }
            let first = try await client.execute(uri: "/metrics", method: .get) { $0.text }
            #expect(first.contains(#"hybrid_deploys_total{action="apply",env="prod",status="success"} 2"#))
            #expect(first.contains(#"hybrid_deploys_total{action="apply",env="prod",status="failed"} 1"#))
            #expect(first.contains(#"hybrid_deploys_total{action="apply",env="dev",status="noop"} 1"#))
            #expect(first.contains(#"hybrid_apply_duration_seconds_bucket{env="prod",le="2.5"} 2"#))
            #expect(first.contains(#"hybrid_apply_duration_seconds_count{env="prod"} 3"#))
            #expect(first.contains(#"hybrid_apply_duration_seconds_sum{env="prod"} 6.0"#))
            #expect(
                first.contains(#"hybrid_http_requests_total{route="/api/audit/deploys",method="GET",status="400"} 1"#))
            // Records stored later (by any process) are counted at the next scrape, once.
            try await store.append([Self.record(5, status: .success)])
            let second = try await client.execute(uri: "/metrics", method: .get) { $0.text }
            #expect(second.contains(#"hybrid_deploys_total{action="apply",env="prod",status="success"} 3"#))
            let third = try await client.execute(uri: "/metrics", method: .get) { $0.text }
            #expect(third.contains(#"hybrid_deploys_total{action="apply",env="prod",status="success"} 3"#))
            #expect(third.contains(#"hybrid_http_requests_total{route="/metrics",method="GET",status="200"} 2"#))
        }
        await harness.store.close()
    }
}
