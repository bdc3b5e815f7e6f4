import Foundation

extension SupersetAPIClient {
    /// `GET /health`, without credentials; succeeds when Superset answers 200.
    public func health() async throws(SupersetError) {
        let request = APIRequest(
            method: "GET", path: "/health", accept: "*/*", timeout: options.requestTimeout, retry: .idempotent)
        let answer = try await callWithoutAuthentication(request)
        guard answer.isSuccess else { throw httpError(answer, request) }
    }

    /// Imports a bundle ZIP with `POST /api/v1/assets/import/` (multipart: `bundle` as `bundle.zip`,
    /// `passwords`, `overwrite`).
    ///
    /// - Parameters:
    ///   - bundle: a ZIP whose entries sit under one top folder (see `BundleArchive.make`).
    ///   - passwords: database passwords keyed by the database file's path inside the bundle *below the
    ///     top folder*, e.g. `databases/warehouse.yaml` — the key Superset matches after stripping the top
    ///     folder. A masked password (`XXXXXXXXXX`) in a database's `sqlalchemy_uri` needs one unless the
    ///     database already exists on the server. Sent as the JSON object Superset expects.
    ///   - overwrite: sent as the `overwrite` form field. Superset 6.1's assets endpoint ignores it and
    ///     always overwrites objects with the same uuid.
    ///
    /// Not retried after the request may have reached Superset (see the type's notes). Superset 6.1
    /// answers most invalid bundles with 500 "Import failed for an unknown reason"; its log has the cause.
    public func importAssets(bundle: Data, passwords: [String: String] = [:], overwrite: Bool = true)
        async throws(SupersetError)
    {
        var form = MultipartForm()
        form.addFile(name: "bundle", filename: "bundle.zip", contentType: "application/zip", data: bundle)
        if !passwords.isEmpty {
            let json = try? JSONSerialization.data(withJSONObject: passwords, options: [.sortedKeys])
            form.addField(name: "passwords", value: String(decoding: json ?? Data("{}".utf8), as: UTF8.self))
        }
        form.addField(name: "overwrite", value: overwrite ? "true" : "false")
        let request = APIRequest(
            method: "POST", path: "/api/v1/assets/import/", body: form.data, contentType: form.contentType,
            timeout: options.transferTimeout, retry: .beforeSendingOnly)
        _ = try await call(request)
    }

    /// Every asset of the workspace as one ZIP, from `GET /api/v1/assets/export/`
    /// (entries under a top folder named like `assets_export_20240101T120000/`).
    public func exportAssets() async throws(SupersetError) -> Data {
        try await zip(
            APIRequest(
                method: "GET", path: "/api/v1/assets/export/", accept: "application/zip, application/json",
                timeout: options.transferTimeout, retry: .idempotent))
    }

    /// The given objects and everything they depend on as one ZIP, from
    /// `GET /api/v1/<kind>/export/?q=!(id,...)`.
    public func export(_ kind: SupersetAssetKind, ids: [Int]) async throws(SupersetError) -> Data {
        let path = "/api/v1/\(kind.resource)/export/"
        guard !ids.isEmpty else {
            throw SupersetError(
                kind: .invalid, method: "GET", path: path, server: target.displayURL,
                message: "no \(kind) ids to export")
        }
        return try await zip(
            APIRequest(
                method: "GET", path: path, query: "q=" + Rison.array(ids.map(Rison.int)).queryValue,
                accept: "application/zip, application/json", timeout: options.transferTimeout, retry: .idempotent))
    }

    /// Every object of a kind with its id, uuid and name, paging through `GET /api/v1/<kind>/?q=(columns:
    /// !(id,uuid,<name>),order_column:<name>,order_direction:asc,page:N,page_size:100)`.
    ///
    /// Pages are sorted by name (Superset lets no list be sorted by id); objects are deduplicated by id, and a
    /// second pass runs if ties between equal names made the pages miss some.
    /// The server ids of every object of a kind, by lower-case uuid (one listing).
    public func ids(_ kind: SupersetAssetKind) async throws(SupersetError) -> [String: Int] {
        var ids: [String: Int] = [:]
        for object in try await list(kind) {
            if let uuid = object.uuid { ids[uuid] = object.id }
        }
        return ids
    }

    public func list(_ kind: SupersetAssetKind) async throws(SupersetError) -> [SupersetObject] {
        var found: [Int: SupersetObject] = [:]
        var expected = 0
        for _ in 0..<2 {
            expected = try await listPass(kind, into: &found)
            if found.count >= expected { break }
        }
        return found.values.sorted { $0.id < $1.id }
    }

