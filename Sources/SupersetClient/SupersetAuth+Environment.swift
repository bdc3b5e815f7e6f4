import Foundation
import HybridDiagnostics

extension SupersetAuth {
    /// Which family of credentials `fromEnvironment` looks for.
    public enum EnvironmentMode: String, Sendable, Equatable {
        /// A self-hosted Superset: `HYBRID_SUPERSET_TOKEN`, else `HYBRID_SUPERSET_USERNAME` and
        /// `HYBRID_SUPERSET_PASSWORD`.
        case superset
        /// A Preset workspace: `PRESET_API_TOKEN` and `PRESET_API_SECRET`.
        case preset
    }

    /// Environment variable names read by `fromEnvironment`.
    public enum EnvironmentVariable {
        public static let token = "HYBRID_SUPERSET_TOKEN"
        public static let username = "HYBRID_SUPERSET_USERNAME"
        public static let password = "HYBRID_SUPERSET_PASSWORD"
        public static let presetToken = "PRESET_API_TOKEN"
        public static let presetSecret = "PRESET_API_SECRET"
    }

    /// Credentials from environment variables (empty values count as unset).
    ///
    /// In `.superset` mode `HYBRID_SUPERSET_TOKEN` wins (bearer), else `HYBRID_SUPERSET_USERNAME` and
    /// `HYBRID_SUPERSET_PASSWORD` (password login). In `.preset` mode both `PRESET_API_TOKEN` and
    /// `PRESET_API_SECRET` are needed. A missing variable is a `.configuration` error naming the
    /// variables, never their values.
    public static func fromEnvironment(
        mode: EnvironmentMode,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        presetAuthURL: URL = SupersetAuth.defaultPresetAuthURL
    ) throws(SupersetError) -> SupersetAuth {
        func value(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            // Every credential is registered the moment it is read (the user name is not secret).
            if name != EnvironmentVariable.username { SecretRegistry.shared.register(value) }
            return value
        }
        typealias Variable = EnvironmentVariable
        switch mode {
        case .superset:
            if let token = value(Variable.token) { return .bearer(token) }
            switch (value(Variable.username), value(Variable.password)) {
            case (let username?, let password?):
                return .password(username: username, password: password)
            case (.some, nil):
                throw .configuration("\(Variable.username) is set but \(Variable.password) is not")
            case (nil, .some):
                throw .configuration("\(Variable.password) is set but \(Variable.username) is not")
            case (nil, nil):
                throw .configuration(
                    "no Superset credentials: set \(Variable.token), or \(Variable.username) and \(Variable.password)")
            }
        case .preset:
            switch (value(Variable.presetToken), value(Variable.presetSecret)) {
            case (let token?, let secret?):
                return .preset(apiToken: token, apiSecret: secret, authURL: presetAuthURL)
            case (.some, nil):
                throw .configuration("\(Variable.presetToken) is set but \(Variable.presetSecret) is not")
            case (nil, .some):
                throw .configuration("\(Variable.presetSecret) is set but \(Variable.presetToken) is not")
            case (nil, nil):
                throw .configuration(
                    "no Preset credentials: set \(Variable.presetToken) and \(Variable.presetSecret)")
            }
        }
    }
}
