import Foundation
import HybridTestSupport
import HybridYAML
import SupersetClient
import SupersetModel

/// A small in-memory Superset on top of `StubHTTPServer`: it logs anyone in, hands out a CSRF token
/// (and wants both on later calls), lists objects (paged by name like Flask-AppBuilder), exports them
/// (with what they reference) as a bundle ZIP, imports bundle ZIPs (creating or overwriting objects by
/// uuid, bumping `changed_on`) and deletes them. Tests can change objects behind hybrid's back, make
/// an import or a delete fail, or make deletes answer 404.
final class FakeSuperset: @unchecked Sendable {
    /// One object as the fake holds it.
    struct Object: Sendable {
        var kind: AssetKind
        var id: Int
        var uuid: String
        var name: String
        var changedOn: String
        /// What an export of it returns (as imported, or as seeded).
        var yaml: [UInt8]

        /// A top-level string of its YAML (`slug`, `schema`, `database_uuid`).
        func field(_ key: String) -> String? {
            (try? YAMLParser.parseDocument(yaml, file: kind.directory))?.mappingValue?[key]?.stringValue
        }
    }

    /// How the fake's store keeps Superset's unique names: like Superset's model (a dataset's table
    /// name per database and schema), or like a SQLite metadata store (a table name once per server).
    enum UniqueNames: Sendable {
        case tableNamePerDatabase
        case tableNamePerServer
    }

    /// One accepted or refused `POST /api/v1/assets/import/`.
    struct Import: Sendable {
        /// The files of the bundle ZIP, top folder stripped, with their text.
        var files: [String: String]
        /// The `passwords` form field, decoded; nil when it was left out.
        var passwords: [String: String]?
        var accepted: Bool

        var paths: [String] { files.keys.sorted() }
    }

    private struct State {
        var objects: [String: Object] = [:]
        var nextID = 1
        var clock = 0
        var imports: [Import] = []
        /// 1-based numbers of the import calls answered with a 500.
        var failingImports: Set<Int> = []
        var deletesAnswer404 = false
        var deletes = 0
        /// 1-based numbers of the DELETE calls answered with a 500.
        var failingDeletes: Set<Int> = []
        /// When set, an import that would give a unique name to a second uuid answers 500.
        var uniqueNames: UniqueNames?
        /// Embedded configurations by dashboard id: (embedded uuid, allowed domains).
        var embedded: [Int: (uuid: String, domains: [String])] = [:]
        /// The bodies of `POST /api/v1/security/guest_token/`, in order.
        var guestTokenRequests: [[String: Any]] = []
        /// Seconds a guest token the fake signs lives (Superset's GUEST_TOKEN_JWT_EXP_SECONDS).
        var guestTokenLifetime = 300.0
    }

    private let state = Locked(State())
    private var server: StubHTTPServer!

    init() throws {
        server = try StubHTTPServer { [state] request in FakeSuperset.answer(request, state: state) }
    }

    deinit { server.stop() }

    /// Stops the server (also done when the fake goes away).
    func stop() { server.stop() }

    var url: String { server.baseURL.absoluteString }

    /// Every request received, in arrival order.
    var requests: [StubRequest] { server.requests }

    /// `METHOD /path?query` of every request that is not login or CSRF, in arrival order.
    var calls: [String] {
        requests.filter { !$0.path.hasPrefix("/api/v1/security/") }.map { request in
            "\(request.method) \(request.path)" + (request.decodedQuery.map { "?" + $0 } ?? "")
        }
    }

    /// The export calls (`GET /api/v1/<kind>/export/?q=!(ids)`), sorted.
    var exportCalls: [String] { calls.filter { $0.contains("/export/") }.sorted() }

    /// The DELETE calls, in arrival order.
    var deleteCalls: [String] { calls.filter { $0.hasPrefix("DELETE ") } }

    var imports: [Import] { state.withValue { $0.imports } }
    var acceptedImports: [Import] { imports.filter(\.accepted) }

    /// Objects by uuid.
    var objects: [String: Object] { state.withValue { $0.objects } }

