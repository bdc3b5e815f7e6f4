import Foundation

/// A Superset workspace to talk to: its base URL and the credentials to use there.
///
/// The base URL may carry a path prefix (`https://host/superset`); API paths are appended to it.
/// User info in the URL (`http://user:pass@host`) is never shown: `displayURL` drops it.
public struct SupersetTarget: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    public var baseURL: URL
    public var auth: SupersetAuth

    /// A target from a URL already checked to be `http` or `https` with a host.
    public init(baseURL: URL, auth: SupersetAuth) {
        self.baseURL = baseURL
        self.auth = auth
    }

    /// A target from a user-supplied URL string; anything but an absolute `http(s)` URL with a host
    /// is a `.configuration` error.
    public init(_ url: String, auth: SupersetAuth) throws(SupersetError) {
        guard let parsed = URL(string: url.trimmingCharacters(in: .whitespaces)),
            let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = parsed.host, !host.isEmpty
        else {
            throw .configuration("'\(Redactor.removingUserInfo(url))' is not an http:// or https:// URL with a host")
        }
        if let port = URLComponents(url: parsed, resolvingAgainstBaseURL: false)?.port, !(1...65535).contains(port) {
            throw .configuration("'\(Redactor.removingUserInfo(url))' has port \(port); a port is 1 to 65535")
        }
        self.init(baseURL: parsed, auth: auth)
    }

    /// The base URL as shown to people: no user info, no query, no trailing slash.
    public var displayURL: String { Self.display(baseURL) }

    /// `http://127.0.0.1:8088 (password(username: admin, password: <redacted>))`.
    public var description: String { "\(displayURL) (\(auth))" }

    /// A mirror without the URL's user info and with the credentials redacted, for `dump` and debuggers.
    public var customMirror: Mirror {
        Mirror(self, children: ["baseURL": displayURL, "auth": auth])
    }

    /// Secrets of this target: the credentials and any password embedded in the URL.
    var secrets: [String] {
        var secrets = auth.secrets
        if let password = URLComponents(url: baseURL, resolvingAgainstBaseURL: false)?.password {
            secrets.append(password)
        }
        return secrets
    }

    /// The URL of an API path (`/api/v1/...`) with an already percent-encoded query.
    func url(path: String, query: String? = nil) -> URL? {
        var base = baseURL.absoluteString
        if let cut = base.firstIndex(where: { $0 == "?" || $0 == "#" }) { base = String(base[..<cut]) }
        while base.hasSuffix("/") { base.removeLast() }
        var text = base + path
        if let query { text += "?" + query }
        return URL(string: text)
    }

    /// `scheme://host[:port][/path]` without user info, query or trailing slash.
    /// A URL as shown and audited: without user info, query or fragment, no trailing slash.
    public static func displayURL(of text: String) -> String {
        guard let url = URL(string: text) else { return Redactor.removingUserInfo(text) }
        return display(url)
    }

    static func display(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
            return Redactor.removingUserInfo(url.absoluteString)
        }
        components.user = nil
        components.password = nil
        components.query = nil
        components.fragment = nil
        var text = components.string ?? Redactor.removingUserInfo(url.absoluteString)
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
