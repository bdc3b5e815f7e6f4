/// One object from a list call: its numeric id on this server, its uuid and its name.
public struct SupersetObject: Sendable, Hashable, CustomStringConvertible {
    public var kind: SupersetAssetKind
    /// The server-local id, used by per-type export and delete.
    public var id: Int
    /// The lowercase uuid, stable across servers; nil only for rows that never got one.
    public var uuid: String?
    /// `database_name`, `table_name`, `slice_name` or `dashboard_title`.
    public var name: String
    /// When the server last changed it (its `changed_on` text, as the list call returns it): an
    /// opaque token, compared for equality only.
    public var changedOn: String?
    /// A dataset's database (its id on this server), catalog and schema: with `name`, the
    /// dataset's place, which Superset keeps unique.
    public var databaseID: Int?
    public var catalog: String?
    public var schema: String?
    /// A dashboard's slug (nil or empty when it has none), which Superset keeps unique.
    public var slug: String?

    public init(
        kind: SupersetAssetKind, id: Int, uuid: String?, name: String, changedOn: String? = nil,
        databaseID: Int? = nil, catalog: String? = nil, schema: String? = nil, slug: String? = nil
    ) {
        self.kind = kind
        self.id = id
        self.uuid = uuid
        self.name = name
        self.changedOn = changedOn
        self.databaseID = databaseID
        self.catalog = catalog
        self.schema = schema
        self.slug = slug
    }

    /// `chart 12 3f1c…: Sales by region`.
    public var description: String { "\(kind) \(id) \(uuid ?? "(no uuid)"): \(name)" }
}
