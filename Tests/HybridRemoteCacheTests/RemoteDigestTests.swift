import HybridRemoteCache
import Testing

@Suite("RemoteDigest")
struct RemoteDigestTests {
    @Test("is SHA-256 in lower-case hex, as Bazel's cas/ names blobs")
    func sha256() {
        #expect(
            RemoteDigest.of(Array("abc".utf8)).description
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            RemoteDigest.of([]).description == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("keys of different parts never collide by concatenation, and hex round-trips")
    func keys() {
        #expect(RemoteDigest.key(["ab", "c"]) != RemoteDigest.key(["a", "bc"]))
        #expect(RemoteDigest.key(["a"]) != RemoteDigest.key(["a", ""]))
        let digest = RemoteDigest.key(["hybrid", "x"])
        #expect(RemoteDigest(hex: digest.description) == digest)
        #expect(RemoteDigest(hex: "zz" + String(digest.description.dropFirst(2))) == nil)
        #expect(RemoteDigest(hex: "ab") == nil)
    }
}
