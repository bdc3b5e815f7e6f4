import AsyncHTTPClient
import Foundation
import HybridDiagnostics

/// The HTTP proxy for a request, read from the environment the way curl reads it.
///
/// `https_proxy` / `HTTPS_PROXY` for https URLs, `http_proxy` for http URLs (lower case only, as
/// curl: `HTTP_PROXY` can be set by a CGI request), `all_proxy` / `ALL_PROXY` for both; `no_proxy` /
/// `NO_PROXY` lists hosts (and their subdomains, a leading dot allowed) or `*` that go direct.
/// Only `http://` proxies are supported (HTTPS goes through them with CONNECT); user and password in
/// the proxy URL become its Basic authorization.
struct HTTPProxySettings: Sendable {
    private var https: HTTPClient.Configuration.Proxy?
    private var http: HTTPClient.Configuration.Proxy?
    private var bypass: [String]

    init(environment: [String: String]) {
        func value(_ names: String...) -> String? {
            names.lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        }
        let all = value("all_proxy", "ALL_PROXY").flatMap(Self.proxy(from:))
        https = value("https_proxy", "HTTPS_PROXY").flatMap(Self.proxy(from:)) ?? all
        http = value("http_proxy").flatMap(Self.proxy(from:)) ?? all
        bypass = (value("no_proxy", "NO_PROXY") ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        .filter { !$0.isEmpty }
    }

    /// The proxy to use for `url`, or nil to connect directly.
    func proxy(for url: URL) -> HTTPClient.Configuration.Proxy? {
        guard let host = url.host?.lowercased() else { return nil }
        for entry in bypass {
            if entry == "*" { return nil }
            let domain = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
            if host == domain || host.hasSuffix("." + domain) { return nil }
        }
        return url.scheme?.lowercased() == "https" ? https : http
    }

    /// `http://user:pw@host:port` (scheme optional, port 1080 when absent as in curl); nil when not http.
    static func proxy(from text: String) -> HTTPClient.Configuration.Proxy? {
        let withScheme = text.contains("://") ? text : "http://" + text
        guard let components = URLComponents(string: withScheme), components.scheme?.lowercased() == "http",
            let host = components.host, !host.isEmpty
        else { return nil }
        let port = components.port ?? 1080
        if let user = components.user {
            let password = components.password.map { $0.removingPercentEncoding ?? $0 } ?? ""
            // A proxy password is a credential: it must not come back in anything hybrid prints.
            SecretRegistry.shared.register(password.isEmpty ? nil : password)
            return .server(
                host: host, port: port,
                authorization: .basic(username: user.removingPercentEncoding ?? user, password: password))
        }
        return .server(host: host, port: port)
    }
}
