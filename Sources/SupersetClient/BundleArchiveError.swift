/// Why a bundle ZIP could not be made or read.
public struct BundleArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// The entry concerned, when one is.
    public var path: String?

    public init(_ message: String, path: String? = nil) {
        self.message = message
        self.path = path
    }

    public var description: String { message }
}
