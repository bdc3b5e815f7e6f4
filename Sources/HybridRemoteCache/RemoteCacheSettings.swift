import Foundation

/// Where the shared remote cache is and how to talk to it: `HYBRID_REMOTE_CACHE` (or `cache.remote`
/// in `hybrid.yaml`), credentials from `HYBRID_REMOTE_CACHE_TOKEN` (bearer) or the URL's
/// `user:password@` (basic), uploads only with `HYBRID_REMOTE_CACHE_WRITE=1`, and the timeout
/// (`HYBRID_REMOTE_CACHE_TIMEOUT`, seconds) after which a silent server counts as down.
public struct RemoteCacheSettings: Sendable, Equatable {
    /// The cache's base URL without credentials, query or trailing slash (`http://cache:8080/hybrid`).
    public var baseURL: String
    /// The `Authorization` header value, if any.
    public var authorization: String?
    /// Whether this process uploads what it builds (CI on the main branch); readers never do.
    public var writes: Bool
    /// How long a connection attempt, or a wait for the next bytes of an answer, may take.
    public var timeout: Duration
    /// The credentials, for redaction wherever they could come back.
    public var secrets: [String]

    public static let urlVariable = "HYBRID_REMOTE_CACHE"
    public static let writeVariable = "HYBRID_REMOTE_CACHE_WRITE"
    public static let tokenVariable = "HYBRID_REMOTE_CACHE_TOKEN"
    public static let timeoutVariable = "HYBRID_REMOTE_CACHE_TIMEOUT"
    /// The default ``timeout``: short, so that a dead or hanging server costs little.
    public static let defaultTimeout = Duration.seconds(2)

    public init(
        baseURL: String, authorization: String? = nil, writes: Bool = false,
        timeout: Duration = RemoteCacheSettings.defaultTimeout, secrets: [String] = []
    ) {
        self.baseURL = baseURL
        self.authorization = authorization
        self.writes = writes
        self.timeout = timeout
        self.secrets = secrets
    }

    /// Why the settings cannot be used (the message names the variable or key at fault).
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The settings from the environment, over `configured` (`cache.remote` of `hybrid.yaml`); nil
    /// when no remote cache is set, or `HYBRID_REMOTE_CACHE` is `off`.
    public static func resolve(environment: [String: String], configured: String?) throws(Invalid)
        -> RemoteCacheSettings?
    {
        let fromEnvironment = environment[urlVariable].map { $0.trimmingCharacters(in: .whitespaces) }
        let text: String
        let source: String
        if let fromEnvironment, !fromEnvironment.isEmpty {
            if ["off", "none", "false", "0"].contains(fromEnvironment.lowercased()) { return nil }
            text = fromEnvironment
            source = urlVariable
        } else if let configured, !configured.isEmpty {
            text = configured
            source = "cache.remote in hybrid.yaml"
        } else {
            return nil
        }
        guard var components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw Invalid(description: "\(source) must be an http:// or https:// URL (got '\(redactedURL(text))')")
        }
        guard components.query == nil, components.fragment == nil else {
            throw Invalid(description: "\(source) must not have a query or fragment (got '\(redactedURL(text))')")
        }
        var secrets: [String] = []
        var authorization: String?
        if let user = components.user {
            guard source == urlVariable else {
                throw Invalid(
                    description:
                        "cache.remote in hybrid.yaml must not hold credentials (hybrid.yaml is committed); put them in "
                        + "\(tokenVariable) or in the URL of \(urlVariable)")
            }
            let password = components.password ?? ""
            let decodedUser = user.removingPercentEncoding ?? user
            let decodedPassword = password.removingPercentEncoding ?? password
            let basic = Data((decodedUser + ":" + decodedPassword).utf8).base64EncodedString()
            authorization = "Basic " + basic
            secrets += [password, decodedPassword, basic].filter { !$0.isEmpty }
            components.user = nil
            components.password = nil
        }
        if let token = environment[tokenVariable], !token.isEmpty {
            guard authorization == nil else {
                throw Invalid(
                    description: "both \(tokenVariable) and credentials in \(urlVariable) are set; keep one of them")
            }
            authorization = "Bearer " + token
            secrets.append(token)
        }
        var base = components.string ?? text
        while base.hasSuffix("/") { base.removeLast() }
        var timeout = defaultTimeout
        if let value = environment[timeoutVariable], !value.isEmpty {
            guard let seconds = Double(value), seconds > 0, seconds <= 600 else {
                throw Invalid(
                    description: "\(timeoutVariable) must be a number of seconds in (0, 600] (got '\(value)')")
            }
            timeout = .milliseconds(Int64(seconds * 1000))
        }
        let write = environment[writeVariable] ?? ""
        guard ["", "0", "1", "false", "true"].contains(write.lowercased()) else {
            throw Invalid(description: "\(writeVariable) must be 1 or 0 (got '\(write)')")
        }
        return RemoteCacheSettings(
            baseURL: base, authorization: authorization, writes: write == "1" || write.lowercased() == "true",
            timeout: timeout, secrets: secrets)
    }

    /// A URL as it may be shown: any `user:password@` replaced.
    public static func redactedURL(_ text: String) -> String {
        guard let at = text.firstIndex(of: "@"), let scheme = text.range(of: "://"), scheme.upperBound <= at,
            !text[scheme.upperBound..<at].contains("/")
        else { return text }
        return String(text[..<scheme.upperBound]) + "<redacted>@" + String(text[text.index(after: at)...])
    }
}
