import ArgumentParser

/// `--url`: the Superset (or Preset workspace) to talk to instead of hybrid.yaml's.
struct RuntimeOptions: ParsableArguments {
    @Option(help: "The Superset URL (default: superset.url / superset.urls.<env>, or preset.workspaces.<env>).")
    var url: String?
}
