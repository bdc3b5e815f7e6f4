import HybridCache

/// Everything one bundle output is made from except the link table: the bundle's scope
/// (environment, tenant, uuid namespace), the mapping's content, the template's path and its
/// rendered text. Equal keys give the same retargeted document and identity; what linking resolved
/// is checked separately (each output's recorded lookups). A bundle's inputs are the digest of all
/// its outputs' keys, so both decisions read the same fields: adding a field here changes both.
struct OutputKey: CacheKey, Sendable {
    static let identifier = "bundle-output"
    /// Bump when retargeting, linking or the normal form change what they produce.
    static let version = 7

    /// What every output of one bundle shares.
    struct BundlePart: Encodable, Sendable {
        var environment: String
        var tenant: String?
        /// The uuid namespace (lower-case text).
        var namespace: String
        /// The mapping file's content hash; nil for the bundle without a mapping.
        var mapping: ContentHash?

        init(scope: BundleScope, mapping: ContentHash?) {
            environment = scope.environment
            tenant = scope.tenant
            namespace = scope.namespace.uuidString.lowercased()
            self.mapping = mapping
        }
    }

    var bundle: BundlePart
    /// Relative to the assets directory (`charts/x.yaml.j2`).
    var template: String
    /// The rendered text's hash.
    var rendered: ContentHash
}

/// ``OutputKey``'s canonical bytes, assembled from parts encoded once: each template's part for
/// the whole compile, the bundle's part for each bundle. Gives exactly the digests of
/// ``CacheKey/digest`` and ``CacheKey/digest(of:)`` (a test compares them, so adding a field to
/// ``OutputKey`` without adding it here fails), at a fraction of the cost of encoding every key on
/// the no-op path, which digests all of them.
struct OutputKeyEncoding: Sendable {
    /// Per template: `template: <path>, rendered: <hash tag>`, the bytes between the bundle part
    /// and the rendered hash.
    private let templateParts: [[UInt8]]
    /// The byte that ends a key (the end of the value it is encoded as).
    private static let ending: [UInt8] = [CanonicalBuffer.Tag.end.rawValue]

    init(templates: [AssetTemplate]) {
        templateParts = templates.map { template in
            let buffer = CanonicalBuffer(capacity: 64)
            buffer.field("template")
            buffer.string(template.path)
            buffer.field("rendered")
            buffer.tag(.hash)
            return buffer.bytes
        }
    }

    /// The keys of one bundle's outputs (one per template, in catalog order).
    func bundle(_ part: OutputKey.BundlePart) -> Bundle {
        let buffer = CanonicalBuffer()
        buffer.tag(.keyed)
        buffer.field("bundle")
        buffer.value(part)
        return Bundle(templateParts: templateParts, shared: buffer.bytes)
    }

    struct Bundle {
        let templateParts: [[UInt8]]
        /// The canonical bytes of an output key up to its own fields: `{bundle: …`.
        let shared: [UInt8]

        private func feed(_ index: Int, _ rendered: ContentHash, into hasher: ContentHasher) {
            hasher.update(shared)
            hasher.update(templateParts[index])
            hasher.update(rendered)
            hasher.update(OutputKeyEncoding.ending)
        }

        /// Each template's key digest (`OutputKey(…).digest`), in order.
        func digests(rendered: [ContentHash]) -> [ContentHash] {
            let header = CanonicalBuffer()
            OutputKey.appendHeader(to: header)
            return rendered.indices.map { index in
                let hasher = ContentHasher()
                hasher.update(header.bytes)
                feed(index, rendered[index], into: hasher)
                return hasher.finalize()
            }
        }

        /// `OutputKey.digest(of:)` of every template's key: when it equals the last complete
        /// build's, every output is current.
        func bundleDigest(rendered: [ContentHash]) -> ContentHash {
            let hasher = ContentHasher()
            let header = CanonicalBuffer()
            OutputKey.appendListHeader(count: rendered.count, to: header)
            hasher.update(header.bytes)
            for index in rendered.indices { feed(index, rendered[index], into: hasher) }
            return hasher.finalize()
        }
    }
}
