import HybridAudit

/// A raw query string read into name–value pairs (`+` is a space, `%XX` decoded); malformed
/// escapes and bytes that are not UTF-8 are an error naming the parameter.
enum QueryString {
    static func parse(_ raw: String?) throws(AuditQueryError) -> [(String, String)] {
        guard let raw, !raw.isEmpty else { return [] }
        guard raw.utf8.count <= 8192 else { throw AuditQueryError(parameter: "query", "is longer than 8192 bytes") }
        var pairs: [(String, String)] = []
        for part in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(pieces[0]), !name.isEmpty else {
                throw AuditQueryError(parameter: String(part.prefix(64)), "is not a well-formed name=value pair")
            }
            guard let value = pieces.count > 1 ? decode(pieces[1]) : "" else {
                throw AuditQueryError(parameter: name, "has a malformed percent-encoding")
            }
            pairs.append((name, value))
        }
        return pairs
    }

    private static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(0x20)
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hex), let low = iterator.next().flatMap(hex) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
