import Foundation
import HybridCompiler
import HybridDiagnostics
import SupersetClient
import SupersetModel

/// Mints guest tokens only through the embed policy: the token policy (lifetime, user, roles), the
/// dashboards it embeds, and tenant enforcement — one row-level-security rule per dataset the
/// dashboard reads, built by hybrid from a checked tenant id written as a literal of the dataset's
/// SQL dialect, never pasted. Signs through Superset's API, or locally (HS256) with the server's
/// guest-token secret, and never hands out a token that lives longer than asked.
public struct GuestTokenMinter: Sendable {
    /// What the caller asks for.
    public struct Request: Sendable {
        /// A server id, a uuid, a slug or a bundle path (`dashboards/overview`).
        public var dashboard: String
        public var tenantID: String?
        public var userID: String?
        public var expires: Int
        public var roles: [String]

        public init(dashboard: String, tenantID: String?, userID: String?, expires: Int, roles: [String]) {
            self.dashboard = dashboard
            self.tenantID = tenantID
            self.userID = userID
            self.expires = expires
            self.roles = roles
        }
    }

    /// A token and what it grants.
    public struct Minted: Sendable, Encodable {
        public var token: String
        /// ISO 8601, UTC.
        public var expiresAt: String
        public var dashboardUUID: String
        public var embeddedUUID: String
        public var rls: [GuestTokenRule]
        /// `api` or `local`.
        public var signedBy: String

        enum CodingKeys: String, CodingKey {
            case token
            case expiresAt = "expires_at"
            case dashboardUUID = "dashboard_uuid"
            case embeddedUUID = "embedded_uuid"
            case rls
        }
    }

    /// How the token is signed.
    public enum Signing: Sendable {
        /// `POST /api/v1/security/guest_token/` (the server sets the lifetime).
        case api
        /// HS256 with Superset's `GUEST_TOKEN_JWT_SECRET`, for this audience (nil: learn it from a
        /// server-minted token).
        case local(secret: String, audience: String?)
    }

    /// Why no token was handed out: a policy rule's refusal, or a failure talking to the server.
    public struct Refusal: Error, Sendable {
        public enum Reason: String, Sendable, CaseIterable {
            case noPolicy = "no_policy"
            case notEmbeddable = "not_embeddable"
            case unknownDashboard = "unknown_dashboard"
            case tenantIDPattern = "tenant_id_pattern"
            case tenantRequired = "tenant_required"
            case tenantLiteral = "tenant_literal"
            case ttl
            case userRequired = "user_required"
            case roles
            case notApplied = "not_applied"
            case serverToken = "server_token"
            case serverTTL = "server_ttl"
            case audience
            /// A dataset the dashboard reads has no tenant column and is not a shared dataset.
            case policyDataset = "policy_dataset"
            /// Not a refusal: the server could not be asked (audited as `failed`).
            case serverError = "server_error"
        }

        public var reason: Reason
        public var diagnostic: Diagnostic

        public init(reason: Reason, diagnostic: Diagnostic) {
            self.reason = reason
            self.diagnostic = diagnostic
        }

        static func failure(_ diagnostic: Diagnostic) -> Refusal {
            Refusal(reason: .serverError, diagnostic: diagnostic)
        }

        /// `refused` for a policy's refusal, `failed` when the server could not be asked.
        public var isFailure: Bool { reason == .serverError }
    }

    public let embed: EmbedBundle
    public let client: SupersetAPIClient
    public let signing: Signing
    /// The clock (seconds since 1970), for tests.
    public var now: @Sendable () -> Double = { Date().timeIntervalSince1970 }

    public init(embed: EmbedBundle, client: SupersetAPIClient, signing: Signing) {
        self.embed = embed
        self.client = client
        self.signing = signing
    }

    /// Checks the request against the policy, builds the rules, and signs; a refusal is a diagnostic
    /// saying which rule refused (nothing is minted).
    public func mint(_ request: Request) async throws(Diagnostic) -> Minted {
        do throws(Refusal) {
            return try await attempt(request)
        } catch {
            throw error.diagnostic
        }
    }

