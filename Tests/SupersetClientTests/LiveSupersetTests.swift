import Foundation
import HybridTestSupport
import SupersetClient
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Where the live tests find a real Superset, from the environment.
///
/// `HYBRID_TEST_SUPERSET_URL` (CSRF off) and `HYBRID_TEST_SUPERSET_CSRF_URL` (CSRF on) enable the tests;
/// unset, they are skipped. Once set, an unreachable server fails them (in CI and elsewhere alike).
/// Credentials are admin/admin unless `HYBRID_SUPERSET_USERNAME`/`HYBRID_SUPERSET_PASSWORD` say otherwise.
enum LiveSuperset {
    static let environment = ProcessInfo.processInfo.environment
    static let url = nonEmpty("HYBRID_TEST_SUPERSET_URL")
    static let csrfURL = nonEmpty("HYBRID_TEST_SUPERSET_CSRF_URL")

    static var auth: SupersetAuth {
        .password(
            username: nonEmpty("HYBRID_SUPERSET_USERNAME") ?? "admin",
            password: nonEmpty("HYBRID_SUPERSET_PASSWORD") ?? "admin")
    }

    static func client(_ url: String, events: Locked<[SupersetRequestEvent]>? = nil) throws -> SupersetAPIClient {
        var options = SupersetClientOptions()
        if let events { options.onRequest = { event in events.withValue { $0.append(event) } } }
        return SupersetAPIClient(target: try SupersetTarget(url, auth: auth), options: options)
    }

    private static func nonEmpty(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }
}

/// A minimal valid bundle (database `sqlite://`, virtual dataset, table chart, dashboard) with fresh uuids
/// and names, so runs never collide with each other or with other tests on the same server.
struct LiveBundle {
    let suffix = UUID().uuidString.prefix(8).lowercased()
    let database = UUID().uuidString.lowercased()
    let dataset = UUID().uuidString.lowercased()
    let chart = UUID().uuidString.lowercased()
    let dashboard = UUID().uuidString.lowercased()

    var uuids: [SupersetAssetKind: String] {
        [.database: database, .dataset: dataset, .chart: chart, .dashboard: dashboard]
    }

    var files: [(path: String, bytes: [UInt8])] {
        [
            ("metadata.yaml", "version: 1.0.0\ntype: assets\ntimestamp: '2024-01-01T00:00:00+00:00'\n"),
            (
                "databases/live_\(suffix).yaml",
                """
                database_name: hybrid_live_\(suffix)
                sqlalchemy_uri: sqlite://
                uuid: \(database)
                version: 1.0.0
                extra: {}

                """
            ),
            (
                "datasets/live_\(suffix)/numbers.yaml",
                """
                table_name: hybrid_numbers_\(suffix)
                sql: select 1 as a
                uuid: \(dataset)
                version: 1.0.0
                database_uuid: \(database)

                """
            ),
            (
                "charts/numbers_\(suffix).yaml",
                """
                slice_name: hybrid numbers \(suffix)
                viz_type: table
                uuid: \(chart)
                version: 1.0.0
                dataset_uuid: \(dataset)
                params: {}

                """
            ),
            (
                "dashboards/live_\(suffix).yaml",
                """
                dashboard_title: hybrid live \(suffix)
                uuid: \(dashboard)
                version: 1.0.0
                position:
                  DASHBOARD_VERSION_KEY: v2
                  ROOT_ID: {id: ROOT_ID, type: ROOT, children: [GRID_ID]}
                  GRID_ID: {id: GRID_ID, type: GRID, children: [ROW-1], parents: [ROOT_ID]}
                  ROW-1: {id: ROW-1, type: ROW, children: [CHART-1], parents: [ROOT_ID, GRID_ID],
                    meta: {background: BACKGROUND_TRANSPARENT}}
                  CHART-1: {id: CHART-1, type: CHART, children: [], parents: [ROOT_ID, GRID_ID, ROW-1],
                    meta: {uuid: \(chart), chartId: 1, width: 4, height: 50}}

                """
            ),
        ].map { (path: $0.0, bytes: Array($0.1.utf8)) }
    }

    func zip() throws -> Data { try BundleArchive.make(files: files, topFolder: "bundle") }
}

