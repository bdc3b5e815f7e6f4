import Foundation
import HybridCache
import HybridDiagnostics
import HybridTemplates
import HybridYAML
import SupersetModel

/// What `hybrid translate` is asked to do.
public struct TranslateOptions: Sendable {
    public var environment: String
    /// The export to read, repository-relative (default `ui_exports/<env>`).
    public var source: String?
    /// Remove templates whose asset was deleted in the UI.
    public var prune: Bool

    public init(environment: String, source: String? = nil, prune: Bool = false) {
        self.environment = environment
        self.source = source
        self.prune = prune
    }
}

/// `hybrid translate`: turns a normal-form export back into templates, so that compiling them for
/// the environment reproduces the export byte for byte. Per asset, matched by uuid against what
/// the templates compile to now: unchanged assets leave their template alone; changed ones are
/// patched in place where the change comes from copied template text or a `{{ VARIABLE }}`
/// (``TemplatePlacement``); new ones get a template of their own (``NewTemplateWriter``); a change
/// with no place is reported, its whole translation written beside the template as `.ui`. Every
/// result is checked by compiling the translated templates (in a scratch copy) before anything is
/// written: a patch that does not reproduce the export is withdrawn and reported.
public struct Translator: Sendable {
    public let workspace: Workspace

    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    /// The report and the files to write (nothing is written here).
    public func translate(_ options: TranslateOptions) throws(Diagnostic) -> (
        report: TranslateReport, files: [TranslatedFile]
    ) {
        let session = try TranslateSession(workspace: workspace, options: options)
        return try session.run()
    }

    /// Writes (or removes) the translated files atomically, inside the assets directory only.
    public static func write(_ files: [TranslatedFile], workspace: Workspace) throws(Diagnostic) {
        let assets = ResolvedPath.of(workspace.assetsPath)
        for file in files {
            let resolved = ResolvedPath.of(workspace.path(file.path))
            guard ResolvedPath.isInside(resolved, assets), resolved != assets else {
                throw .error(
                    at: SourceLocation(file: file.path, line: 1, column: 1),
                    "resolves to \(resolved), outside \(workspace.config.assetsDirectory)/ (a symlink?); "
                        + "nothing was written")
            }
        }
        for file in files {
            let path = workspace.path(file.path)
            do {
                if let bytes = file.new {
                    try AtomicFile.replace(bytes, at: path)
                } else if unlink(path) != 0 && errno != ENOENT {
                    throw AtomicFile.IOError(path: path, message: AtomicFile.lastError())
                }
            } catch {
                throw .error(at: nil, "cannot write \(file.path): \(error)")
            }
        }
    }
}
