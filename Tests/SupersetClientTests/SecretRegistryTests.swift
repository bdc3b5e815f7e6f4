import Foundation
import HybridDiagnostics
import Testing

@Suite("The secret registry redacts a secret in every form a request carries it in")
struct SecretRegistryTests {
    @Test(
        "plain, JSON-escaped, Python-escaped, percent- and form-encoded and Base64 forms all become <redacted>",
        arguments: [
            #"pw "p@ss word/ü" end"#,
            #"json "p@ss word\/ü" end"#,
            #"python "p@ss word/\u00fc" end"#,
            "url p%40ss%20word%2F%C3%BC end",
            "url p%40ss%20word%2f%c3%bc end",
            "form p%40ss+word%2F%C3%BC end",
            "b64 " + Data("p@ss word/ü".utf8).base64EncodedString() + " end",
        ])
    func forms(text: String) {
        let registry = SecretRegistry()
        registry.register("p@ss word/ü")
        let redacted = registry.redact(text)
        #expect(redacted.contains("<redacted>"), "\(redacted)")
        #expect(!redacted.contains("ss word") && !redacted.contains("ss%20word") && !redacted.contains("ss+word"))
        #expect(redacted.hasSuffix(" end"))
    }

    @Test("Basic credentials are redacted in their Authorization header form")
    func basic() {
        let registry = SecretRegistry()
        registry.registerBasic(user: "ci", password: "hunter22")
        let header = "Authorization: Basic " + Data("ci:hunter22".utf8).base64EncodedString()
        #expect(registry.redact(header) == "Authorization: Basic <redacted>")
    }

    @Test("short values are not secrets worth mangling text for; the longest secret wins; bytes too")
    func shortAndNested() {
        let registry = SecretRegistry()
        registry.register("abc")
        registry.register("token-1")
        registry.register("token-12345")
        #expect(registry.redact("abc token-12345 token-1") == "abc <redacted> <redacted>")
        #expect(registry.redact(Array("x token-1 y".utf8)) == Array("x <redacted> y".utf8))
        #expect(SecretRegistry().isEmpty)
        #expect(SecretRegistry().redact("token-1") == "token-1")
    }
}