    /// ``mint(_:)``, failing with the refusal's reason (for the audit and the embed metrics).
    public func attempt(_ request: Request) async throws(Refusal) -> Minted {
        let policy = embed.policy
        try checkTokenPolicy(request, policy)
        var dashboardIDs: [String: Int]?
        let dashboard = try await resolveDashboard(request.dashboard, listed: &dashboardIDs)
        guard embed.embeds(dashboard) else {
            throw refusal(
                .notEmbeddable,
                "dashboard \(dashboard.path) (\(dashboard.name)) is not in the embed policy's dashboards; "
                    + "no token is minted for it")
        }
        let datasets: [EmbedBundle.TenantDataset]
        do throws(Diagnostic) {
            datasets = try embed.tenantDatasets(of: dashboard)
        } catch {
            // A dataset the policy does not cover: a policy refusal, not a server failure.
            throw Refusal(reason: .policyDataset, diagnostic: error)
        }
        var rules: [GuestTokenRule] = []
        if let tenantID = request.tenantID {
            guard policy.accepts(tenantID: tenantID) else {
                throw refusal(
                    .tenantIDPattern,
                    "tenant id \(Self.shown(tenantID)) does not match tenant_id_pattern \(policy.tenantIDPattern); "
                        + "nothing minted")
            }
            rules = try await rulesFor(tenantID: tenantID, datasets: datasets)
        } else if policy.tenantRequired {
            throw refusal(.tenantRequired, "the embed policy requires a tenant: pass --tenant-id")
        }
        if dashboardIDs == nil { dashboardIDs = try await serverIDs(.dashboard) }
        guard let dashboardID = dashboardIDs?[dashboard.uuid] else {
            throw refusal(.notApplied, "dashboard \(dashboard.path) is not on the server: run hybrid apply first")
        }
        let embedded: EmbeddedDashboard?
        do {
            embedded = try await client.embeddedDashboard(dashboardID: dashboardID)
        } catch {
            throw .failure(error.diagnostic)
        }
        guard let embedded else {
            throw refusal(
                .notApplied, "dashboard \(dashboard.path) is not embedded on the server: run hybrid apply first")
        }
        let user = GuestTokenUser(username: request.userID ?? "hybrid-guest")
        let (token, expires) = try await sign(
            user: user, embeddedUUID: embedded.uuid, rules: rules, seconds: request.expires)
        return Minted(
            token: token, expiresAt: Self.iso8601(expires), dashboardUUID: dashboard.uuid, embeddedUUID: embedded.uuid,
            rls: rules, signedBy: { if case .api = signing { "api" } else { "local" } }())
    }

    private func checkTokenPolicy(_ request: Request, _ policy: EmbedPolicy) throws(Refusal) {
        guard request.expires >= 1 else { throw refusal(.ttl, "--expires must be at least 1 second") }
        guard request.expires <= policy.maxTTL else {
            throw refusal(
                .ttl,
                "--expires \(request.expires) is longer than the policy's token_policy.max_ttl (\(policy.maxTTL) s)")
        }
        if policy.requireUserID, (request.userID ?? "").isEmpty {
            throw refusal(
                .userRequired, "the embed policy requires a user: pass --user-id (token_policy.require_user_id)")
        }
        if !policy.requireRoles.isEmpty {
            guard !request.roles.isEmpty else {
                throw refusal(
                    .roles,
                    "the embed policy requires roles: pass --roles, each one of \(policy.requireRoles.joined(separator: ", "))"
                )
            }
            if let foreign = request.roles.first(where: { !policy.requireRoles.contains($0) }) {
                throw refusal(
                    .roles,
                    "role '\(foreign)' is not allowed by token_policy.require_roles "
                        + "(\(policy.requireRoles.joined(separator: ", ")))")
            }
        }
    }

    /// The bundle dashboard a reference names; a numeric id is looked up on the server (the listing is
    /// kept in `listed` for the caller).
    private func resolveDashboard(_ reference: String, listed: inout [String: Int]?) async throws(Refusal)
        -> BundleSnapshot.Asset
    {
        let dashboards = embed.bundle.assets.filter { $0.kind == .dashboard }
        if let id = Int(reference) {
            let ids = try await serverIDs(.dashboard)
            listed = ids
            let byID = ids.first { $0.value == id }
            if let uuid = byID?.key, let dashboard = dashboards.first(where: { $0.uuid == uuid }) { return dashboard }
            throw refusal(.unknownDashboard, "no dashboard of bundle \(embed.bundle.name) has id \(id) on the server")
        }
        guard let dashboard = EmbedBundle.find(reference, in: dashboards) else {
            throw refusal(
                .unknownDashboard,
                "no dashboard of bundle \(embed.bundle.name) is '\(reference)' (a server id, a uuid, a slug or a "
                    + "path like dashboards/overview)")
        }
        return dashboard
    }

