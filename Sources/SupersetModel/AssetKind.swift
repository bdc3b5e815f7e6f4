/// The four asset types a bundle holds, named by their directory under `assets/` and in a bundle.
public enum AssetKind: String, Sendable, Codable, CaseIterable, Comparable {
    case database = "databases"
    case dataset = "datasets"
    case chart = "charts"
    case dashboard = "dashboards"

    /// The directory name (`databases`, …), as in `assets/<dir>/` and `bundles/<env>/<dir>/`.
    public var directory: String { rawValue }

    /// Link order: an asset only refers to kinds before it.
    public var rank: Int {
        switch self {
        case .database: 0
        case .dataset: 1
        case .chart: 2
        case .dashboard: 3
        }
    }

    public static func < (lhs: AssetKind, rhs: AssetKind) -> Bool { lhs.rank < rhs.rank }

    /// The kind for a template path relative to the assets directory (`charts/x.yaml.j2`).
    public init?(templatePath: String) {
        guard let slash = templatePath.firstIndex(of: "/") else { return nil }
        self.init(rawValue: String(templatePath[..<slash]))
    }
}
