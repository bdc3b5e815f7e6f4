// A libFuzzer target for the template engine: lexer, parser and evaluator on arbitrary input.
//
// Build and run (see README, "Fuzzing"):
//   swift build -c release --product hybrid-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING \
//     --scratch-path .build-fuzz
//   .build-fuzz/release/hybrid-fuzz -max_total_time=600 -timeout=5 -rss_limit_mb=4096 bench-out/fuzz-corpus
//
// Without -DFUZZING it builds as a replay tool: `hybrid-fuzz FILE...` renders each file as the
// fuzzer would (to reproduce a crash it saved).

import Foundation
import HybridTemplates
import HybridYAML

/// An assets directory with partials the fuzzed template can include, import and extend.
enum FuzzEnvironment {
    static let environment: TemplateEnvironment = {
        let root = NSTemporaryDirectory() + "hybrid-fuzz-assets-\(getpid())"
        let files = [
            "p.j2": "{% macro f(x=1) %}[{{ x }}]{% endmacro %}{% block b %}B{{ y }}{% endblock %}P",
            "self.j2": "{% include 'self.j2' %}",
            "base.j2": "<{% block b %}base{% endblock %}>",
        ]
        for (name, text) in files {
            let path = root + "/" + name
            try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        }
        // A short deadline: libFuzzer reports anything over 5 s as a hang.
        return TemplateEnvironment(
            assetsDirectory: root, options: TemplateOptions(fileCheck: .untilInvalidated, maximumDuration: .seconds(2)))
    }()

    static let variables: [String: YAMLNode] = {
        let yaml = "x: 3\ny: text\nitems: [1, b, 2.5, null]\nd: {k: v, n: [1, 2]}\nflag: yes\nwhen: 2024-01-02\n"
        var result: [String: YAMLNode] = [:]
        for entry in (try? YAMLParser.parseDocument(yaml, file: "vars"))??.mappingValue?.entries ?? [] {
            result[entry.key.stringValue!] = entry.value
        }
        return result
    }()

    /// Renders the input; any outcome but a crash, hang or an error without a position is fine.
    static func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        let text = String(decoding: bytes, as: UTF8.self)
        // Odd-sized inputs also build the source map and look up 256 spread-out bytes and lines of
        // outputs up to 1 MiB (each lookup is linear in the output, as it is for the one error a
        // compile looks up).
        let tracks = bytes.count % 2 == 1
        do {
            let result = try environment.render(
                source: text, name: "fuzz.j2", variables: variables, tracksSources: tracks)
            if tracks, let map = result.sourceMap, result.output.utf8.count <= 1 << 20 {
                let output = Array(result.output.utf8)
                let step = max(1, output.count / 256)
                for offset in stride(from: 0, through: output.count + 1, by: step) {
                    if let found = map.location(ofByte: offset, in: output) {
                        precondition(found.line >= 1 && found.column >= 1, "bad source location \(found)")
                    }
                    _ = map.location(ofLine: 1 + offset / 40, column: 1 + offset % 5, in: output)
                }
            }
        } catch {
            precondition(error.location.line >= 1 && error.location.column >= 1, "error without a position: \(error)")
        }
    }
}

#if FUZZING
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        FuzzEnvironment.run(UnsafeBufferPointer(start: data, count: size))
        return 0
    }

    @_silgen_name("LLVMFuzzerRunDriver")
    func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
    ) -> Int32

    /// SwiftPM links an executable's entry point under this name; hand control to libFuzzer's driver.
    @_cdecl("hybrid_fuzz_main")
    public func fuzzMain(
        _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    ) -> Int32 {
        var count = argc
        var arguments = argv
        return runFuzzerDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
    }
#else
    @main
    struct ReplayFuzzInputs {
        static func main() {
            for path in CommandLine.arguments.dropFirst() {
                guard let data = FileManager.default.contents(atPath: path) else {
                    FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
                    exit(2)
                }
                [UInt8](data).withUnsafeBufferPointer { FuzzEnvironment.run($0) }
                print("\(path): ok")
            }
        }
    }
#endif
