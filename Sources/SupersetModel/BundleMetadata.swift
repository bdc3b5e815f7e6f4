import HybridYAML

/// `metadata.yaml`, the file every Superset import bundle starts with: `version: 1.0.0`, `type:
/// assets`, no timestamp (so a bundle's bytes depend only on its assets). The one copy of these
/// bytes: compile writes them, apply sends them, export writes them.
public enum BundleMetadata {
    /// Bundle-relative.
    public static let path = "metadata.yaml"
    /// The `version` of the import format, also written into every asset.
    public static let importVersion = "1.0.0"
    /// The canonical bytes (`type: assets\nversion: 1.0.0\n`).
    public static let bytes: [UInt8] = YAMLEmitter.emit(
        YAMLNode(
            .mapping(
                YAMLMapping([
                    .init(key: YAMLNode(.string("type")), value: YAMLNode(.string("assets"))),
                    .init(key: YAMLNode(.string("version")), value: YAMLNode(.string(importVersion))),
                ]))))
}
