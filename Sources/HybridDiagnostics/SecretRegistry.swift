import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Every secret this process holds — login passwords, bearer, access and refresh tokens, JWTs it
/// received, CSRF tokens and session cookies, database passwords, Preset secrets — registered once
/// where it is read or received, and replaced by `<redacted>` in everything hybrid prints, logs or
/// records (``StandardStreams``, the audit log, saved plans, error messages), whatever path it came
/// back by: a server or proxy that echoes a request puts the secret in its answer, and that answer
/// ends up in an error message.
///
/// Each secret is also searched for in the forms a request carries it in (JSON-escaped, percent- and
/// form-encoded, Base64 as in a Basic `Authorization` header).
public final class SecretRegistry: @unchecked Sendable {
    /// The one registry of the process.
    public static let shared = SecretRegistry()

    /// What a secret is replaced with.
    public static let placeholder = "<redacted>"

    /// Secrets shorter than this are not searched for: they would mangle ordinary words without
    /// protecting anything.
    public static let minimumLength = 4

    private let lock = NSLock()
    /// Every form of every secret, longest first (so a secret containing another is removed whole).
    private var forms: [String] = []
    /// ``forms`` as UTF-8 bytes, in the same order (what the search runs on).
    private var formBytes: [[UInt8]] = []
    private var known: Set<String> = []

    public init() {}

    /// Registers `secret` (nil, empty or short values are ignored).
    public func register(_ secret: String?) {
        guard let secret, secret.count >= Self.minimumLength else { return }
        lock.lock()
        defer { lock.unlock() }
        guard known.insert(secret).inserted else { return }
        var added = Set(Self.encodings(of: secret).filter { $0.count >= Self.minimumLength })
        added.subtract(forms)
        forms = (forms + added).sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
        formBytes = forms.map { Array($0.utf8) }
    }

    /// Registers the user name and password of HTTP Basic credentials, and their header form.
    public func registerBasic(user: String, password: String) {
        register(password)
        register(Data((user + ":" + password).utf8).base64EncodedString())
    }

    /// Whether nothing is registered (then redaction is free).
    public var isEmpty: Bool {
        lock.lock()
        defer { lock.unlock() }
        return forms.isEmpty
    }

    /// `text` with every form of every secret replaced by ``placeholder``.
    public func redact(_ text: String) -> String {
        let forms = currentForms()
        guard !forms.isEmpty else { return text }
        let bytes = Array(text.utf8)
        guard let redacted = Self.redacted(bytes, forms) else { return text }
        return String(decoding: redacted, as: UTF8.self)
    }

    /// `bytes` (UTF-8 text) redacted; the same bytes when no secret occurs in them.
    public func redact(_ bytes: [UInt8]) -> [UInt8] {
        let forms = currentForms()
        guard !forms.isEmpty else { return bytes }
        return Self.redacted(bytes, forms) ?? bytes
    }

    private func currentForms() -> [[UInt8]] {
        lock.lock()
        defer { lock.unlock() }
        return formBytes
    }

    /// Every occurrence of each form (longest first) replaced, byte for byte (a match of valid UTF-8
    /// in valid UTF-8 starts and ends on character boundaries); nil when nothing occurs. One linear
    /// search (memmem) per form.
    private static func redacted(_ bytes: [UInt8], _ forms: [[UInt8]]) -> [UInt8]? {
        var current = bytes
        var changed = false
        let placeholder = Array(Self.placeholder.utf8)
        for form in forms where form.count <= current.count {
            guard var match = find(form, in: current, from: 0) else { continue }
            var result: [UInt8] = []
            result.reserveCapacity(current.count)
            var start = 0
            while true {
                result += current[start..<match]
                result += placeholder
                start = match + form.count
                guard let next = find(form, in: current, from: start) else { break }
                match = next
            }
            result += current[start...]
            current = result
            changed = true
        }
        return changed ? current : nil
    }

    /// The first index of `needle` in `haystack` at or after `start` (memchr for the first byte,
    /// then memcmp).
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, start <= haystack.count, needle.count <= haystack.count - start else {
            return nil
        }
        return haystack.withUnsafeBytes { hay -> Int? in
            needle.withUnsafeBytes { pin -> Int? in
                guard let base = hay.baseAddress, let pattern = pin.baseAddress else { return nil }
                var index = start
                let last = hay.count - pin.count
                while index <= last {
                    guard let hit = memchr(base + index, Int32(first), last - index + 1) else { return nil }
                    let offset = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + offset, pattern, pin.count) == 0 { return offset }
                    index = offset + 1
                }
                return nil
            }
        }
    }

    /// The secret as it may appear in a request or an echo of one.
    static func encodings(of secret: String) -> [String] {
        var forms = [secret]
        if let data = try? JSONSerialization.data(withJSONObject: [secret], options: [.fragmentsAllowed]) {
            // `["…"]`: the escaped text between the quotes, with `/` plain and as `\/`, and with
            // non-ASCII as `\uXXXX` (Python's json.dumps).
            let plain = String(decoding: data, as: UTF8.self).dropFirst(2).dropLast(2)
                .replacingOccurrences(of: "\\/", with: "/")
            forms += [plain, plain.replacingOccurrences(of: "/", with: "\\/"), asciiEscaped(plain)]
        }
        var unreserved = CharacterSet.alphanumerics
        unreserved.insert(charactersIn: "-._~")
        if let encoded = secret.addingPercentEncoding(withAllowedCharacters: unreserved) {
            forms.append(encoded)
            forms.append(encoded.replacingOccurrences(of: "%20", with: "+"))
            forms.append(encoded.lowercasedPercentEscapes)
        }
        forms.append(Data(secret.utf8).base64EncodedString())
        return forms
    }
}

/// JSON text with every non-ASCII scalar as `\uXXXX` (UTF-16, lower-case hex), as Python writes it.
private func asciiEscaped(_ json: String) -> String {
    var out = ""
    for scalar in json.unicodeScalars {
        if scalar.isASCII {
            out.unicodeScalars.append(scalar)
        } else {
            for unit in String(scalar).utf16 { out += "\\u" + String(format: "%04x", unit) }
        }
    }
    return out
}

extension String {
    /// `%2F` as `%2f` (some clients write percent escapes in lower case).
    fileprivate var lowercasedPercentEscapes: String {
        var out = ""
        var pending = 0
        for character in self {
            if character == "%" {
                pending = 2
                out.append(character)
            } else if pending > 0 {
                pending -= 1
                out += character.lowercased()
            } else {
                out.append(character)
            }
        }
        return out
    }
}