    func object(_ uuid: String) -> Object? { state.withValue { $0.objects[uuid] } }

    /// Makes the `number`th import call (1-based, counting every call) answer 500.
    func failImport(number: Int) { state.withValue { _ = $0.failingImports.insert(number) } }

    /// Makes imports fail (500, nothing stored) when they would give a database name, a dataset's
    /// table or a dashboard slug to a second uuid, as Superset's store does.
    func keepNamesUnique(_ names: UniqueNames) { state.withValue { $0.uniqueNames = names } }

    func answer404ToDeletes() { state.withValue { $0.deletesAnswer404 = true } }

    /// Makes the `number`th DELETE call (1-based) answer 500 and delete nothing.
    func failDelete(number: Int) { state.withValue { _ = $0.failingDeletes.insert(number) } }

    /// Puts an object on the server as if someone had created it there.
    @discardableResult
    func seed(kind: AssetKind, yaml: [UInt8]) -> Object {
        state.withValue { state in Self.store(kind: kind, yaml: yaml, into: &state)! }
    }

    /// Changes an object's exported text as an edit in Superset's UI would (a new `changed_on`).
    func edit(_ uuid: String, _ change: (String) -> String) {
        state.withValue { state in
            guard var object = state.objects[uuid] else { return }
            object.yaml = Array(change(String(decoding: object.yaml, as: UTF8.self)).utf8)
            object.changedOn = Self.tick(&state)
            state.objects[uuid] = object
        }
    }

    /// Removes an object as a deletion in Superset's UI would.
    func remove(_ uuid: String) { state.withValue { _ = $0.objects.removeValue(forKey: uuid) } }

    // MARK: - Answers

