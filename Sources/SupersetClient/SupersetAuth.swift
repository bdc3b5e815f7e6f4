import Foundation

/// How the client proves who it is to a Superset workspace.
///
/// Every credential is a secret: `description`, `debugDescription` and the reflection mirror print
/// `<redacted>` in its place, so the value can be logged or dumped without leaking anything.
public enum SupersetAuth: Sendable, Equatable {
    /// Log in with `POST /api/v1/security/login` (provider `db`) and use the returned JWT;
    /// a 401 on a later call logs in again once.
    case password(username: String, password: String)
    /// Send this token as `Authorization: Bearer` as it is; it cannot be renewed.
    case bearer(String)
    /// Exchange a Preset API token and secret at `authURL` for a JWT, then call the workspace's
    /// Superset API with it; a 401 on a later call exchanges them again once.
    case preset(apiToken: String, apiSecret: String, authURL: URL = SupersetAuth.defaultPresetAuthURL)

    /// Preset's token exchange endpoint.
    public static let defaultPresetAuthURL = URL(string: "https://api.app.preset.io/v1/auth/")!

    /// The values that must never be shown: passwords, tokens, API secrets.
    var secrets: [String] {
        switch self {
        case .password(_, let password): return [password]
        case .bearer(let token): return [token]
        case .preset(let apiToken, let apiSecret, _): return [apiToken, apiSecret]
        }
    }

    /// Whether a rejected token can be replaced by authenticating again.
    var canRenew: Bool {
        if case .bearer = self { return false }
        return true
    }
}

extension SupersetAuth: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The kind of credential and the non-secret parts (user name, auth URL); secrets print as `<redacted>`.
    public var description: String {
        switch self {
        case .password(let username, _):
            return "password(username: \(username), password: \(Redactor.placeholder))"
        case .bearer:
            return "bearer(\(Redactor.placeholder))"
        case .preset(_, _, let authURL):
            return "preset(apiToken: \(Redactor.placeholder), apiSecret: \(Redactor.placeholder), "
                + "authURL: \(SupersetTarget.display(authURL)))"
        }
    }

    public var debugDescription: String { description }

    /// A mirror with the secrets replaced, so `dump` and debuggers show no credential.
    public var customMirror: Mirror {
        switch self {
        case .password(let username, _):
            return Mirror(self, children: ["username": username, "password": Redactor.placeholder])
        case .bearer:
            return Mirror(self, children: ["token": Redactor.placeholder])
        case .preset(_, _, let authURL):
            return Mirror(
                self,
                children: [
                    "apiToken": Redactor.placeholder, "apiSecret": Redactor.placeholder,
                    "authURL": SupersetTarget.display(authURL),
                ])
        }
    }
}
