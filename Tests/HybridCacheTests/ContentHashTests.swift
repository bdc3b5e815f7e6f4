import HybridCache
import Testing

@Suite("ContentHash")
struct ContentHashTests {
    // Reference digests from python-xxhash 3.x / libxxhash 0.8:
    //   python3 -c "import xxhash; print(xxhash.xxh3_128_hexdigest(b'hybrid'))"
    @Test(
        "matches libxxhash's reference XXH3-128 digests",
        arguments: [
            ("", "99aa06d3014798d86001c324468d497f"),
            ("a", "a96faf705af16834e6c632b61e964e1f"),
            ("hybrid", "4a2cfd5ca5eb8d6f447ab86936811b96"),
        ])
    func referenceDigests(input: String, expected: String) {
        #expect(ContentHash(of: input).description == expected)
    }

    @Test("hashes long inputs like the reference, in one piece or streamed in chunks")
    func longInputStreamed() {
        let bytes = (0..<40).flatMap { _ in (0..<256).map { UInt8($0) } }
        #expect(ContentHash(of: bytes).description == "1cb22534d0d96975c03d2231ab9348f3")
        let hasher = ContentHasher()
        for chunk in stride(from: 0, to: bytes.count, by: 777) {
            hasher.update(Array(bytes[chunk..<min(chunk + 777, bytes.count)]))
        }
        #expect(hasher.finalize() == ContentHash(of: bytes))
    }

    @Test("length-prefixed fields keep different splits apart")
    func fieldsAreDelimited() {
        let first = ContentHasher()
        first.update(field: "ab")
        first.update(field: "c")
        let second = ContentHasher()
        second.update(field: "a")
        second.update(field: "bc")
        #expect(first.finalize() != second.finalize())
    }

    @Test("hex form round-trips and rejects malformed text")
    func hexRoundTrip() {
        let hash = ContentHash(of: "hybrid")
        #expect(ContentHash(hex: hash.description) == hash)
        #expect(ContentHash(hex: "xyz") == nil)
        #expect(ContentHash(hex: String(repeating: "g", count: 32)) == nil)
    }
}
