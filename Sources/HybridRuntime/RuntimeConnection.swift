import Foundation
import HybridCompiler
import HybridDiagnostics
import SupersetClient
import SupersetModel

/// The Superset (or Preset workspace) an environment deploys to, and a client for it.
public struct RuntimeConnection: Sendable {
    public let environment: String
    /// The target URL as shown and as keyed in the applied state (no credentials).
    public let target: String
    public let client: SupersetAPIClient

    /// `--url`, else `superset.urls.<env>` / `superset.url` (or `preset.workspaces.<env>` in preset
    /// mode); credentials from the environment (HYBRID_SUPERSET_* or PRESET_API_*).
    public static func resolve(
        config: ProjectConfig, environment: String, url override: String?,
        options: SupersetClientOptions = SupersetClientOptions(),
        variables: [String: String] = ProcessInfo.processInfo.environment
    ) throws(Diagnostic) -> RuntimeConnection {
        var options = options
        if variables["HYBRID_TRACE_HTTP"] == "1", options.onRequest == nil {
            // One line per HTTP call on standard error (no query strings, headers or bodies).
            options.onRequest = { event in StandardStreams.writeError("http: \(event)\n") }
        }
        guard let url = override ?? config.runtimeURL(for: environment) else {
            let hint =
                config.mode == .preset
                ? "set preset.workspaces.\(environment) in hybrid.yaml or pass --url"
                : "set superset.url (or superset.urls.\(environment)) in hybrid.yaml or pass --url"
            throw .error(at: nil, "no Superset for environment '\(environment)': \(hint)")
        }
        do {
            let auth = try SupersetAuth.fromEnvironment(
                mode: config.mode == .preset ? .preset : .superset, environment: variables)
            let target = try SupersetTarget(url, auth: auth)
            return RuntimeConnection(
                environment: environment, target: target.displayURL,
                client: SupersetAPIClient(target: target, options: options))
        } catch {
            throw error.diagnostic
        }
    }
}