    private static func answer(_ request: StubRequest, state: Locked<State>) -> StubResponse {
        switch (request.method, request.path) {
        case ("POST", "/api/v1/security/login"):
            return .json(200, object: ["access_token": "fake-jwt", "refresh_token": "fake-refresh"])
        case ("GET", "/api/v1/security/csrf_token/"):
            return .json(200, object: ["result": "fake-csrf"])
        default:
            break
        }
        guard let authorization = request.header("Authorization"), authorization.hasPrefix("Bearer "),
            authorization.count > "Bearer ".count
        else { return .json(401, #"{"msg":"Missing Authorization Header"}"#) }
        if request.method != "GET", request.header("X-CSRFToken") != "fake-csrf" {
            return .json(400, #"{"message":"400 Bad Request: The CSRF token is missing."}"#)
        }
        switch (request.method, request.path) {
        case ("POST", "/api/v1/security/guest_token/"):
            return state.withValue { guestToken(request, state: &$0) }
        case ("POST", "/api/v1/assets/import/"):
            return state.withValue { importBundle(request, state: &$0) }
        case ("GET", "/api/v1/assets/export/"):
            return state.withValue { exportZip(Array($0.objects.keys), top: "assets_export_20240101T000000", $0) }
        default:
            break
        }
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "api", parts[1] == "v1",
            let kind = SupersetAssetKind(rawValue: parts[2])
        else { return .notFound }
        if parts.count == 5, parts[2] == "dashboard", parts[4] == "embedded", let id = Int(parts[3]) {
            return state.withValue { embedded(request, dashboard: id, state: &$0) }
        }
        switch (request.method, parts.count) {
        case ("GET", 3):
            return state.withValue { list(kind, query: request.decodedQuery ?? "", state: $0) }
        case ("GET", 4) where parts[3] == "export":
            return state.withValue { export(kind, query: request.decodedQuery ?? "", state: $0) }
        case ("DELETE", 4):
            guard let id = Int(parts[3]) else { return .notFound }
            return state.withValue { delete(kind, id: id, state: &$0) }
        default:
            return .notFound
        }
    }

    /// `GET` (404 when not embedded) or `POST` (upsert, keeping the uuid) `/api/v1/dashboard/<id>/embedded`.
    private static func embedded(_ request: StubRequest, dashboard id: Int, state: inout State) -> StubResponse {
        guard state.objects.values.contains(where: { $0.kind == .dashboard && $0.id == id }) else { return .notFound }
        if request.method == "POST" {
            let domains = request.json?["allowed_domains"] as? [String] ?? []
            let uuid = state.embedded[id]?.uuid ?? UUID().uuidString.lowercased()
            state.embedded[id] = (uuid, domains)
        }
        guard let current = state.embedded[id] else { return .notFound }
        return .json(200, object: ["result": ["uuid": current.uuid, "allowed_domains": current.domains]])
    }

    /// A guest token: an unsigned JWT with the claims Superset writes, `exp` after the fake's lifetime.
    private static func guestToken(_ request: StubRequest, state: inout State) -> StubResponse {
        state.guestTokenRequests.append(request.json ?? [:])
        let now = Date().timeIntervalSince1970
        let claims: [String: Any] = [
            "user": request.json?["user"] ?? [:], "resources": request.json?["resources"] ?? [],
            "rls_rules": request.json?["rls"] ?? [], "iat": now, "exp": now + state.guestTokenLifetime,
            "aud": "http://0.0.0.0:8080/", "type": "guest",
        ]
        let payload = (try? JSONSerialization.data(withJSONObject: claims)) ?? Data()
        let encode = { (data: Data) in
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        return .json(200, object: ["token": encode(Data(#"{"alg":"HS256"}"#.utf8)) + "." + encode(payload) + ".sig"])
    }

    /// The guest token requests received (JSON bodies).
    var guestTokenRequests: [[String: Any]] { state.withValue { $0.guestTokenRequests } }

    /// Sets how long the guest tokens the fake signs live.
    func signGuestTokens(for seconds: Double) { state.withValue { $0.guestTokenLifetime = seconds } }

    /// Changes a dashboard's allowed domains behind hybrid's back (as the UI would).
    func setAllowedDomains(dashboard id: Int, _ domains: [String]) {
        state.withValue { if let uuid = $0.embedded[id]?.uuid { $0.embedded[id] = (uuid, domains) } }
    }

    /// `GET /api/v1/<kind>/?q=(columns:...,page:N,page_size:M)`: the page's rows, sorted by name then id.
    private static func list(_ kind: SupersetAssetKind, query: String, state: State) -> StubResponse {
        guard let match = query.firstMatch(of: /page:(\d+),page_size:(\d+)\)$/),
            let page = Int(match.1), let size = Int(match.2), size > 0
        else { return .json(400, #"{"message":"Not a valid rison/json argument"}"#) }
        let all = state.objects.values.filter { $0.kind == ServerKinds.kind(kind) }
            .sorted { ($0.name, $0.id) < ($1.name, $1.id) }
        let rows = all.dropFirst(page * size).prefix(size).map { object -> [String: Any] in
            var row: [String: Any] = [
                "id": object.id, "uuid": object.uuid, kind.nameColumn: object.name,
                kind.changedOnColumn: object.changedOn,
            ]
            let columns = query.firstMatch(of: /columns:!\(([^)]*)\)/).map { String($0.1) } ?? ""
            if columns.contains("slug") { row["slug"] = object.field("slug") ?? NSNull() }
            if columns.contains("schema") { row["schema"] = object.field("schema") ?? NSNull() }
            if columns.contains("catalog") { row["catalog"] = object.field("catalog") ?? NSNull() }
            if columns.contains("database.id"),
                let database = object.field("database_uuid").flatMap({ state.objects[$0.lowercased()] })
            {
                row["database"] = ["id": database.id]
            }
            return row
        }
        return .json(200, object: ["count": all.count, "ids": rows.map { $0["id"]! }, "result": rows])
    }

    /// `GET /api/v1/<kind>/export/?q=!(ids)`: a ZIP of the objects and everything they reference.
    private static func export(_ kind: SupersetAssetKind, query: String, state: State) -> StubResponse {
        let ids = Set(query.matches(of: /\d+/).compactMap { Int($0.output) })
        let roots = state.objects.values.filter { $0.kind == ServerKinds.kind(kind) && ids.contains($0.id) }
        guard !roots.isEmpty else { return .notFound }
        return exportZip(roots.map(\.uuid), top: "\(kind.rawValue)_export_20240101T000000", state)
    }

    /// A ZIP of some objects and everything they reference, named as Superset names exported files.
    private static func exportZip(_ roots: [String], top: String, _ state: State) -> StubResponse {
        var included: Set<String> = []
        var pending = roots
        while let uuid = pending.popLast() {
            guard included.insert(uuid).inserted, let object = state.objects[uuid] else { continue }
            pending += references(in: object, among: state.objects)
        }
        var files: [(path: String, bytes: [UInt8])] = [
            (path: "metadata.yaml", bytes: Array("version: 1.0.0\ntype: assets\n".utf8))
        ]
        for uuid in included.sorted() {
            guard let object = state.objects[uuid] else { continue }
            let fileName = object.name.map { $0.isLetter || $0.isNumber ? $0 : "_" }
            files.append((path: "\(object.kind.directory)/\(String(fileName))_\(object.id).yaml", bytes: object.yaml))
        }
        guard let zip = try? BundleArchive.make(files: files, topFolder: top) else {
            return .json(500, #"{"message":"cannot zip"}"#)
        }
        return StubResponse(status: 200, headers: [("Content-Type", "application/zip")], body: zip)
    }

    /// The uuids of other objects that an object's YAML mentions anywhere (dataset_uuid, chart uuids in
    /// a dashboard's position, ...).
    private static func references(in object: Object, among objects: [String: Object]) -> [String] {
        guard let node = try? YAMLParser.parseDocument(object.yaml, file: "export") else { return [] }
        var found: [String] = []
        func walk(_ node: YAMLNode) {
            switch node.value {
            case .string(let text):
                let uuid = text.lowercased()
                if uuid != object.uuid, objects[uuid] != nil { found.append(uuid) }
            case .sequence(let items): items.forEach(walk)
            case .mapping(let mapping):
                for entry in mapping.entries {
                    walk(entry.key)
                    walk(entry.value)
                }
            default: break
            }
        }
        walk(node)
        return found
    }

    /// `POST /api/v1/assets/import/`: stores every asset file of the bundle by uuid (or answers 500 when
    /// told to fail this call).
    private static func importBundle(_ request: StubRequest, state: inout State) -> StubResponse {
        let number = state.imports.count + 1
        let fields = Multipart.parts(request)
        guard let zip = fields["bundle"], let files = try? BundleArchive.read(zip) else {
            return .json(400, #"{"message":"no readable bundle"}"#)
        }
        let passwords = fields["passwords"].flatMap {
            (try? JSONSerialization.jsonObject(with: $0)) as? [String: String]
        }
        let accepted = !state.failingImports.contains(number) && !clashes(files, state)
        state.imports.append(
            Import(
                files: Dictionary(
                    uniqueKeysWithValues: files.map { ($0.path, String(decoding: $0.bytes, as: UTF8.self)) }),
                passwords: passwords, accepted: accepted))
        guard accepted else { return .json(500, #"{"message":"Import failed for an unknown reason"}"#) }
        for file in files {
            guard let kind = AssetKind(templatePath: file.path) else { continue }
            Self.store(kind: kind, yaml: file.bytes, into: &state)
        }
        return .json(200, #"{"message":"OK"}"#)
    }

    /// Whether importing these files would give a unique name to a second uuid (with `uniqueNames` set).
    private static func clashes(_ files: [(path: String, bytes: [UInt8])], _ state: State) -> Bool {
        guard let rule = state.uniqueNames else { return false }
        var objects = state.objects
        for file in files {
            guard let kind = AssetKind(templatePath: file.path),
                let node = try? YAMLParser.parseDocument(file.bytes, file: file.path),
                let uuid = node.mappingValue?["uuid"]?.stringValue?.lowercased()
            else { continue }
            let object = Object(kind: kind, id: 0, uuid: uuid, name: "", changedOn: "", yaml: file.bytes)
            let key = uniqueKey(object, rule: rule, objects: objects)
            if let key,
                objects.values.contains(where: { $0.uuid != uuid && uniqueKey($0, rule: rule, objects: objects) == key }
                )
            {
                return true
            }
            objects[uuid] = object
        }
        return false
    }

    /// The unique name an object holds under a rule (nil for charts and slug-less dashboards).
    private static func uniqueKey(_ object: Object, rule: UniqueNames, objects: [String: Object]) -> String? {
        switch object.kind {
        case .database: return object.field("database_name").map { "database \($0)" }
        case .dashboard: return object.field("slug").flatMap { $0.isEmpty ? nil : "slug \($0)" }
        case .chart: return nil
        case .dataset:
            guard let table = object.field("table_name") else { return nil }
            if rule == .tableNamePerServer { return "table \(table)" }
            let database = object.field("database_uuid")?.lowercased() ?? ""
            return "table \(database) \(object.field("schema") ?? "") \(table)"
        }
    }

    /// `DELETE /api/v1/<kind>/<id>`.
    private static func delete(_ kind: SupersetAssetKind, id: Int, state: inout State) -> StubResponse {
        state.deletes += 1
        if state.failingDeletes.contains(state.deletes) {
            return .json(500, #"{"message":"Fatal error"}"#)
        }
        guard !state.deletesAnswer404,
            let object = state.objects.values.first(where: { $0.kind == ServerKinds.kind(kind) && $0.id == id })
        else { return .notFound }
        state.objects[object.uuid] = nil
        return .json(200, #"{"message":"OK"}"#)
    }

    /// Creates or overwrites the object with the document's uuid; nil for a document without one.
    @discardableResult
    private static func store(kind: AssetKind, yaml: [UInt8], into state: inout State) -> Object? {
        guard let node = try? YAMLParser.parseDocument(yaml, file: kind.directory),
            let mapping = node.mappingValue, let uuid = mapping["uuid"]?.stringValue?.lowercased()
        else { return nil }
        let id: Int
        if let existing = state.objects[uuid] {
            id = existing.id
        } else {
            id = state.nextID
            state.nextID += 1
        }
        let name = mapping[ServerKinds.apiKind(kind).nameColumn]?.stringValue ?? ""
        let object = Object(kind: kind, id: id, uuid: uuid, name: name, changedOn: tick(&state), yaml: yaml)
        state.objects[uuid] = object
        return object
    }

    /// A new, later `changed_on`.
    private static func tick(_ state: inout State) -> String {
        state.clock += 1
        return String(format: "2024-01-01T00:00:00.%06d", state.clock)
    }
}

/// The two names of the four asset kinds.
enum ServerKinds {
    static func kind(_ kind: SupersetAssetKind) -> AssetKind {
        switch kind {
        case .database: .database
        case .dataset: .dataset
        case .chart: .chart
        case .dashboard: .dashboard
        }
    }

    static func apiKind(_ kind: AssetKind) -> SupersetAssetKind {
        switch kind {
        case .database: .database
        case .dataset: .dataset
        case .chart: .chart
        case .dashboard: .dashboard
        }
    }
}

/// `multipart/form-data` bodies, as the import call sends them.
enum Multipart {
    /// Each part's body by its field name.
    static func parts(_ request: StubRequest) -> [String: Data] {
        guard let contentType = request.header("Content-Type"), let range = contentType.range(of: "boundary=")
        else { return [:] }
        let delimiter = Data("--\(contentType[range.upperBound...])".utf8)
        var parts: [String: Data] = [:]
        var rest = request.body[...]
        while let start = rest.range(of: delimiter) {
            rest = rest[start.upperBound...]
            guard rest.starts(with: Data("\r\n".utf8)), let end = rest.range(of: delimiter) else { break }
            let part = rest[rest.index(rest.startIndex, offsetBy: 2)..<end.lowerBound].dropLast(2)
            guard let headerEnd = part.range(of: Data("\r\n\r\n".utf8)) else { break }
            let headers = String(decoding: part[..<headerEnd.lowerBound], as: UTF8.self)
            guard let name = headers.firstMatch(of: /name="([^"]*)"/)?.1 else { continue }
            parts[String(name)] = Data(part[headerEnd.upperBound...])
        }
        return parts
    }
}
