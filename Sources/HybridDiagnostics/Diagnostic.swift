/// A finding about the user's input, kept as a value until a printer renders it.
public struct Diagnostic: Hashable, Sendable, Codable, Error, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable, Codable {
        case error
        case warning
        case note
    }

    public var severity: Severity
    /// Where the problem is; nil when it concerns no particular file position.
    public var location: SourceLocation?
    public var message: String
    /// Further lines: an include chain, "first defined here", a hint.
    public var notes: [Diagnostic]

    public init(
        _ severity: Severity, at location: SourceLocation?, _ message: String,
        notes: [Diagnostic] = []
    ) {
        self.severity = severity
        self.location = location
        self.message = message
        self.notes = notes
    }

    public static func error(at location: SourceLocation?, _ message: String) -> Diagnostic {
        Diagnostic(.error, at: location, message)
    }

    public static func note(at location: SourceLocation?, _ message: String) -> Diagnostic {
        Diagnostic(.note, at: location, message)
    }

    public static func warning(at location: SourceLocation?, _ message: String) -> Diagnostic {
        Diagnostic(.warning, at: location, message)
    }

    /// `file:line:col: error: message` (plain text, no colour).
    public var description: String {
        var text = ""
        if let location { text += "\(location): " }
        text += "\(severity.rawValue): \(message)"
        return text
    }
}
