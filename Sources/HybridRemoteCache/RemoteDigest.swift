import Crypto

/// A SHA-256 digest: the name of a blob in the remote cache (`cas/<hex>`) or of an action-cache
/// entry (`ac/<hex>`, the digest of the entry's key), as Bazel's HTTP cache protocol names them.
public struct RemoteDigest: Hashable, Sendable, CustomStringConvertible {
    /// The 32 bytes of the digest.
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    /// The digest of `data`.
    public static func of(_ data: [UInt8]) -> RemoteDigest {
        RemoteDigest(unchecked: Array(SHA256.hash(data: data)))
    }

    /// The digest of a key made of parts (each length-prefixed, so `("ab", "c")` and `("a", "bc")` differ).
    public static func key(_ parts: [String]) -> RemoteDigest {
        var hasher = SHA256()
        for part in parts {
            let utf8 = Array(part.utf8)
            withUnsafeBytes(of: UInt64(utf8.count).littleEndian) { hasher.update(bufferPointer: $0) }
            hasher.update(data: utf8)
        }
        return RemoteDigest(unchecked: Array(hasher.finalize()))
    }

    private init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Lower-case hexadecimal, as in the URL.
    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Parses 64 hexadecimal digits.
    public init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            default: nil
            }
        }
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }
}
