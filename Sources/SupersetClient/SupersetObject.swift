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

    public init(kind: SupersetAssetKind, id: Int, uuid: String?, name: String, changedOn: String? = nil) {
        self.kind = kind
        self.id = id
        self.uuid = uuid
        self.name = name
        self.changedOn = changedOn
    }

    /// `chart 12 3f1c…: Sales by region`.
    public var description: String { "\(kind) \(id) \(uuid ?? "(no uuid)"): \(name)" }
}
