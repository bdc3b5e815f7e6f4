import ArgumentParser
import HybridCompiler
import HybridDiagnostics
import HybridRuntime

struct TranslateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "translate",
        abstract: "Turn a normal-form export (UI edits) back into templates.",
        discussion: """
            Reads DIR (default ui_exports/ENV, as `hybrid export --out` writes it; a \
            tenant's export in DIR/<tenant>/) and writes templates under the assets \
            directory so that compiling them for ENV reproduces DIR byte for byte. \
            Assets are matched by uuid against what the templates compile to now:

              unchanged  the template is not touched;
              changed    the template is patched in place, minimally: the literal
                         text behind a changed value is edited (comments, Jinja,
                         key order and quoting stay); a {{ VARIABLE }} stays where
                         its value still is;
              new        a template at the export file's path (from _unmanaged/:
                         the slug of its name), its uuid written explicitly,
                         references written as names;
              deleted    reported; the template is removed only with --prune.

            Values of env/ENV.yaml (3 characters or more, whole tokens) become \
            {{ VAR }}; the rules under `translate:` in hybrid.yaml apply first \
            (rules: [{pattern, replace}]; default_rules: true adds the seed's \
            dev/staging/prod → {{ ENV }}). Superset's own Jinja in SQL, params or \
            markdown is escaped so that it renders back verbatim.

            A change that cannot be placed (the value comes out of a loop, a macro, \
            a filter) is never guessed: `TEMPLATE:LINE: cannot place change of \
            KEY_PATH (produced by ...)` is printed, the whole translated template is \
            written beside it as NAME.yaml.j2.ui, and the exit status is 3. Every \
            patch is checked by compiling the translated templates before anything \
            is written.

            Exit status: 0 done (or nothing to do); 3 done, with changes that could \
            not be placed; 1 error (nothing written).
            """
    )

    @Option(help: "The environment (env/<ENV>.yaml). Default: default_env from hybrid.yaml.")
    var env: String?

    @Option(name: .customLong("from"), help: "The export to read (default: ui_exports/ENV).")
    var from: String?

    @Flag(help: "Write nothing; print the unified diff of what would change.")
    var dryRun = false

    @Flag(help: "Remove templates whose asset was deleted in the UI.")
    var prune = false

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let context = try CommandContext()
        let environment = try context.environment(env)
        let translator = Translator(workspace: context.workspace)
        let (report, files) = try context.orExit { () throws(Diagnostic) in
            try translator.translate(TranslateOptions(environment: environment, source: from, prune: prune))
        }
        if dryRun {
            for file in files {
                let old = file.old.map { String(decoding: $0, as: UTF8.self) } ?? ""
                let new = file.new.map { String(decoding: $0, as: UTF8.self) } ?? ""
                let diff = LineDiff.unified(
                    old, new, oldName: file.old == nil ? "/dev/null" : "a/" + file.path,
                    newName: file.new == nil ? "/dev/null" : "b/" + file.path)
                if output.format == .text { StandardStreams.writeOutput(diff) }
            }
        } else {
            try context.orExit { () throws(Diagnostic) in try Translator.write(files, workspace: context.workspace) }
        }
        if output.format == .json {
            try output.printJSON(report)
        } else {
            for item in report.unplaced { StandardStreams.writeError(item.message + "\n") }
            for path in report.deletedInUI where !report.removed.contains(path) {
                StandardStreams.writeOutput("deleted in the UI: \(path) (remove it with --prune)\n")
            }
            let verb = dryRun ? "would change" : "changed"
            var line =
                "translate \(environment) ← \(report.source): \(verb) \(report.changed.count), created \(report.created.count)"
            if !report.removed.isEmpty { line += ", removed \(report.removed.count)" }
            line += ", unchanged \(report.unchanged)"
            if !report.unplaced.isEmpty {
                line += "; \(report.unplaced.count) change\(report.unplaced.count == 1 ? "" : "s") could not be placed"
                if !report.uiFiles.isEmpty { line += " (see \(report.uiFiles.joined(separator: ", ")))" }
            }
            StandardStreams.writeOutput(line + "\n")
        }
        if !report.unplaced.isEmpty { throw ExitCode(3) }
    }
}
