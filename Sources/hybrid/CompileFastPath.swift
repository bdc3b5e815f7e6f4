import ArgumentParser

/// `hybrid compile` with plain options, read without ArgumentParser. Its parse reflects over every
/// command and option type, and each first conformance check scans the binary's 11,700 conformance
/// records: about 2.8 ms of every invocation, 7% of a no-op compile, which an author's save and
/// a CI job's "nothing to do" pay each time. This path takes only `compile` followed by the
/// options below in their long spellings (`--env prod`, `--env=prod`), each at most once, with
/// values that do not look like options, and builds the same command that ArgumentParser would;
/// anything else (help, `--version`, a short or unknown option, a repeated one, a value it would
/// refuse, a failed validation) returns nil and goes to ArgumentParser, which parses or explains it.
enum CompileFastPath {
    static func command(_ arguments: [String]) -> CompileCommand? {
        guard arguments.first == "compile" else { return nil }
        var values: [String: String] = [:]
        var mappings: [String] = []
        var flags: Set<String> = []
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            guard argument.hasPrefix("--"), argument.count > 2 else { return nil }
            let equals = argument.firstIndex(of: "=")
            let name = String(argument[..<(equals ?? argument.endIndex)])
            if flagNames.contains(name) {
                guard equals == nil, flags.insert(name).inserted else { return nil }
                continue
            }
            guard valueNames.contains(name) else { return nil }
            let value: String
            if let equals {
                value = String(argument[argument.index(after: equals)...])
            } else {
                guard let next = rest.popFirst() else { return nil }
                value = next
            }
            guard !value.isEmpty, !value.hasPrefix("-") else { return nil }
            if name == "--mapping" {
                mappings.append(value)
            } else {
                guard values.updateValue(value, forKey: name) == nil else { return nil }
            }
        }
        var build = BuildOptions()
        build.env = values["--env"]
        build.mappings = mappings
        build.allMappings = flags.contains("--all-mappings")
        build.jobs = nil
        if let jobs = values["--jobs"] {
            guard let count = Int(jobs) else { return nil }
            build.jobs = count
        }
        build.shard = values["--shard"]
        var output = OutputOptions()
        output.format = .text
        if let format = values["--format"] {
            guard let parsed = OutputOptions.Format(rawValue: format) else { return nil }
            output.format = parsed
        }
        guard (try? build.validate()) != nil else { return nil }
        var command = CompileCommand()
        command.build = build
        command.explain = flags.contains("--explain")
        command.force = flags.contains("--force")
        command.timings = flags.contains("--timings")
        command.output = output
        return command
    }

    private static let flagNames: Set<String> = ["--all-mappings", "--explain", "--force", "--timings"]
    private static let valueNames: Set<String> = ["--env", "--mapping", "--jobs", "--shard", "--format"]
}
