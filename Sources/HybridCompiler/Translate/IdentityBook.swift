import SupersetModel

/// The identities of one bundle's assets as translate goes (renamed assets, new ones), for writing
/// references to them the way templates do.
final class IdentityBook {
    private(set) var byUUID: [String: AssetIdentity] = [:]
    private var order: [String] = []

    init(_ identities: [AssetIdentity]) {
        for identity in identities { add(identity) }
    }

    var identities: [AssetIdentity] { order.compactMap { byUUID[$0] } }

    func add(_ identity: AssetIdentity) {
        if byUUID[identity.uuid] == nil { order.append(identity.uuid) }
        byUUID[identity.uuid] = identity
    }

    /// A reference to the asset with `uuid`, written like `previous`: a path stays a path; a name
    /// stays a name while it is unique among its kind, else it becomes the path.
    func reference(_ kind: AssetKind, uuid: String, like previous: String?) -> String? {
        guard let identity = byUUID[uuid], identity.kind == kind else { return nil }
        if let previous, previous.hasPrefix(kind.directory + "/") { return identity.referenceName }
        return uniqueName(identity) ?? identity.referenceName
    }

    /// For new templates: the path when `path`, else a unique name or the path.
    func newReference(_ kind: AssetKind, _ uuid: String, _ path: Bool) -> String? {
        guard let identity = byUUID[uuid], identity.kind == kind else { return nil }
        return path ? identity.referenceName : uniqueName(identity) ?? identity.referenceName
    }

    private func uniqueName(_ identity: AssetIdentity) -> String? {
        guard let name = identity.name, !name.hasPrefix(identity.kind.directory + "/") else { return nil }
        let holders = byUUID.values.filter { $0.kind == identity.kind && $0.name == name }
        return holders.count == 1 ? name : nil
    }
}
