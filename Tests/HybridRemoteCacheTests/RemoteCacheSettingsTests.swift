import Foundation
import HybridRemoteCache
import Testing

@Suite("RemoteCacheSettings")
struct RemoteCacheSettingsTests {
    func resolve(_ environment: [String: String], configured: String? = nil) throws -> RemoteCacheSettings? {
        try RemoteCacheSettings.resolve(environment: environment, configured: configured)
    }

    @Test("no URL, or HYBRID_REMOTE_CACHE=off, is no remote cache; the variable overrides cache.remote")
    func presence() throws {
        #expect(try resolve([:]) == nil)
        #expect(try resolve(["HYBRID_REMOTE_CACHE": "off"], configured: "http://cache:8080") == nil)
        #expect(try resolve([:], configured: "http://cache:8080/x/")?.baseURL == "http://cache:8080/x")
        #expect(
            try resolve(["HYBRID_REMOTE_CACHE": "https://other/y"], configured: "http://cache")?.baseURL
                == "https://other/y")
    }

    @Test("user:password in the URL becomes Basic auth, is removed from the URL, and is a secret")
    func basic() throws {
        let settings = try #require(try resolve(["HYBRID_REMOTE_CACHE": "http://ci%40corp:p%3Ass@cache:8080/h"]))
        #expect(settings.baseURL == "http://cache:8080/h")
        let encoded = Data("ci@corp:p:ss".utf8).base64EncodedString()
        #expect(settings.authorization == "Basic " + encoded)
        #expect(settings.secrets.contains("p:ss") && settings.secrets.contains(encoded))
        #expect(settings.writes == false)
    }

    @Test("HYBRID_REMOTE_CACHE_TOKEN is a bearer token; with credentials in the URL too it is an error")
    func bearer() throws {
        let settings = try #require(
            try resolve(["HYBRID_REMOTE_CACHE": "http://cache", "HYBRID_REMOTE_CACHE_TOKEN": "tok-123"]))
        #expect(settings.authorization == "Bearer tok-123")
        #expect(settings.secrets == ["tok-123"])
        #expect(throws: RemoteCacheSettings.Invalid.self) {
            try resolve(["HYBRID_REMOTE_CACHE": "http://u:p@cache", "HYBRID_REMOTE_CACHE_TOKEN": "tok-123"])
        }
    }

    @Test(
        "writes only with HYBRID_REMOTE_CACHE_WRITE=1; a timeout in seconds; bad values are errors naming the variable")
    func options() throws {
        #expect(try resolve(["HYBRID_REMOTE_CACHE": "http://c", "HYBRID_REMOTE_CACHE_WRITE": "1"])?.writes == true)
        #expect(try resolve(["HYBRID_REMOTE_CACHE": "http://c", "HYBRID_REMOTE_CACHE_WRITE": "0"])?.writes == false)
        #expect(
            try resolve(["HYBRID_REMOTE_CACHE": "http://c", "HYBRID_REMOTE_CACHE_TIMEOUT": "0.5"])?.timeout
                == .milliseconds(500))
        for (key, value) in [
            ("HYBRID_REMOTE_CACHE_WRITE", "yes"), ("HYBRID_REMOTE_CACHE_TIMEOUT", "-1"),
            ("HYBRID_REMOTE_CACHE", "ftp://c"), ("HYBRID_REMOTE_CACHE", "http://c/x?y=1"),
        ] {
            var environment = ["HYBRID_REMOTE_CACHE": "http://c"]
            environment[key] = value
            do {
                _ = try resolve(environment)
                Issue.record("\(key)=\(value) was accepted")
            } catch let error as RemoteCacheSettings.Invalid {
                #expect(error.description.contains(key))
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test("credentials in cache.remote of hybrid.yaml are refused (the file is committed)")
    func configuredCredentials() {
        #expect(throws: RemoteCacheSettings.Invalid.self) { try resolve([:], configured: "http://u:p@cache") }
    }
}
