import HybridCache
import HybridDiagnostics
import HybridYAML

/// What building a bundle reads of the renders: the parsed rendered documents, and diagnostics
/// about rendered text moved to the template line behind them. ``RenderStage`` provides both.
protocol RenderedDocuments: Sendable {
    /// The parsed rendered text of `template` under variable group `group` (nil: it rendered to
    /// an empty document); every bundle edits its own copy.
    func document(_ template: AssetTemplate, group: Int, rendered: ContentHash) -> Result<YAMLNode?, Diagnostic>

    /// `diagnostic` (located in the rendered text of `template`) at the template or partial line
    /// that produced that text.
    func inTemplateTerms(_ diagnostic: Diagnostic, template: AssetTemplate, group: Int, rendered: ContentHash)
        -> Diagnostic
}

extension RenderStage: RenderedDocuments {}
