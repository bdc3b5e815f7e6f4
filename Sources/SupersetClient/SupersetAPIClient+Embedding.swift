import Foundation

/// A dashboard's embedded configuration: the uuid the host page embeds, and the origins allowed to.
public struct EmbeddedDashboard: Sendable, Equatable {
    public var uuid: String
    public var allowedDomains: [String]

    public init(uuid: String, allowedDomains: [String]) {
        self.uuid = uuid
        self.allowedDomains = allowedDomains
    }
}

/// One row-level-security rule of a guest token: `clause` applies to the dataset with that server id.
public struct GuestTokenRule: Sendable, Equatable, Codable {
    public var dataset: Int
    public var clause: String

    public init(dataset: Int, clause: String) {
        self.dataset = dataset
        self.clause = clause
    }
}

/// What a guest token grants access to: one embedded dashboard (by its embedded uuid).
public struct GuestTokenResource: Sendable, Equatable, Codable {
    public var type = "dashboard"
    public var id: String

    public init(embeddedUUID: String) {
        id = embeddedUUID
    }
}

/// The user a guest token names (Superset shows it and logs it; it grants nothing).
public struct GuestTokenUser: Sendable, Equatable, Codable {
    public var username: String
    public var firstName: String
    public var lastName: String

    enum CodingKeys: String, CodingKey {
        case username
        case firstName = "first_name"
        case lastName = "last_name"
    }

    public init(username: String, firstName: String = "", lastName: String = "") {
        self.username = username
        self.firstName = firstName
        self.lastName = lastName
    }
}

extension SupersetAPIClient {
    /// `GET /api/v1/dashboard/<id>/embedded`; nil when the dashboard is not embedded.
    public func embeddedDashboard(dashboardID: Int) async throws(SupersetError) -> EmbeddedDashboard? {
        let request = APIRequest(
            method: "GET", path: "/api/v1/dashboard/\(dashboardID)/embedded", timeout: options.requestTimeout,
            retry: .idempotent)
        do {
            return try embedded(from: try await call(request), request)
        } catch  where error.kind == .notFound {
            return nil
        }
    }

    /// `POST /api/v1/dashboard/<id>/embedded` with the allowed origins: embeds the dashboard, or
    /// updates its allowed domains keeping the embedded uuid (Superset upserts).
    public func setEmbedded(dashboardID: Int, allowedDomains: [String]) async throws(SupersetError)
        -> EmbeddedDashboard
    {
        let body = try? JSONSerialization.data(
            withJSONObject: ["allowed_domains": allowedDomains], options: [.sortedKeys])
        let request = APIRequest(
            method: "POST", path: "/api/v1/dashboard/\(dashboardID)/embedded", body: body,
            contentType: "application/json", timeout: options.requestTimeout, retry: .idempotent)
        return try embedded(from: try await call(request), request)
    }

    /// `POST /api/v1/security/guest_token/` for one embedded dashboard with these rules; the token.
    public func guestToken(user: GuestTokenUser, embeddedUUID: String, rules: [GuestTokenRule])
        async throws(SupersetError) -> String
    {
        struct Body: Encodable {
            var user: GuestTokenUser
            var resources: [GuestTokenResource]
            var rls: [GuestTokenRule]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = try? encoder.encode(
            Body(user: user, resources: [GuestTokenResource(embeddedUUID: embeddedUUID)], rls: rules))
        let request = APIRequest(
            method: "POST", path: "/api/v1/security/guest_token/", body: body, contentType: "application/json",
            timeout: options.requestTimeout, retry: .beforeSendingOnly)
        let answer = try await call(request)
        guard let token = answer.jsonObject?["token"] as? String, !token.isEmpty else {
            throw unexpected(request, "the guest token answer has no token")
        }
        // Not registered as a secret: printing it is what the caller asked for (the audit never holds it).
        return token
    }

    private func embedded(from answer: APIAnswer, _ request: APIRequest) throws(SupersetError) -> EmbeddedDashboard {
        guard let result = answer.jsonObject?["result"] as? [String: Any], let uuid = result["uuid"] as? String else {
            throw unexpected(request, "the embedded dashboard answer has no result.uuid")
        }
        return EmbeddedDashboard(
            uuid: uuid.lowercased(), allowedDomains: result["allowed_domains"] as? [String] ?? [])
    }
}
