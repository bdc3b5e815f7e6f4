import Foundation
import HybridGraph

/// `<bundle>/.hybrid-bundle.json`: whether a bundle is complete, and which files in it hybrid owns.
/// Written as `building` before any output changes and `complete` after the last one, so a
/// compile that fails or is killed leaves a bundle that `apply` refuses.
public struct BundleStatus: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case building
        case complete
        case failed
    }

    public static let fileName = ".hybrid-bundle.json"

    public var format = 1
    public var environment: String
    public var tenant: String?
    public var state: State
    /// The compile inputs' digest (hex) of a complete bundle.
    public var inputs: String?
    /// Why a bundle failed (the first error).
    public var error: String?
    /// Every file hybrid wrote in this bundle, relative to it, sorted.
    public var outputs: [String]

    public init(
        environment: String, tenant: String?, state: State, inputs: String?, error: String? = nil,
        outputs: [String]
    ) {
        self.environment = environment
        self.tenant = tenant
        self.state = state
        self.inputs = inputs
        self.error = error
        self.outputs = outputs
    }

    public static func load(bundle directory: String) -> BundleStatus? {
        guard let bytes = try? AtomicFile.read(directory + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(BundleStatus.self, from: Data(bytes))
    }

    public func save(bundle directory: String) throws(AtomicFile.IOError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(self)
        } catch {
            throw AtomicFile.IOError(path: directory + "/" + BundleStatus.fileName, message: "\(error)")
        }
        try Directories.create(directory)
        try AtomicFile.write(Array(data) + [0x0A], to: directory + "/" + BundleStatus.fileName, durable: false)
    }
}
