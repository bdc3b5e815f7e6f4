import ArgumentParser
import Foundation
import HybridDiagnostics

/// `--format text|json`, shared by commands whose output scripts consume.
struct OutputOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @Option(name: .long, help: "Output format: text for people, json for scripts.")
    var format: Format = .text

    /// Prints a value as pretty, key-sorted JSON on standard output.
    func printJSON<T: Encodable>(_ value: T) throws {
        try OutputOptions.printJSON(value)
    }

    /// Prints a value as pretty, key-sorted JSON on standard output.
    static func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        StandardStreams.writeOutput([UInt8](data))
    }
}

/// A diagnostic in JSON output.
struct DiagnosticRecord: Encodable {
    var severity: String
    var file: String?
    var line: Int?
    var column: Int?
    var message: String

    init(_ diagnostic: Diagnostic) {
        severity = diagnostic.severity.rawValue
        file = diagnostic.location?.file
        line = diagnostic.location?.line
        column = diagnostic.location?.column
        message = diagnostic.message
    }
}
