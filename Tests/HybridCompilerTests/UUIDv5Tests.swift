import Foundation
import SupersetModel
import Testing

@testable import HybridCompiler

@Suite("UUIDv5")
struct UUIDv5Tests {
    /// Expected values from Python's `uuid.uuid5`.
    @Test(
        "matches Python's uuid.uuid5",
        arguments: [
            ("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org", "886313e1-3b8a-5372-9b90-0c9aee199e5d"),
            ("6ba7b811-9dad-11d1-80b4-00c04fd430c8", "", "1b4db7eb-4057-5ddf-91e0-36dec72071f5"),
            (
                "6b1d1e1c-3f5a-5c3e-9e1b-2f4c8a7d0b31", "prod;;databases/analytics.yaml",
                "c4d7b868-ce61-5e53-8112-8f5eb041902c"
            ),
            ("1b4db7eb-4057-5ddf-91e0-36dec72071f5", "client_a", "7c08a3d8-7c30-57b1-99a6-ce600aa82649"),
            (
                "6b1d1e1c-3f5a-5c3e-9e1b-2f4c8a7d0b31", String(repeating: "é", count: 100),
                "7dc3b0bd-fbd7-5eb7-ae59-2ff2b8bbbc25"
            ),
        ])
    func matchesPython(namespace: String, name: String, expected: String) throws {
        let uuid = UUIDv5.make(namespace: try #require(UUID(uuidString: namespace)), name: name)
        #expect(uuid.uuidString.lowercased() == expected)
    }
}
