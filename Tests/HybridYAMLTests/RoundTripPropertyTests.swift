import Foundation
import HybridTestSupport
import HybridYAML
import PropertyBased
import Testing

@Suite("Round-trip properties")
struct RoundTripPropertyTests {
    @Test("any data tree: emit, read back equal, emit again byte-identical")
    func emitReadEmit() async {
        await propertyCheck(count: 400, input: Gen.uint64(), Gen.int(in: 0...4)) { seed, depth in
            var generator = RandomTreeGenerator(random: SplitMix(state: seed))
            let tree = generator.node(depth: depth)
            let emitted = YAMLEmitter.emit(tree)
            let text = String(decoding: emitted, as: UTF8.self)
            do {
                let reread = try #require(try YAMLParser.parseDocument(emitted, file: "generated.yaml"))
                #expect(reread.isEquivalent(to: tree), "seed \(seed): reads back different data:\n\(text)")
                #expect(YAMLEmitter.emit(reread) == emitted, "seed \(seed): not idempotent")
            } catch {
                Issue.record("seed \(seed): canonical output does not parse: \(error)\n\(text)")
            }
        }
    }

    @Test("mutated corpus documents never crash or hang the parser: a value or a positioned YAMLError")
    func mutatedInputs() async throws {
        let directory = Fixtures.url("Corpus")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }
            .sorted()
        let documents = try names.map { [UInt8](try Data(contentsOf: directory.appendingPathComponent($0))) }
        let alphabet =
            Array(" :-#?[]{},&*!|>'\"%@`\n\t\r\\~<=.0123456789abcyntTfFoO".utf8) + [
                0xC3, 0xA9, 0xEF, 0xBB, 0xBF, 0xFF, 0x00,
            ]
        await propertyCheck(count: 2000, input: Gen.uint64()) { seed in
            var random = SplitMix(state: seed)
            var bytes = documents[Int.random(in: 0..<documents.count, using: &random)]
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let position = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes.insert(alphabet.randomElement(using: &random)!, at: position)
                case 1: if position < bytes.count { bytes.remove(at: position) }
                default: if position < bytes.count { bytes[position] = alphabet.randomElement(using: &random)! }
                }
            }
            do {
                let documents = try YAMLParser.parseStream(bytes, file: "mutated.yaml")
                // Whatever parsed must survive the canonical round trip.
                let emitted = YAMLEmitter.emitStream(documents)
                let reread = try YAMLParser.parseStream(emitted, file: "canonical.yaml")
                #expect(reread.count == documents.count)
                #expect(zip(reread, documents).allSatisfy { $0.isEquivalent(to: $1) }, "seed \(seed)")
            } catch let error as YAMLError {
                #expect(error.location.line >= 1 && error.location.column >= 1, "seed \(seed): \(error)")
            } catch {
                Issue.record("seed \(seed): unexpected error type \(error)")
            }
        }
    }
}