    /// `<column> = <literal>` for each tenant dataset, by the dataset's server id.
    private func rulesFor(tenantID: String, datasets: [EmbedBundle.TenantDataset]) async throws(Refusal)
        -> [GuestTokenRule]
    {
        guard let column = embed.tenantColumn else { return [] }
        let ids = try await serverIDs(.dataset)
        var rules: [GuestTokenRule] = []
        for item in datasets {
            guard let id = ids[item.dataset.uuid] else {
                throw refusal(.notApplied, "dataset \(item.dataset.path) is not on the server: run hybrid apply first")
            }
            guard let literal = item.dialect.literal(tenantID), let name = item.dialect.identifier(column) else {
                throw refusal(
                    .tenantLiteral,
                    "tenant id \(Self.shown(tenantID)) cannot be written as a SQL literal (control characters); "
                        + "nothing minted")
            }
            rules.append(GuestTokenRule(dataset: id, clause: "\(name) = \(literal)"))
        }
        return rules
    }

    private func serverIDs(_ kind: SupersetAssetKind) async throws(Refusal) -> [String: Int] {
        do {
            return try await client.ids(kind)
        } catch {
            throw .failure(error.diagnostic)
        }
    }

    /// The token and when it expires (seconds since 1970).
    private func sign(user: GuestTokenUser, embeddedUUID: String, rules: [GuestTokenRule], seconds: Int)
        async throws(Refusal) -> (String, Double)
    {
        switch signing {
        case .api:
            let token: String
            do {
                token = try await client.guestToken(user: user, embeddedUUID: embeddedUUID, rules: rules)
            } catch {
                throw .failure(error.diagnostic)
            }
            guard let claims = GuestTokenSigner.claims(of: token), let expires = claims["exp"] as? Double else {
                throw refusal(.serverToken, "the server's guest token has no readable exp claim; it is not handed out")
            }
            let asked = now() + Double(seconds)
            if expires > asked + 1 {
                throw refusal(
                    .serverTTL,
                    "the server signs guest tokens for \(Int((expires - now()).rounded())) s "
                        + "(GUEST_TOKEN_JWT_EXP_SECONDS), longer than --expires \(seconds): lower "
                        + "GUEST_TOKEN_JWT_EXP_SECONDS to at most \(seconds), or set HYBRID_GUEST_TOKEN_SECRET "
                        + "(the server's GUEST_TOKEN_JWT_SECRET) to sign locally for exactly \(seconds) s")
            }
            return (token, expires)
        case .local(let secret, let configured):
            var audience = configured
            if audience == nil {
                // Learn the audience from a token the server mints (with no rules, never handed out).
                do {
                    let probe = try await client.guestToken(user: user, embeddedUUID: embeddedUUID, rules: rules)
                    audience = GuestTokenSigner.claims(of: probe)?["aud"] as? String
                } catch {
                    throw .failure(error.diagnostic)
                }
            }
            guard let audience else {
                throw refusal(
                    .audience,
                    "cannot learn the guest token audience from the server; set HYBRID_GUEST_TOKEN_AUDIENCE "
                        + "(Superset's GUEST_TOKEN_JWT_AUDIENCE)")
            }
            let issued = now()
            let expires = issued + Double(seconds)
            let token = GuestTokenSigner.sign(
                secret: secret, audience: audience, user: user, embeddedUUID: embeddedUUID, rules: rules,
                issuedAt: issued, expires: expires)
            return (token, expires)
        }
    }

    private func refusal(_ reason: Refusal.Reason, _ message: String) -> Refusal {
        Refusal(reason: reason, diagnostic: .error(at: nil, "embed mint-token refused: " + message))
    }

    /// A tenant id as shown in a message: quoted, control characters escaped.
    static func shown(_ id: String) -> String {
        var out = "'"
        for scalar in id.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += String(format: "\\x%02x", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "'"
    }

    static func iso8601(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: seconds.rounded(.down)))
    }
}

extension GuestTokenMinter.Signing {
    /// Local HS256 signing when `HYBRID_GUEST_TOKEN_SECRET` is set (registered as a secret), else the
    /// server's API.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Self {
        guard let secret = environment["HYBRID_GUEST_TOKEN_SECRET"], !secret.isEmpty else { return .api }
        SecretRegistry.shared.register(secret)
        let audience = environment["HYBRID_GUEST_TOKEN_AUDIENCE"].flatMap { $0.isEmpty ? nil : $0 }
        return .local(secret: secret, audience: audience)
    }
}
