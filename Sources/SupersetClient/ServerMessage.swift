import Foundation

/// Superset's own explanation in an error body, in the shapes its APIs use.
enum ServerMessage {
    /// The longest message kept from a body; HTML pages and tracebacks are cut.
    static let maximumLength = 500

    /// `message` (a string, or a field → messages map), `errors[].message`, `msg`, `description` or
    /// `error` from a JSON body (nil for JSON without any of them); else the `<title>` of an HTML page; else
    /// the first line of a text body; else nil.
    static func extract(from body: Data) -> String? {
        if let json = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) {
            guard let text = fromJSON(json), !text.isEmpty else { return nil }
            return clip(text)
        }
        guard let text = String(data: body, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
            !text.isEmpty
        else { return nil }
        if let title = htmlTitle(text) { return clip(title) }
        if text.hasPrefix("<") { return nil }
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        return clip(line)
    }

    private static func fromJSON(_ json: Any) -> String? {
        if let text = json as? String { return text }
        guard let object = json as? [String: Any] else { return nil }
        if let message = object["message"], let text = flatten(message) { return text }
        if let errors = object["errors"] as? [Any] {
            let texts = errors.compactMap { error -> String? in
                if let error = error as? [String: Any], let message = error["message"] { return flatten(message) }
                return flatten(error)
            }
            if !texts.isEmpty { return texts.joined(separator: "; ") }
        }
        for key in ["msg", "description", "error", "detail"] {
            if let value = object[key], let text = flatten(value) { return text }
        }
        if let payload = object["payload"] as? [String: Any] { return fromJSON(payload) }
        return nil
    }

    /// A string as is; a list joined with `; `; a map as `key: value` pairs in key order
    /// (Superset's validation errors: `{"sqlalchemy_uri": ["Field required"]}`).
    private static func flatten(_ value: Any) -> String? {
        switch value {
        case let text as String:
            return text
        case let number as NSNumber:
            return number.stringValue
        case let list as [Any]:
            let parts = list.compactMap(flatten)
            return parts.isEmpty ? nil : parts.joined(separator: "; ")
        case let map as [String: Any]:
            let parts = map.keys.sorted().compactMap { key in flatten(map[key]!).map { "\(key): \($0)" } }
            return parts.isEmpty ? nil : parts.joined(separator: "; ")
        default:
            return nil
        }
    }

    private static func htmlTitle(_ text: String) -> String? {
        guard let open = text.range(of: "<title>", options: .caseInsensitive),
            let close = text.range(of: "</title>", options: .caseInsensitive, range: open.upperBound..<text.endIndex)
        else { return nil }
        let title = text[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        return title.isEmpty ? nil : title
    }

    private static func clip(_ text: String) -> String {
        let single = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        guard single.count > maximumLength else { return single }
        return String(single.prefix(maximumLength)) + "…"
    }
}
