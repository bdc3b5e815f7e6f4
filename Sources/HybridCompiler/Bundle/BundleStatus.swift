import Foundation
import HybridCache
import SupersetModel

/// `bundles/.hybrid-status/<env>[/<tenant>].json`: whether a bundle is complete, and which files in
/// it hybrid owns. Kept beside the bundles, not in them, so a bundle directory holds exactly the
/// normal form (`diff -r bundles/prod exported/` compares only assets).
/// Written as `building` before a compile changes more than one file of it and `complete` after
/// the last one (a single file is replaced atomically), so a compile that fails or is killed
/// leaves a bundle that `apply` refuses.
public struct BundleStatus: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case building
        case complete
        case failed
    }

    /// The folder under the bundles directory that holds every bundle's status.
    public static let directoryName = ".hybrid-status"

    /// Where the status of a bundle lives.
    public static func path(bundles: String, environment: String, tenant: String?) -> String {
        bundles + "/" + directoryName + "/" + environment + (tenant.map { "/" + $0 } ?? "") + ".json"
    }

    public var format = 1
    public var environment: String
    public var tenant: String?
    public var state: State
    /// Why a bundle failed (the first error).
    public var error: String?
    /// Every file hybrid wrote in this bundle, relative to it, sorted.
    public var outputs: [String]

    public init(environment: String, tenant: String?, state: State, error: String? = nil, outputs: [String]) {
        self.environment = environment
        self.tenant = tenant
        self.state = state
        self.error = error
        self.outputs = outputs
    }

    public static func load(at path: String) -> BundleStatus? {
        guard let bytes = try? AtomicFile.read(path) else { return nil }
        if let status = parseOwnFormat(bytes) { return status }
        return try? JSONDecoder().decode(BundleStatus.self, from: Data(bytes))
    }

    /// Reads exactly what ``encoded`` writes (fast, byte by byte); nil for anything else (then
    /// the general JSON decoder).
    static func parseOwnFormat(_ bytes: [UInt8]) -> BundleStatus? {
        var environment: String?
        var tenant: String?
        var state: State?
        var format: Int?
        var outputs: [String] = []
        var inOutputs = false
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for index in bytes.indices where bytes[index] == 0x0A {
            lines.append(bytes[start..<index])
            start = index + 1
        }
        guard start == bytes.count, lines.count >= 2, lines.first == [0x7B], lines.last == [0x7D] else { return nil }
        let separator = Array("\" : ".utf8)
        for line in lines.dropFirst().dropLast() {
            if inOutputs {
                if line.elementsEqual("  ],".utf8) {
                    inOutputs = false
                    continue
                }
                guard line.starts(with: "    ".utf8), let value = plainString(line.dropFirst(4)) else { return nil }
                outputs.append(value)
                continue
            }
            guard line.starts(with: "  \"".utf8), let split = firstRange(of: separator, in: line) else { return nil }
            let key = line[(line.startIndex + 3)..<split]
            var value = line[(split + separator.count)...]
            if value.last == UInt8(ascii: ",") { value = value.dropLast() }
            switch String(decoding: key, as: UTF8.self) {
            case "environment": environment = plainString(value)
            case "tenant": tenant = plainString(value)
            case "state": state = plainString(value).flatMap(State.init(rawValue:))
            case "format": format = Int(String(decoding: value, as: UTF8.self))
            case "outputs":
                if value.elementsEqual("[]".utf8) { continue }
                guard value.elementsEqual("[".utf8) else { return nil }
                inOutputs = true
            default: return nil  // `error` and anything unexpected: the general decoder
            }
        }
        guard let environment, let state, format == 1, !inOutputs else { return nil }
        return BundleStatus(environment: environment, tenant: tenant, state: state, outputs: outputs)
    }

    private static func firstRange(of needle: [UInt8], in line: ArraySlice<UInt8>) -> Int? {
        guard line.count >= needle.count else { return nil }
        for index in line.startIndex...(line.endIndex - needle.count)
        where line[index..<index + needle.count].elementsEqual(needle) {
            return index
        }
        return nil
    }

    /// The text of a JSON string literal (with a trailing comma or not) without escapes; nil when it has any.
    private static func plainString(_ literal: ArraySlice<UInt8>) -> String? {
        var literal = literal
        if literal.last == UInt8(ascii: ",") { literal = literal.dropLast() }
        guard literal.count >= 2, literal.first == UInt8(ascii: "\""), literal.last == UInt8(ascii: "\"") else {
            return nil
        }
        let inner = literal.dropFirst().dropLast()
        guard !inner.contains(UInt8(ascii: "\\")), !inner.contains(UInt8(ascii: "\"")) else { return nil }
        return String(decoding: inner, as: UTF8.self)
    }

    /// The JSON text: keys sorted, one output per line (stable, diff-friendly).
    public var encoded: [UInt8] {
        var text = "{\n"
        text += "  \"environment\" : \(JSONText.quoted(environment)),\n"
        if let error { text += "  \"error\" : \(JSONText.quoted(error)),\n" }
        text += "  \"format\" : \(format),\n"
        text += "  \"outputs\" : ["
        text +=
            outputs.isEmpty ? "" : "\n" + outputs.map { "    " + JSONText.quoted($0) }.joined(separator: ",\n") + "\n  "
        text += "],\n"
        text += "  \"state\" : \(JSONText.quoted(state.rawValue))"
        if let tenant { text += ",\n  \"tenant\" : \(JSONText.quoted(tenant))" }
        text += "\n}\n"
        return Array(text.utf8)
    }

    /// Writes the status atomically; the temporary file goes in `temporaryDirectory` (the
    /// compile's scratch directory, which the next compile empties) so that a compile killed
    /// mid-write leaves nothing beside the status files.
    public func save(at path: String, temporaryDirectory: String? = nil) throws(AtomicFile.IOError) {
        try AtomicFile.replace(encoded, at: path, temporaryDirectory: temporaryDirectory)
    }
}