@Suite("Live Superset", .serialized)
struct LiveSupersetTests {
    /// Import, list, export (all and per type), delete: the whole round on one server.
    private func roundTrip(_ client: SupersetAPIClient) async throws {
        try await client.health()
        try await client.authenticate()
        let bundle = LiveBundle()
        try await client.importAssets(bundle: try bundle.zip())

        var ids: [SupersetAssetKind: Int] = [:]
        for kind in SupersetAssetKind.allCases {
            let objects = try await client.list(kind)
            let object = try #require(objects.first { $0.uuid == bundle.uuids[kind] }, "\(kind) not listed")
            #expect(object.name.contains(bundle.suffix))
            ids[kind] = object.id
        }

        let everything = try BundleArchive.read(try await client.exportAssets())
        #expect(everything.contains { $0.path == "metadata.yaml" })
        let exportedText = everything.map { String(decoding: $0.bytes, as: UTF8.self) }.joined(separator: "\n")
        for uuid in bundle.uuids.values { #expect(exportedText.contains("uuid: \(uuid)")) }

        let dashboardExport = try BundleArchive.read(try await client.export(.dashboard, ids: [ids[.dashboard]!]))
        let dashboardText = dashboardExport.map { String(decoding: $0.bytes, as: UTF8.self) }.joined(separator: "\n")
        for uuid in bundle.uuids.values { #expect(dashboardText.contains("uuid: \(uuid)")) }
        #expect(dashboardExport.contains { $0.path.hasPrefix("dashboards/") })

        for kind in [SupersetAssetKind.dashboard, .chart, .dataset, .database] {
            try await client.delete(kind, id: ids[kind]!)
            #expect(try await client.list(kind).allSatisfy { $0.uuid != bundle.uuids[kind] })
        }
        // (Deleting the same id again is not a reliable notFound here: SQLite reuses the highest
        // deleted id, so another test's new chart may hold it by now.)
    }

    @Test(
        "login, import, list, export and delete against a real Superset",
        .enabled(if: LiveSuperset.url != nil, "set HYBRID_TEST_SUPERSET_URL to run"))
    func liveRoundTrip() async throws {
        try await roundTrip(try LiveSuperset.client(LiveSuperset.url!))
    }

    @Test(
        "the same round against a Superset that enforces CSRF",
        .enabled(if: LiveSuperset.csrfURL != nil, "set HYBRID_TEST_SUPERSET_CSRF_URL to run"))
    func liveCSRFRoundTrip() async throws {
        let url = LiveSuperset.csrfURL!
        let events = Locked<[SupersetRequestEvent]>([])
        try await roundTrip(try LiveSuperset.client(url, events: events))
        #expect(events.current.contains { $0.path == "/api/v1/security/csrf_token/" && $0.status == 200 })
        // The token was right the first time: no call was refused and repeated.
        #expect(!events.current.contains { $0.status == 302 || $0.status == 400 })

        // The server really enforces CSRF: the same kind of bearer token without a CSRF token is refused.
        guard case .password(let username, let password) = LiveSuperset.auth else { return }
        var login = URLRequest(url: URL(string: url + "/api/v1/security/login")!)
        login.httpMethod = "POST"
        login.setValue("application/json", forHTTPHeaderField: "Content-Type")
        login.httpBody = try JSONSerialization.data(withJSONObject: [
            "username": username, "password": password, "provider": "db",
        ])
        let (data, _) = try await URLSession.shared.data(for: login)
        let answer = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let token = try #require(answer?["access_token"] as? String)
        var delete = URLRequest(url: URL(string: url + "/api/v1/chart/999999999")!)
        delete.httpMethod = "DELETE"
        delete.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        delete.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let (_, response) = try await URLSession.shared.data(for: delete)
        #expect((response as? HTTPURLResponse)?.statusCode == 400)
    }

    @Test(
        "database passwords are keyed by the file's path below the top folder",
        .enabled(if: LiveSuperset.url != nil, "set HYBRID_TEST_SUPERSET_URL to run"))
    func livePasswords() async throws {
        let client = try LiveSuperset.client(LiveSuperset.url!)
        let uuid = UUID().uuidString.lowercased()
        let suffix = uuid.prefix(8)
        let zip = try BundleArchive.make(
            files: [
                (path: "metadata.yaml", bytes: Array("version: 1.0.0\ntype: assets\n".utf8)),
                (
                    path: "databases/warehouse.yaml",
                    bytes: Array(
                        """
                        database_name: hybrid_pw_\(suffix)
                        sqlalchemy_uri: postgresql://scott:XXXXXXXXXX@127.0.0.1:1/analytics
                        uuid: \(uuid)
                        version: 1.0.0
                        extra: {}

                        """.utf8)
                ),
            ], topFolder: "bundle")
        // A masked password without a replacement is refused...
        let missing = await supersetError { try await client.importAssets(bundle: zip) }
        #expect(missing != nil)
        // ...and so is one keyed with the top folder...
        let prefixed = await supersetError {
            try await client.importAssets(bundle: zip, passwords: ["bundle/databases/warehouse.yaml": "tiger"])
        }
        #expect(prefixed != nil)
        // ...while the path below the top folder is what Superset matches.
        try await client.importAssets(bundle: zip, passwords: ["databases/warehouse.yaml": "tiger"])
        let database = try #require(try await client.list(.database).first { $0.uuid == uuid })
        try await client.delete(.database, id: database.id)
    }

    @Test(
        "wrong credentials are refused with Superset's message",
        .enabled(if: LiveSuperset.url != nil, "set HYBRID_TEST_SUPERSET_URL to run"))
    func liveWrongPassword() async throws {
        let client = SupersetAPIClient(
            target: try SupersetTarget(
                LiveSuperset.url!, auth: .password(username: "admin", password: "definitely-wrong-password")))
        let error = try #require(await supersetError { try await client.authenticate() })
        #expect(error.kind == .unauthorized)
        #expect(error.message == "login as 'admin' was refused: Not authorized")
        #expect(!error.description.contains("definitely-wrong-password"))
    }
}
