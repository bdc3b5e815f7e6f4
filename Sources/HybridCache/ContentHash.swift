import CXXHash

/// A 128-bit XXH3 digest of some content: the identity of inputs and outputs in the build graph.
public struct ContentHash: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The digest of a byte buffer.
    public init(of bytes: UnsafeRawBufferPointer) {
        let digest = XXH3_128bits(bytes.baseAddress, bytes.count)
        self.init(high: digest.high64, low: digest.low64)
    }

    /// The digest of an array of bytes.
    public init(of bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { ContentHash(of: $0) }
    }

    /// The digest of a string's UTF-8 bytes.
    public init(of text: String) {
        var text = text
        self = text.withUTF8 { ContentHash(of: UnsafeRawBufferPointer($0)) }
    }

    /// Parses the 32-digit hex form produced by ``description``.
    public init?(hex: String) {
        guard hex.utf8.count == 32, let high = UInt64(hex.prefix(16), radix: 16),
            let low = UInt64(hex.suffix(16), radix: 16)
        else { return nil }
        self.init(high: high, low: low)
    }

    /// Canonical (big-endian) hex, as `xxhsum -H2` prints it.
    public var description: String {
        hex16(high) + hex16(low)
    }

    public static func < (lhs: ContentHash, rhs: ContentHash) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    private func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// Incremental XXH3-128 over several pieces (a key made of many fields, a large file in chunks).
public final class ContentHasher {
    private let state: OpaquePointer

    public init() {
        state = XXH3_createState()
        XXH3_128bits_reset(state)
    }

    deinit {
        XXH3_freeState(state)
    }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        XXH3_128bits_update(state, bytes.baseAddress, bytes.count)
    }

    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Feeds a string's UTF-8 bytes preceded by their length, so that ("ab","c") and ("a","bc") differ.
    public func update(field text: String) {
        var length = UInt64(text.utf8.count).littleEndian
        withUnsafeBytes(of: &length) { update($0) }
        var text = text
        text.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// Feeds a digest's 16 bytes.
    public func update(_ hash: ContentHash) {
        var words = (hash.high.littleEndian, hash.low.littleEndian)
        withUnsafeBytes(of: &words) { update($0) }
    }

    public func finalize() -> ContentHash {
        let digest = XXH3_128bits_digest(state)
        return ContentHash(high: digest.high64, low: digest.low64)
    }
}
