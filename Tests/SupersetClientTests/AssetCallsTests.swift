import Foundation
import HybridTestSupport
import SupersetClient
import Testing

@Suite("Import, export, list and delete against a stub Superset")
struct AssetCallsTests {
    /// A uuid made from a number.
    private static func uuid(_ id: Int) -> String {
        "0000000a-0000-4000-8000-" + String(repeating: "0", count: 12 - String(id).count) + String(id)
    }

    /// A stub with `count` charts, paging like Flask-AppBuilder (page_size capped at 100).
    private static func chartServer(count: Int) throws -> StubHTTPServer {
        try StubHTTPServer { request in
            switch request.path {
            case "/api/v1/security/login": return loginAnswer(token: "jwt")
            case "/api/v1/chart/":
                let query = request.decodedQuery ?? ""
                guard let match = query.firstMatch(of: /page:(\d+),page_size:(\d+)\)$/),
                    let page = Int(match.1), let size = Int(match.2)
                else { return .json(400, #"{"message":"Not a valid rison/json argument"}"#) }
                let ids = Array(1...max(count, 1)).prefix(count).dropFirst(page * size).prefix(size)
                let rows = ids.map { id in
                    [
                        "id": id, "uuid": Self.uuid(id).uppercased(),
                        "slice_name": "chart \(id)",
                    ] as [String: Any]
                }
                return .json(200, object: ["count": count, "ids": Array(ids), "result": rows])
            default: return .notFound
            }
        }
    }

    @Test("list pages through every object with the rison query Superset expects")
    func listPages() async throws {
        let server = try Self.chartServer(count: 250)
        defer { server.stop() }
        let charts = try await stubClient(server).list(.chart)
        #expect(charts.count == 250)
        #expect(
            charts.first
                == SupersetObject(kind: .chart, id: 1, uuid: "0000000a-0000-4000-8000-000000000001", name: "chart 1"))
        #expect(charts.map(\.id) == Array(1...250))
        // Pages after the first are asked for concurrently: in any order.
        let queries = server.requests.filter { $0.path == "/api/v1/chart/" }.map { $0.decodedQuery ?? "" }.sorted()
        #expect(
            queries
                == (0...2).map {
                    "q=(columns:!(id,uuid,slice_name,changed_on_utc),order_column:slice_name,order_direction:asc,page:\($0),page_size:100)"
                })
    }

    @Test("dataset rows carry their database id, catalog and schema; dashboard rows their slug")
    func uniqueNameColumns() async throws {
        let server = try StubHTTPServer { request in
            switch request.path {
            case "/api/v1/security/login": return loginAnswer(token: "jwt")
            case "/api/v1/dataset/":
                #expect(
                    request.decodedQuery?.contains(
                        "columns:!(id,uuid,table_name,changed_on_utc,database.id,catalog,schema)") == true)
                return .json(
                    200,
                    object: [
                        "count": 1,
                        "result": [
                            [
                                "id": 7, "uuid": Self.uuid(7), "table_name": "orders", "database": ["id": 3],
                                "catalog": NSNull(), "schema": "public",
                            ] as [String: Any]
                        ],
                    ])
            case "/api/v1/dashboard/":
                #expect(
                    request.decodedQuery?.contains("columns:!(id,uuid,dashboard_title,changed_on_utc,slug)") == true)
                return .json(
                    200,
                    object: [
                        "count": 1,
                        "result": [
                            ["id": 9, "uuid": Self.uuid(9), "dashboard_title": "Sales", "slug": "sales"]
                                as [String: Any]
                        ],
                    ])
            default: return .notFound
            }
        }
        defer { server.stop() }
        let client = try stubClient(server)
        let dataset = try #require(try await client.list(.dataset).first)
        #expect(dataset.databaseID == 3)
        #expect(dataset.schema == "public")
        #expect(dataset.catalog == nil)
        #expect(dataset.slug == nil)
        #expect(try await client.list(.dashboard).first?.slug == "sales")
    }

    @Test("an empty list is one request")
    func emptyListing() async throws {
        let server = try Self.chartServer(count: 0)
        defer { server.stop() }
        #expect(try await stubClient(server).list(.chart).isEmpty)
        #expect(server.requests.filter { $0.path == "/api/v1/chart/" }.count == 1)
    }

    @Test("import posts a multipart form: bundle.zip, the passwords JSON and overwrite")
    func importForm() async throws {
        let server = try StubHTTPServer { request in
            switch request.path {
            case "/api/v1/security/login": return loginAnswer(token: "jwt")
            case "/api/v1/security/csrf_token/": return .json(200, #"{"result":"tok"}"#)
            case "/api/v1/assets/import/": return .json(200, #"{"message":"OK"}"#)
            default: return .notFound
            }
        }
        defer { server.stop() }
        let zip = try BundleArchive.make(
            files: [(path: "metadata.yaml", bytes: Array("version: 1.0.0\n".utf8))], topFolder: "bundle")
        try await stubClient(server).importAssets(
            bundle: zip, passwords: ["databases/warehouse.yaml": "pg-pass", "databases/b.yaml": "x\"y"], overwrite: true
        )
        let post = try #require(server.requests.first { $0.path == "/api/v1/assets/import/" })
        let contentType = try #require(post.header("Content-Type"))
        #expect(contentType.hasPrefix("multipart/form-data; boundary="))
        let boundary = String(contentType.split(separator: "=", maxSplits: 1)[1])
        let parts = multipartParts(post.body, boundary: boundary)
        #expect(
            parts.map(\.disposition) == [
                #"form-data; name="bundle"; filename="bundle.zip""#, #"form-data; name="passwords""#,
                #"form-data; name="overwrite""#,
            ])
        #expect(parts[0].body == zip)
        let passwords = try JSONSerialization.jsonObject(with: parts[1].body) as? [String: String]
        #expect(passwords == ["databases/warehouse.yaml": "pg-pass", "databases/b.yaml": "x\"y"])
        #expect(String(decoding: parts[2].body, as: UTF8.self) == "true")
    }

    @Test("without passwords the field is left out")
    func importWithoutPasswords() async throws {
        let server = try StubHTTPServer { request in
            request.path == "/api/v1/security/csrf_token/" ? .notFound : .json(200, #"{"message":"OK"}"#)
        }
        defer { server.stop() }
        try await stubClient(server, auth: .bearer("t")).importAssets(bundle: Data("PK".utf8), overwrite: false)
        let post = try #require(server.requests.last)
        #expect(!post.bodyText.contains(#"name="passwords""#))
        #expect(post.bodyText.contains("name=\"overwrite\"\r\n\r\nfalse\r\n"))
    }

    @Test("per-type export asks for the ids in rison and returns the ZIP; the full export too")
    func exports() async throws {
        let zip = try BundleArchive.make(
            files: [(path: "metadata.yaml", bytes: Array("version: 1.0.0\n".utf8))], topFolder: "x_export")
        let server = try StubHTTPServer { request in
            switch request.path {
            case "/api/v1/dashboard/export/", "/api/v1/assets/export/":
                return StubResponse(status: 200, headers: [("Content-Type", "application/zip")], body: zip)
            case "/api/v1/chart/export/": return .json(200, #"{"message":"not a zip"}"#)
            default: return .notFound
            }
        }
        defer { server.stop() }
        let client = stubClient(server, auth: .bearer("t"))
        #expect(try await client.export(.dashboard, ids: [3, 14]) == zip)
        #expect(server.requests.last?.query == "q=!(3,14)")
        #expect(try await client.exportAssets() == zip)
        let notZip = await supersetError { _ = try await client.export(.chart, ids: [1]) }
        #expect(notZip?.kind == .unexpectedResponse)
        let none = await supersetError { _ = try await client.export(.chart, ids: []) }
        #expect(none?.kind == .invalid)
        let missing = await supersetError { _ = try await client.export(.database, ids: [9]) }
        #expect(missing?.kind == .notFound)
        #expect(missing?.message == "Not found")
    }

    @Test("delete sends DELETE /api/v1/<kind>/<id> and a 404 is notFound")
    func deletes() async throws {
        let server = try StubHTTPServer { request in
            switch (request.method, request.path) {
            case ("GET", "/api/v1/security/csrf_token/"): return .json(200, #"{"result":"tok"}"#)
            case ("DELETE", "/api/v1/dataset/5"): return .json(200, #"{"message":"OK"}"#)
            default: return .notFound
            }
        }
        defer { server.stop() }
        let client = stubClient(server, auth: .bearer("t"))
        try await client.delete(.dataset, id: 5)
        let error = await supersetError { try await client.delete(.dataset, id: 6) }
        #expect(error?.kind == .notFound)
        #expect(error?.path == "/api/v1/dataset/6")
    }
}

/// The parts of a multipart body: each part's Content-Disposition and body.
private func multipartParts(_ body: Data, boundary: String) -> [(disposition: String, body: Data)] {
    let delimiter = Data("--\(boundary)".utf8)
    var parts: [(disposition: String, body: Data)] = []
    var rest = body[...]
    while let start = rest.range(of: delimiter) {
        rest = rest[start.upperBound...]
        guard rest.starts(with: Data("\r\n".utf8)), let end = rest.range(of: delimiter) else { break }
        let part = rest[rest.index(rest.startIndex, offsetBy: 2)..<end.lowerBound].dropLast(2)
        guard let headerEnd = part.range(of: Data("\r\n\r\n".utf8)) else { break }
        let headers = String(decoding: part[..<headerEnd.lowerBound], as: UTF8.self)
        let disposition = headers.components(separatedBy: "\r\n").first { $0.hasPrefix("Content-Disposition: ") }
        parts.append(
            (
                disposition: String(disposition?.dropFirst("Content-Disposition: ".count) ?? ""),
                body: Data(part[headerEnd.upperBound...])
            ))
    }
    return parts
}
