import HybridCache
import Testing

/// Two versions of one key: the second has one more field (same identifier and version).
private struct Narrow: CacheKey {
    static let identifier = "test-key"
    static let version = 1
    var path: String
    var hash: ContentHash
    var tenant: String?
}

private struct Wide: CacheKey {
    static let identifier = "test-key"
    static let version = 1
    var path: String
    var hash: ContentHash
    var tenant: String?
    var extra: String
}

private struct Renamed: CacheKey {
    static let identifier = "test-key"
    static let version = 1
    var name: String
    var hash: ContentHash
    var tenant: String?
}

private struct Bumped: CacheKey {
    static let identifier = "test-key"
    static let version = 2
    var path: String
    var hash: ContentHash
    var tenant: String?
}

private struct Nested: CacheKey {
    static let identifier = "test-nested"
    static let version = 1
    struct Part: Encodable {
        var a: String?
        var b: [String]
    }
    var part: Part
    var b: [String]
}

@Suite("Cache keys")
struct CacheKeyTests {
    let hash = ContentHash(of: "rendered text")

    @Test("the same fields give the same digest; adding a field to the key changes it")
    func addingAFieldChangesTheKey() {
        let narrow = Narrow(path: "charts/x.yaml.j2", hash: hash, tenant: "a")
        #expect(narrow.digest == Narrow(path: "charts/x.yaml.j2", hash: hash, tenant: "a").digest)
        #expect(narrow.digest != Wide(path: "charts/x.yaml.j2", hash: hash, tenant: "a", extra: "").digest)
    }

    @Test("every field, its name, the identifier and the version are part of the digest")
    func everythingCounts() {
        let base = Narrow(path: "p", hash: hash, tenant: "t")
        let variants: [ContentHash] = [
            Narrow(path: "q", hash: hash, tenant: "t").digest,
            Narrow(path: "p", hash: ContentHash(of: "other"), tenant: "t").digest,
            Narrow(path: "p", hash: hash, tenant: "u").digest,
            Narrow(path: "p", hash: hash, tenant: nil).digest,
            Narrow(path: "p", hash: hash, tenant: "").digest,
            Renamed(name: "p", hash: hash, tenant: "t").digest,
            Bumped(path: "p", hash: hash, tenant: "t").digest,
        ]
        #expect(Set(variants + [base.digest]).count == variants.count + 1)
    }

    @Test("fields are delimited: moving text from one field to the next changes the digest")
    func delimited() {
        #expect(
            Narrow(path: "ab", hash: hash, tenant: "c").digest != Narrow(path: "a", hash: hash, tenant: "bc").digest)
    }

    @Test("nested values end where they end: a field inside a nested value differs from one after it")
    func nestedValuesAreDelimited() {
        let inside = Nested(part: .init(a: nil, b: ["x"]), b: [])
        let after = Nested(part: .init(a: nil, b: []), b: ["x"])
        #expect(inside.digest != after.digest)
        #expect(
            Nested(part: .init(a: "1", b: ["x", "y"]), b: []).digest
                != Nested(part: .init(a: "1", b: ["x"]), b: ["y"]).digest)
    }

    @Test("a list of keys digests its keys in order")
    func listDigest() {
        let a = Narrow(path: "a", hash: hash, tenant: nil)
        let b = Narrow(path: "b", hash: hash, tenant: nil)
        #expect(Narrow.digest(of: [a, b]) == Narrow.digest(of: [a, b]))
        #expect(Narrow.digest(of: [a, b]) != Narrow.digest(of: [b, a]))
        #expect(Narrow.digest(of: [a]) != Narrow.digest(of: [a, a]))
        #expect(Narrow.digest(of: [a]) != a.digest)
    }
}
