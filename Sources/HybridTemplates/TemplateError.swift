import HybridDiagnostics

/// A template that cannot be loaded, parsed or rendered, located in the template where it happened.
public struct TemplateError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        case syntax
        case unknownFilter = "unknown-filter"
        case unknownTest = "unknown-test"
        case undefined
        case notFound = "not-found"
        case zeroDivision = "zero-division"
        case type
        case value
        /// Macro (or recursive loop) calls nested beyond the limit.
        case recursion
        case includeCycle = "include-cycle"
        /// A template path with `..`, an absolute path, or a symlink leading out of the assets directory.
        case pathEscape = "path-escape"
        /// Anything else raised while rendering.
        case runtime
    }

    public var kind: Kind
    public var message: String
    /// Template path (relative to the assets directory, or as the caller named it), line, column.
    public var location: SourceLocation
    /// The include/import/extends chain, innermost first: where each enclosing template pulled this one in.
    public var chain: [SourceLocation]

    public init(_ kind: Kind, _ message: String, at location: SourceLocation, chain: [SourceLocation] = []) {
        self.kind = kind
        self.message = message
        self.location = location
        self.chain = chain
    }

    /// `file:line:col: error: message`, then one note per enclosing template.
    public var diagnostic: Diagnostic {
        Diagnostic(
            .error, at: location, message,
            notes: chain.map { Diagnostic(.note, at: $0, "included from here") })
    }

    public var description: String { DiagnosticPrinter(style: .plain).render(diagnostic) }
}

/// An error raised by an operation that does not know its position; the interpreter adds it.
struct EvalFailure: Error {
    var kind: TemplateError.Kind
    var message: String

    init(_ kind: TemplateError.Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// Recursion stopped because the thread's stack is nearly used up (see `StackGuard`).
    static let stackExhausted = EvalFailure(
        .recursion, "maximum recursion depth exceeded (the thread's stack is nearly used up)")
}
