import Foundation

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
        var text = text
        for form in forms where text.contains(form) {
            text = text.replacingOccurrences(of: form, with: Self.placeholder)
        }
        return text
    }

    /// `bytes` (UTF-8 text) redacted; the same bytes when no secret occurs in them.
    public func redact(_ bytes: [UInt8]) -> [UInt8] {
        let forms = currentForms()
        guard !forms.isEmpty else { return bytes }
        let text = String(decoding: bytes, as: UTF8.self)
        let redacted = redact(text)
        return redacted == text ? bytes : Array(redacted.utf8)
    }

    private func currentForms() -> [String] {
        lock.lock()
        defer { lock.unlock() }
        return forms
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
