import Foundation
import SupersetClient
import Testing

@Suite("Credentials from the environment")
struct EnvironmentCredentialsTests {
    @Test("a token wins over a user name and password")
    func tokenFirst() throws {
        let auth = try SupersetAuth.fromEnvironment(
            mode: .superset,
            environment: [
                "HYBRID_SUPERSET_TOKEN": "tok", "HYBRID_SUPERSET_USERNAME": "u", "HYBRID_SUPERSET_PASSWORD": "p",
            ])
        #expect(auth == .bearer("tok"))
    }

    @Test("a user name and password make a password login")
    func password() throws {
        let auth = try SupersetAuth.fromEnvironment(
            mode: .superset, environment: ["HYBRID_SUPERSET_USERNAME": "admin", "HYBRID_SUPERSET_PASSWORD": "pw"])
        #expect(auth == .password(username: "admin", password: "pw"))
    }

    @Test("Preset mode reads PRESET_API_TOKEN and PRESET_API_SECRET")
    func preset() throws {
        let auth = try SupersetAuth.fromEnvironment(
            mode: .preset, environment: ["PRESET_API_TOKEN": "t", "PRESET_API_SECRET": "s"])
        #expect(auth == .preset(apiToken: "t", apiSecret: "s"))
    }

    @Test("missing variables are named, and values are never shown")
    func missing() {
        let cases: [(SupersetAuth.EnvironmentMode, [String: String], String)] = [
            (
                .superset, [:],
                "no Superset credentials: set HYBRID_SUPERSET_TOKEN, or HYBRID_SUPERSET_USERNAME and HYBRID_SUPERSET_PASSWORD"
            ),
            (
                .superset, ["HYBRID_SUPERSET_USERNAME": "admin", "HYBRID_SUPERSET_TOKEN": ""],
                "HYBRID_SUPERSET_USERNAME is set but HYBRID_SUPERSET_PASSWORD is not"
            ),
            (
                .superset, ["HYBRID_SUPERSET_PASSWORD": "secret-value"],
                "HYBRID_SUPERSET_PASSWORD is set but HYBRID_SUPERSET_USERNAME is not"
            ),
            (
                .preset, ["HYBRID_SUPERSET_TOKEN": "tok"],
                "no Preset credentials: set PRESET_API_TOKEN and PRESET_API_SECRET"
            ),
            (.preset, ["PRESET_API_TOKEN": "token-value"], "PRESET_API_TOKEN is set but PRESET_API_SECRET is not"),
        ]
        for (mode, environment, expected) in cases {
            #expect(throws: SupersetError.configuration(expected)) {
                try SupersetAuth.fromEnvironment(mode: mode, environment: environment)
            }
        }
    }
}
