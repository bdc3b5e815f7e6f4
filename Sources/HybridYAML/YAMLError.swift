import HybridDiagnostics

/// A document that cannot be read, with the position of the offending text.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        /// Malformed YAML (reader, scanner or parser error), or bytes that are not valid text.
        case syntax
        case duplicateKey = "duplicate-key"
        case duplicateAnchor = "duplicate-anchor"
        case undefinedAlias = "undefined-alias"
        case recursiveAlias = "recursive-alias"
        /// Aliases expand beyond the configured bound ("billion laughs").
        case aliasLimit = "alias-limit"
        /// Collections nested deeper than the configured bound.
        case nestingLimit = "nesting-limit"
        case multipleDocuments = "multiple-documents"
        case unhashableKey = "unhashable-key"
        case invalidMerge = "invalid-merge"
        case invalidValue = "invalid-value"
        case unsupportedTag = "unsupported-tag"
    }

    public var kind: Kind
    public var location: SourceLocation
    public var message: String
    /// Secondary positions ("first defined here").
    public var notes: [Diagnostic]

    public init(_ kind: Kind, at location: SourceLocation, _ message: String, notes: [Diagnostic] = []) {
        self.kind = kind
        self.location = location
        self.message = message
        self.notes = notes
    }

    /// The error as a printable diagnostic.
    public var diagnostic: Diagnostic {
        Diagnostic(.error, at: location, message, notes: notes)
    }

    public var description: String { diagnostic.description }
}
