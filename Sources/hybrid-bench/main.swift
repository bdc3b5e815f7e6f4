// hybrid-bench: in-process timing drivers for scripts/bench-*.py (not a test; no assertions).
//
//   hybrid-bench yaml DIR [--repetitions N]
//     Reads every *.yaml under DIR into memory, then N times parses and emits all of them
//     (HybridYAML: libyaml events → tree → canonical emitter). Prints one JSON line.

import Foundation
import HybridYAML

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("hybrid-bench: \(message)\n".utf8))
    exit(2)
}

func yamlFiles(in directory: String) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: directory) else { fail("cannot read \(directory)") }
    var files: [String] = []
    for case let name as String in enumerator where name.hasSuffix(".yaml") {
        files.append(directory + "/" + name)
    }
    return files.sorted()
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func benchmarkYAML(directory: String, repetitions: Int) {
    let inputs = yamlFiles(in: directory).map { path -> (String, [UInt8]) in
        guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
        return (path, [UInt8](data))
    }
    let totalBytes = inputs.reduce(0) { $0 + $1.1.count }
    var runs: [Double] = []
    var emittedBytes = 0
    let clock = ContinuousClock()
    for _ in 0..<repetitions {
        emittedBytes = 0
        let elapsed = clock.measure {
            for (path, bytes) in inputs {
                do {
                    let documents = try YAMLParser.parseStream(bytes, file: path)
                    emittedBytes += YAMLEmitter.emitStream(documents).count
                } catch {
                    fail("\(error)")
                }
            }
        }
        runs.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
    let record: [String: Any] = [
        "tool": "hybrid", "files": inputs.count, "input_bytes": totalBytes, "output_bytes": emittedBytes,
        "runs": runs, "median_seconds": median(runs),
    ]
    let data = try! JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { fail("usage: hybrid-bench yaml DIR [--repetitions N]") }
arguments.removeFirst()
var repetitions = 5
if let flag = arguments.firstIndex(of: "--repetitions"), flag + 1 < arguments.count,
    let value = Int(arguments[flag + 1])
{
    repetitions = value
    arguments.removeSubrange(flag...(flag + 1))
}
switch command {
case "yaml":
    guard let directory = arguments.first else { fail("usage: hybrid-bench yaml DIR [--repetitions N]") }
    benchmarkYAML(directory: directory, repetitions: repetitions)
default:
    fail("unknown benchmark '\(command)'")
}
