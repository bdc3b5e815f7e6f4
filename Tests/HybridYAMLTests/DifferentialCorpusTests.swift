import Foundation
import HybridYAML
import Testing

/// Fixtures/Corpus: YAML documents whose expected data was produced by PyYAML's `safe_load`
/// (scripts/yaml-oracle.py), and whose canonical form PyYAML verified reads back equal.
@Suite("Differential corpus against PyYAML")
struct DifferentialCorpusTests {
    static let corpusDirectory = Fixtures.url("Corpus")

    /// Every `NNN-name.yaml` document (not the `.canonical.yaml` goldens).
    static func documents() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpusDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") && !$0.hasSuffix(".canonical.yaml") }.sorted()
    }

    static func base(_ name: String) -> String { String(name.dropLast(".yaml".count)) }

    static func load(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: corpusDirectory.appendingPathComponent(name)))
    }

    static func expectation(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: corpusDirectory.appendingPathComponent(base(name) + ".expected.json"))
        let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        return root["expect"] as! [String: Any]
    }

    @Test("the corpus holds at least 60 documents, each with an expectation")
    func corpusSize() throws {
        let documents = Self.documents()
        #expect(documents.count >= 60)
        for name in documents {
            #expect(
                FileManager.default.fileExists(
                    atPath: Self.corpusDirectory.appendingPathComponent(Self.base(name) + ".expected.json").path),
                "\(name)")
        }
    }

    @Test("reads each document exactly as PyYAML does (or fails where hybrid must)", arguments: documents())
    func readsLikePyYAML(name: String) throws {
        let expected = try Self.expectation(name)
        let bytes = try Self.load(name)
        let result: Result<YAMLNode?, YAMLError>
        do {
            result = .success(try YAMLParser.parseDocument(bytes, file: name))
        } catch {
            result = .failure(error)
        }
        if let value = expected["value"] {
            switch result {
            case .success(let node):
                let mismatch = OracleValue.mismatch(node ?? YAMLNode(.null), value, path: "$")
                #expect(mismatch == nil, "\(name): \(mismatch ?? "")")
            case .failure(let error):
                Issue.record("\(name): expected a value, got \(error)")
            }
        } else {
            let error = try #require(expected["error"] as? [String: Any])
            switch result {
            case .success:
                Issue.record("\(name): expected \(error["kind"]!) error, got a value")
            case .failure(let actual):
                #expect(actual.kind.rawValue == error["kind"] as? String, "\(name): \(actual)")
                #expect(actual.location.line == error["line"] as? Int, "\(name): \(actual)")
                #expect(actual.location.column == error["column"] as? Int, "\(name): \(actual)")
            }
        }
    }

    @Test(
        "emits the canonical form PyYAML verified; it reads back equal and re-emits identically", arguments: documents()
    )
    func canonicalRoundTrip(name: String) throws {
        let expected = try Self.expectation(name)
        guard expected["value"] != nil else { return }
        let goldenURL = Self.corpusDirectory.appendingPathComponent(Self.base(name) + ".canonical.yaml")
        let golden = [UInt8](try Data(contentsOf: goldenURL))
        let original = try YAMLParser.parseStream(try Self.load(name), file: name)
        let emitted = YAMLEmitter.emitStream(original)
        #expect(emitted == golden, "\(name): emitted\n\(String(decoding: emitted, as: UTF8.self))")
        let reread = try YAMLParser.parseStream(emitted, file: name)
        #expect(reread.count == original.count, "\(name): document count changed")
        for (again, first) in zip(reread, original) {
            #expect(again.isEquivalent(to: first), "\(name): canonical form reads back different data")
        }
        #expect(YAMLEmitter.emitStream(reread) == emitted, "\(name): not idempotent")
    }
}

/// Compares a node with the oracle's typed JSON (`["int", "12"]`, `["map", [[k, v], ...]]`, ...).
enum OracleValue {
    static func mismatch(_ node: YAMLNode, _ typed: Any, path: String) -> String? {
        guard let array = typed as? [Any], let type = array.first as? String else {
            return "\(path): malformed oracle value"
        }
        let payload = array.count > 1 ? array[1] : nil
        switch (type, node.value) {
        case ("null", .null):
            return nil
        case ("bool", .bool(let flag)):
            return (payload as? Bool) == flag ? nil : "\(path): bool \(flag) != \(payload ?? "")"
        case ("int", .int(let number)):
            return (payload as? String) == String(number) ? nil : "\(path): int \(number) != \(payload ?? "")"
        case ("int", .bigInt(let digits)):
            return (payload as? String) == digits ? nil : "\(path): int \(digits) != \(payload ?? "")"
        case ("float", .float(let number)):
            guard let text = payload as? String, let reference = Double(text) else { return "\(path): bad float" }
            let same = reference.bitPattern == number.bitPattern || (reference.isNaN && number.isNaN)
            return same ? nil : "\(path): float \(number) != \(text)"
        case ("str", .string(let text)):
            guard let reference = payload as? String else { return "\(path): bad str" }
            return reference.unicodeScalars.elementsEqual(text.unicodeScalars)
                ? nil : "\(path): str \(text.debugDescription) != \(reference.debugDescription)"
        case ("date", .date(let date)):
            return (payload as? String) == date.description ? nil : "\(path): date \(date) != \(payload ?? "")"
        case ("timestamp", .timestamp(let stamp)):
            return (payload as? String) == stamp.description ? nil : "\(path): timestamp \(stamp) != \(payload ?? "")"
        case ("seq", .sequence(let items)):
            guard let reference = payload as? [Any] else { return "\(path): bad seq" }
            guard reference.count == items.count else { return "\(path): \(items.count) items != \(reference.count)" }
            for (index, (item, expected)) in zip(items, reference).enumerated() {
                if let problem = mismatch(item, expected, path: "\(path)[\(index)]") { return problem }
            }
            return nil
        case ("map", .mapping(let mapping)):
            guard let reference = payload as? [[Any]] else { return "\(path): bad map" }
            guard reference.count == mapping.count else {
                return "\(path): \(mapping.count) keys != \(reference.count)"
            }
            for (index, (entry, pair)) in zip(mapping.entries, reference).enumerated() {
                if let problem = mismatch(entry.key, pair[0], path: "\(path).key[\(index)]") { return problem }
                if let problem = mismatch(entry.value, pair[1], path: "\(path).value[\(index)]") { return problem }
            }
            return nil
        default:
            return "\(path): expected \(type), got \(node.value)"
        }
    }
}
