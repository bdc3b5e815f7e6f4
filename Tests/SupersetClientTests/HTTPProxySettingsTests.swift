import Foundation
import Testing

@testable import SupersetClient

@Suite("Proxies from the environment")
struct HTTPProxySettingsTests {
    private func proxy(_ environment: [String: String], _ url: String) -> String? {
        guard let url = URL(string: url), let proxy = HTTPProxySettings(environment: environment).proxy(for: url)
        else { return nil }
        return "\(proxy.host):\(proxy.port)"
    }

    @Test("https_proxy for https, lower-case http_proxy for http, all_proxy for both, as curl reads them")
    func byScheme() {
        let environment = ["https_proxy": "http://secure.proxy:3128", "http_proxy": "plain.proxy:8080"]
        #expect(proxy(environment, "https://ws.preset.io/api/v1/") == "secure.proxy:3128")
        #expect(proxy(environment, "http://superset:8088/") == "plain.proxy:8080")
        #expect(proxy(["HTTP_PROXY": "http://cgi:1"], "http://superset:8088/") == nil)
        #expect(proxy(["HTTPS_PROXY": "http://upper:2"], "https://superset/") == "upper:2")
        #expect(proxy(["ALL_PROXY": "http://every:3"], "http://superset/") == "every:3")
        #expect(proxy(["all_proxy": "every"], "https://superset/") == "every:1080")
        #expect(proxy([:], "https://superset/") == nil)
    }

    @Test("no_proxy names hosts and their subdomains (a leading dot allowed) or * that go direct")
    func bypass() {
        let environment = ["https_proxy": "http://p:1", "no_proxy": " localhost, .internal.example ,bi.corp"]
        #expect(proxy(environment, "https://localhost:8088/") == nil)
        #expect(proxy(environment, "https://superset.internal.example/") == nil)
        #expect(proxy(environment, "https://internal.example/") == nil)
        #expect(proxy(environment, "https://a.bi.corp/") == nil)
        #expect(proxy(environment, "https://notbi.corp/") == "p:1")
        #expect(proxy(["https_proxy": "http://p:1", "NO_PROXY": "*"], "https://anything/") == nil)
    }

    @Test("credentials in the proxy URL become Basic authorization; a non-http proxy is not used")
    func credentials() throws {
        let parsed = try #require(HTTPProxySettings.proxy(from: "http://user:p%40ss-word-1234@proxy:3128"))
        #expect(parsed.authorization == .basic(username: "user", password: "p@ss-word-1234"))
        #expect(HTTPProxySettings.proxy(from: "socks5://proxy:1080") == nil)
        #expect(HTTPProxySettings.proxy(from: "http://") == nil)
    }
}
