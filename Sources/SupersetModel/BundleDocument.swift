import HybridYAML

/// One parsed file of a compiled bundle, as `hybrid validate` checks it.
public struct BundleDocument: Sendable {
    /// Bundle-relative path, e.g. `charts/revenue.yaml` or `metadata.yaml`.
    public var path: String
    public var node: YAMLNode
    /// The asset kind; nil for `metadata.yaml` (and for files of other directories, such as `queries/`).
    public var kind: AssetKind?

    public init(path: String, node: YAMLNode, kind: AssetKind?) {
        self.path = path
        self.node = node
        self.kind = kind
    }

    /// The file's kind by its first path component (`charts/a/b.yaml` → `.chart`), or nil when the path
    /// names no asset directory (`metadata.yaml`).
    public static func kind(forPath path: String) -> AssetKind? {
        guard let slash = path.firstIndex(of: "/") else { return nil }
        return AssetKind(rawValue: String(path[..<slash]))
    }
}