    /// Most list pages requested at once.
    static let concurrentListPages = 4

    /// One pass over all pages (the first alone, for the count; then the others, a few at a time);
    /// returns the server's `count`.
    private func listPass(_ kind: SupersetAssetKind, into found: inout [Int: SupersetObject])
        async throws(SupersetError)
        -> Int
    {
        let pageSize = 100
        let first = try await listPage(kind, page: 0, pageSize: pageSize)
        for object in first.objects { found[object.id] = object }
        guard !first.objects.isEmpty, first.objects.count < first.count else { return first.count }
        // The count fixes the pages: a server that keeps answering cannot make the listing run on.
        let pages = (first.count + pageSize - 1) / pageSize
        let results = await withTaskGroup(of: Result<[SupersetObject], SupersetError>.self) { group in
            var next = 1
            var results: [Result<[SupersetObject], SupersetError>] = []
            while next < pages || !group.isEmpty {
                while next < pages && next - results.count <= Self.concurrentListPages {
                    let page = next
                    group.addTask {
                        do throws(SupersetError) {
                            return .success(try await self.listPage(kind, page: page, pageSize: pageSize).objects)
                        } catch {
                            return .failure(error)
                        }
                    }
                    next += 1
                }
                guard let result = await group.next() else { break }
                results.append(result)
            }
            return results
        }
        for result in results {
            switch result {
            case .success(let objects): for object in objects { found[object.id] = object }
            case .failure(let error): throw error
            }
        }
        return first.count
    }

    /// One page of a kind's list, sorted by name, and the server's count of all.
    private func listPage(_ kind: SupersetAssetKind, page: Int, pageSize: Int) async throws(SupersetError) -> (
        objects: [SupersetObject], count: Int
    ) {
        let query: Rison = [
            "columns": .array(
                ["id", "uuid", .string(kind.nameColumn), .string(kind.changedOnColumn)]
                    + kind.uniqueNameColumns.map { .string($0) }),
            "order_column": .string(kind.nameColumn),
            "order_direction": "asc",
            "page": .int(page),
            "page_size": .int(pageSize),
        ]
        let request = APIRequest(
            method: "GET", path: "/api/v1/\(kind.resource)/", query: "q=" + query.queryValue,
            timeout: options.requestTimeout, retry: .idempotent)
        let answer = try await call(request)
        guard let object = answer.jsonObject, let rows = object["result"] as? [[String: Any]] else {
            throw unexpected(request, "the list answer has no result array")
        }
        var objects: [SupersetObject] = []
        objects.reserveCapacity(rows.count)
        for row in rows {
            guard let id = (row["id"] as? Int) ?? (row["id"] as? NSNumber)?.intValue else {
                throw unexpected(request, "a listed \(kind) has no numeric id")
            }
            let database = row["database"] as? [String: Any]
            objects.append(
                SupersetObject(
                    kind: kind, id: id, uuid: (row["uuid"] as? String)?.lowercased(),
                    name: (row[kind.nameColumn] as? String) ?? "", changedOn: row[kind.changedOnColumn] as? String,
                    databaseID: (database?["id"] as? Int) ?? (database?["id"] as? NSNumber)?.intValue,
                    catalog: row["catalog"] as? String, schema: row["schema"] as? String, slug: row["slug"] as? String))
        }
        return (objects, (object["count"] as? Int) ?? 0)
    }

    /// `DELETE /api/v1/<kind>/<id>`. Retried on 502/503/504: a retry of a delete that went through
    /// meanwhile surfaces as `.notFound`.
    public func delete(_ kind: SupersetAssetKind, id: Int) async throws(SupersetError) {
        _ = try await call(
            APIRequest(
                method: "DELETE", path: "/api/v1/\(kind.resource)/\(id)", timeout: options.requestTimeout,
                retry: .idempotent))
    }

    /// Runs a GET whose answer must be a ZIP.
    private func zip(_ request: APIRequest) async throws(SupersetError) -> Data {
        let answer = try await call(request)
        guard answer.body.starts(with: [0x50, 0x4B]) else {
            let type = answer.headers["content-type"] ?? "no content type"
            throw unexpected(
                request, "expected a ZIP, got \(answer.body.count) bytes of \(type)", status: answer.status)
        }
        return answer.body
    }
}
