import Foundation
import HybridDiagnostics
import SupersetClient
import SupersetModel

/// Keeps the policy's dashboards embedded on the server with exactly the policy's allowed origins:
/// compares (for `plan` and `drift-plan`) and sets (for `apply`; Superset keeps the embedded uuid).
public struct EmbeddedDashboards: Sendable {
    /// One policy dashboard and its embedded configuration on the server.
    public struct State: Sendable {
        public var dashboard: BundleSnapshot.Asset
        /// The dashboard's id on the server (nil: not imported yet).
        public var serverID: Int?
        public var current: EmbeddedDashboard?
        /// The origins the policy allows, sorted.
        public var wanted: [String]

        /// Embedded with exactly the policy's origins.
        public var inSync: Bool { current.map { Set($0.allowedDomains) == Set(wanted) } ?? false }

        /// `dashboards/overview.yaml: not embedded` or `…: allowed domains differ (server: a; policy: b)`.
        public var description: String {
            guard let current else {
                return "\(dashboard.path): not embedded (policy: \(wanted.joined(separator: ", ")))"
            }
            if inSync { return "\(dashboard.path): embedded as \(current.uuid)" }
            let server =
                current.allowedDomains.isEmpty ? "none (any site)" : current.allowedDomains.joined(separator: ", ")
            return
                "\(dashboard.path): allowed domains differ (server: \(server); policy: \(wanted.joined(separator: ", ")))"
        }
    }

    public let embed: EmbedBundle
    public let client: SupersetAPIClient

    public init(embed: EmbedBundle, client: SupersetAPIClient) {
        self.embed = embed
        self.client = client
    }

    /// The embedded configuration of every policy dashboard on the server; `serverIDs` (dashboard ids
    /// by uuid, from a listing already made) saves listing the dashboards again.
    public func states(serverIDs: [String: Int]? = nil) async throws(SupersetError) -> [State] {
        let ids: [String: Int]
        if let serverIDs { ids = serverIDs } else { ids = try await client.ids(.dashboard) }
        let wanted = embed.policy.allowedDomains.map(\.origin).sorted()
        var states: [State] = []
        for dashboard in embed.dashboards {
            let id = ids[dashboard.uuid]
            var current: EmbeddedDashboard?
            if let id { current = try await client.embeddedDashboard(dashboardID: id) }
            states.append(State(dashboard: dashboard, serverID: id, current: current, wanted: wanted))
        }
        return states
    }

    /// Embeds every policy dashboard that is not, and sets the allowed origins where they differ;
    /// returns the states after (each with its embedded uuid) and how many calls changed something.
    public func apply(serverIDs: [String: Int]? = nil) async throws(SupersetError) -> (states: [State], changed: Int) {
        var states = try await states(serverIDs: serverIDs)
        var changed = 0
        for index in states.indices where !states[index].inSync {
            guard let id = states[index].serverID else {
                throw SupersetError(
                    kind: .notFound, method: "POST", path: "/api/v1/dashboard/<id>/embedded",
                    server: client.target.displayURL,
                    message: "dashboard \(states[index].dashboard.path) is not on the server; it cannot be embedded")
            }
            states[index].current = try await client.setEmbedded(dashboardID: id, allowedDomains: states[index].wanted)
            changed += 1
        }
        return (states, changed)
    }
}
