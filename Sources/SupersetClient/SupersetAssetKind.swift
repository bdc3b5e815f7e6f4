/// The asset types the client lists, exports and deletes, with their API resource names.
public enum SupersetAssetKind: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    case database
    case dataset
    case chart
    case dashboard

    /// `/api/v1/<resource>/`.
    var resource: String { rawValue }

    /// The column that tells when an object last changed, in list answers.
    public var changedOnColumn: String {
        switch self {
        case .database: return "changed_on"
        case .dataset, .chart, .dashboard: return "changed_on_utc"
        }
    }

    /// The column that names an object of this kind in list answers; also the sort key when paging.
    public var nameColumn: String {
        switch self {
        case .database: return "database_name"
        case .dataset: return "table_name"
        case .chart: return "slice_name"
        case .dashboard: return "dashboard_title"
        }
    }

    /// The other columns list answers carry for this kind: those of the names Superset keeps unique
    /// besides `nameColumn` (a dataset's database, catalog and schema; a dashboard's slug).
    public var uniqueNameColumns: [String] {
        switch self {
        case .database, .chart: return []
        case .dataset: return ["database.id", "catalog", "schema"]
        case .dashboard: return ["slug"]
        }
    }

    public var description: String { rawValue }
}
