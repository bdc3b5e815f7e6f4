/// What `hybrid translate` did (or, with `--dry-run`, would do).
public struct TranslateReport: Sendable, Codable, Equatable {
    /// A change that has no place in a template.
    public struct Unplaced: Sendable, Codable, Equatable {
        /// Repository-relative template path.
        public var template: String
        public var line: Int
        /// `params.metrics[0]`.
        public var keyPath: String
        public var producer: String

        enum CodingKeys: String, CodingKey {
            case template, line
            case keyPath = "key_path"
            case producer
        }

        /// `assets/charts/x.yaml.j2:3: cannot place change of params.metrics[0] (produced by ...)`.
        public var message: String {
            "\(template):\(line): cannot place change of \(keyPath) (produced by \(producer))"
        }
    }

    public var environment: String
    /// The export read (repository-relative).
    public var source: String
    /// Templates patched in place (and partials), repository-relative.
    public var changed: [String] = []
    /// New templates for assets new in the UI.
    public var created: [String] = []
    /// Templates whose asset is missing from the export.
    public var deletedInUI: [String] = []
    /// Templates removed (`--prune`).
    public var removed: [String] = []
    public var unplaced: [Unplaced] = []
    /// `NAME.yaml.j2.ui` files written beside templates with unplaced changes.
    public var uiFiles: [String] = []
    /// Managed assets identical in the export.
    public var unchanged = 0

    enum CodingKeys: String, CodingKey {
        case environment, source, changed, created
        case deletedInUI = "deleted_in_ui"
        case removed, unplaced
        case uiFiles = "ui_files"
        case unchanged
    }

    public init(environment: String, source: String) {
        self.environment = environment
        self.source = source
    }
}

/// One file translate writes or removes (repository-relative path; `new` nil: removed).
public struct TranslatedFile: Sendable, Equatable {
    public var path: String
    public var old: [UInt8]?
    public var new: [UInt8]?
}
