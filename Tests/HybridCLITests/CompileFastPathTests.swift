import ArgumentParser
import Testing

@testable import hybrid

@Suite("compile's fast argument path (CompileFastPath)")
struct CompileFastPathTests {
    /// ArgumentParser's reading of the same arguments, as the full path would run it.
    func parsed(_ arguments: [String]) throws -> CompileCommand {
        try #require(try HybridCommand.parseAsRoot(arguments) as? CompileCommand)
    }

    @Test(
        "builds exactly the command ArgumentParser builds, every option and its default included",
        arguments: [
            ["compile"],
            ["compile", "--env", "prod", "--all-mappings"],
            ["compile", "--env=prod", "--all-mappings", "--timings"],
            ["compile", "--all-mappings", "--env", "staging", "--jobs", "3", "--format", "json"],
            ["compile", "--mapping", "mappings/a.yaml", "--mapping=b", "--explain", "--force"],
            ["compile", "--env", "dev", "--shard", "2/4", "--all-mappings", "--jobs=1"],
            ["compile", "--format=text", "--mapping", "mappings/client_*.yaml"],
        ])
    func sameCommand(_ arguments: [String]) throws {
        let fast = try #require(CompileFastPath.command(arguments))
        // The reflection shows every property wrapper's state, so an option the fast path forgot
        // to set (left in its "definition" state) differs too.
        #expect(String(reflecting: fast) == String(reflecting: try parsed(arguments)))
    }

    @Test(
        "leaves to ArgumentParser what it does not read itself: help, other commands, unknown, short, repeated or malformed options",
        arguments: [
            [], ["--version"], ["validate", "--env", "prod"], ["compile", "--help"], ["compile", "-h"],
            ["compile", "--env"], ["compile", "--env", "--all-mappings"], ["compile", "--env="],
            ["compile", "--env", "a", "--env", "b"], ["compile", "--timings", "--timings"],
            ["compile", "--jobs", "many"], ["compile", "--jobs", "-1"], ["compile", "--jobs", "0"],
            ["compile", "--format", "yaml"], ["compile", "--all-mappings", "--mapping", "a"],
            ["compile", "--shard", "5/4"], ["compile", "--explain=yes"], ["compile", "--colour"],
            ["compile", "prod"], ["compile", "--", "--env"],
        ])
    func fallsBack(_ arguments: [String]) {
        #expect(CompileFastPath.command(arguments) == nil)
    }
}
