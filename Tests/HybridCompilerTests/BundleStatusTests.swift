import Foundation
import SupersetModel
import Testing

@testable import HybridCompiler

@Suite("Bundle status file")
struct BundleStatusTests {
    @Test("what is written reads back the same, through the fast reader and through JSON")
    func roundTrip() throws {
        for status in [
            BundleStatus(
                environment: "prod", tenant: "client_a", state: .complete, outputs: ["charts/a.yaml", "metadata.yaml"]),
            BundleStatus(environment: "dev", tenant: nil, state: .building, outputs: []),
            BundleStatus(
                environment: "prod", tenant: nil, state: .failed, error: "assets/x.yaml.j2:1:2: error: \"quoted\"\n",
                outputs: ["charts/é \\ \"odd\".yaml"]),
        ] {
            let bytes = status.encoded
            let decoded = try JSONDecoder().decode(BundleStatus.self, from: Data(bytes))
            #expect(decoded == status)
            if let fast = BundleStatus.parseOwnFormat(bytes) { #expect(fast == status) }
        }
        #expect(
            BundleStatus.parseOwnFormat(
                BundleStatus(environment: "prod", tenant: nil, state: .complete, outputs: ["a"]).encoded) != nil)
        #expect(BundleStatus.parseOwnFormat(Array("{\"state\": \"complete\"}".utf8)) == nil)
    }
}
