import Foundation
import HybridCompiler
import HybridTestSupport
import SupersetModel
import Testing

@testable import HybridRuntime

@Suite("Runtime (offline)")
struct RuntimeUnitTests {
    @Test("database passwords come from HYBRID_DB_PASSWORD_<NAME>, the name upper-cased with other characters as _")
    func passwordVariable() {
        #expect(Applier.passwordVariable(for: "analytics-prod") == "HYBRID_DB_PASSWORD_ANALYTICS_PROD")
        #expect(Applier.passwordVariable(for: "client_a.dw") == "HYBRID_DB_PASSWORD_CLIENT_A_DW")
        #expect(Applier.databasePassword(for: "x", environment: ["HYBRID_DB_PASSWORD_X": "pw"]) == "pw")
        #expect(Applier.databasePassword(for: "x", environment: ["HYBRID_DB_PASSWORD_X": ""]) == nil)
    }

    @Test("a bundle that is not complete is refused, naming its state and error")
    func refusesIncompleteBundles() throws {
        let root = NSTemporaryDirectory() + "hybrid-runtime-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let status = BundleStatus(
            environment: "prod", tenant: nil, state: .failed, error: "assets/charts/x.yaml.j2:3:1: error: boom",
            outputs: [])
        try status.save(at: BundleStatus.path(bundles: root, environment: "prod", tenant: nil))
        #expect(throws: (any Error).self) { try BundleSnapshot.read(bundles: root, environment: "prod", tenant: nil) }
        do {
            _ = try BundleSnapshot.read(bundles: root, environment: "prod", tenant: nil)
        } catch {
            #expect(error.message.hasPrefix("bundle prod is failed: assets/charts/x.yaml.j2:3:1: error: boom"))
        }
        do {
            _ = try BundleSnapshot.read(bundles: root, environment: "dev", tenant: nil)
        } catch {
            #expect(error.message == "bundle dev has not been compiled: run hybrid compile first")
        }
    }

    @Test("a target without a URL is a clear error naming the setting")
    func missingTarget() {
        do {
            _ = try RuntimeConnection.resolve(
                config: ProjectConfig(), environment: "prod", url: nil,
                variables: ["HYBRID_SUPERSET_USERNAME": "a", "HYBRID_SUPERSET_PASSWORD": "b"])
            Issue.record("expected an error")
        } catch {
            #expect(
                error.message
                    == "no Superset for environment 'prod': set superset.url (or superset.urls.prod) in hybrid.yaml or pass --url"
            )
        }
    }
}
