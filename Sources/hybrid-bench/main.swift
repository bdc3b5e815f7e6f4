// hybrid-bench: in-process timing drivers for scripts/bench-*.py (not a test; no assertions).
//
//   hybrid-bench yaml DIR [--repetitions N]
//     Reads every *.yaml under DIR into memory, then N times parses and emits all of them
//     (HybridYAML: libyaml events → tree → canonical emitter). Prints one JSON line.
//
//   hybrid-bench conform
//     Renders JSON-line requests from stdin as the conformance suite does (scripts/template-fuzz.py).
//
//   hybrid-bench templates REPO [--repetitions N]
//     Parse: every template under REPO/assets parsed from its text, N times.
//     Render: every asset template (paths without a `_` component) rendered with each of
//     env/dev, env/staging, env/prod, N times, with warm template caches. Prints one JSON line.

import Foundation
import HybridDiagnostics
import HybridTemplates
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
        runs.append(elapsed.seconds)
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

func benchmarkTemplates(repository: String, repetitions: Int) {
    let assets = repository + "/assets"
    guard let enumerator = FileManager.default.enumerator(atPath: assets) else { fail("cannot read \(assets)") }
    var all: [(String, String)] = []
    for case let name as String in enumerator where name.hasSuffix(".j2") {
        guard let data = FileManager.default.contents(atPath: assets + "/" + name) else { fail("cannot read \(name)") }
        all.append((name, String(decoding: data, as: UTF8.self)))
    }
    all.sort { $0.0 < $1.0 }
    let renderable = all.map(\.0).filter { name in
        name.hasSuffix(".yaml.j2") && !name.split(separator: "/").contains { $0.hasPrefix("_") }
    }
    var environments: [[String: YAMLNode]] = []
    for env in ["dev", "staging", "prod"] {
        guard let data = FileManager.default.contents(atPath: repository + "/env/\(env).yaml"),
            let node = try? YAMLParser.parseDocument([UInt8](data), file: env), let mapping = node.mappingValue
        else { fail("cannot read env/\(env).yaml") }
        var variables: [String: YAMLNode] = [:]
        for entry in mapping.entries { variables[entry.key.stringValue ?? ""] = entry.value }
        environments.append(variables)
    }
    // A build snapshot: files are checked once, as `hybrid compile` does.
    let environment = TemplateEnvironment(
        assetsDirectory: assets, options: TemplateOptions(fileCheck: .untilInvalidated))
    let clock = ContinuousClock()
    var parseRuns: [Double] = []
    var renderRuns: [Double] = []
    var outputBytes = 0
    // Warm the render caches once (parses every template a render loads).
    for name in renderable {
        do { _ = try environment.render(name, variables: environments[0]) } catch { fail("\(error)") }
    }
    /// Seconds to check every template's syntax once.
    func parseRun() -> Double {
        clock.measure {
            for (name, text) in all {
                do { try environment.checkSyntax(text, name: name) } catch { fail("\(error)") }
            }
        }.seconds
    }
    /// Seconds to render every asset under every environment once, and the bytes rendered.
    func renderRun() -> (seconds: Double, bytes: Int) {
        var bytes = 0
        let elapsed = clock.measure {
            for variables in environments {
                for name in renderable {
                    do {
                        bytes += try environment.render(name, variables: variables).output.utf8.count
                    } catch {
                        fail("\(error)")
                    }
                }
            }
        }.seconds
        return (elapsed, bytes)
    }
    if CommandLine.arguments.contains("--interleaved") {
        // One repetition per `run` line on standard input, one JSON line back: the caller
        // alternates these with its own runs, so both sides see the same machine load.
        while let line = readLine() {
            guard line == "run" else { continue }
            let parse = parseRun()
            let render = renderRun()
            print("{\"parse\": \(parse), \"render\": \(render.seconds), \"output_bytes\": \(render.bytes)}")
            fflush(nil)  // all output streams (stdout is not concurrency-safe to name in Swift 6)
        }
        return
    }
    let renderOnly = CommandLine.arguments.contains("--render-only")
    for _ in 0..<repetitions {
        if !renderOnly { parseRuns.append(parseRun()) }
        let render = renderRun()
        renderRuns.append(render.seconds)
        outputBytes = render.bytes
    }
    let record: [String: Any] = [
        "tool": "hybrid", "templates": all.count, "renders_per_run": renderable.count * environments.count,
        "source_bytes": all.reduce(0) { $0 + $1.1.utf8.count }, "output_bytes": outputBytes,
        "parse_runs": parseRuns, "render_runs": renderRuns,
        "parse_median_seconds": parseRuns.isEmpty ? 0 : median(parseRuns), "render_median_seconds": median(renderRuns),
    ]
    let data = try! JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

/// Per-render cost of one template (for profiling the interpreter's fixed overhead).
func benchmarkOne(assets: String, name: String, count: Int) {
    let environment = TemplateEnvironment(assetsDirectory: assets)
    let variables: [String: YAMLNode] = ["ENV": YAMLNode(.string("dev"))]
    let clock = ContinuousClock()
    let elapsed = clock.measure {
        for _ in 0..<count {
            do { _ = try environment.render(name, variables: variables) } catch { fail("\(error)") }
        }
    }
    print("\(name): \(elapsed.seconds / Double(count) * 1e6) us per render")
}

switch command {
case "micro":
    guard arguments.count >= 2 else { fail("usage: hybrid-bench micro ASSETS NAME [--repetitions N]") }
    benchmarkOne(assets: arguments[0], name: arguments[1], count: repetitions)
case "templates":
    guard let repository = arguments.first else { fail("usage: hybrid-bench templates REPO [--repetitions N]") }
    benchmarkTemplates(repository: repository, repetitions: repetitions)
case "conform":
    conform()
case "yaml":
    guard let directory = arguments.first else { fail("usage: hybrid-bench yaml DIR [--repetitions N]") }
    benchmarkYAML(directory: directory, repetitions: repetitions)
default:
    fail("unknown benchmark '\(command)'")
}
