import Foundation
import HybridCache
import HybridTestSupport
import SupersetModel
import Testing

@testable import HybridCompiler

@Suite("Output keys")
struct OutputKeyTests {
    let templates = [
        AssetTemplate(path: "databases/db.yaml.j2", kind: .database),
        AssetTemplate(path: "charts/revenue.yaml.j2", kind: .chart),
        AssetTemplate(path: "charts/ä/long name with spaces and more than fifteen bytes.yaml.j2", kind: .chart),
    ]

    private func parts() -> [OutputKey.BundlePart] {
        let namespace = UUID(uuidString: "6ba7b811-9dad-11d1-80b4-00c04fd430c8")!
        return [
            OutputKey.BundlePart(
                scope: BundleScope(environment: "prod", tenant: nil, namespace: namespace), mapping: nil),
            OutputKey.BundlePart(
                scope: BundleScope(environment: "dev", tenant: "client_a", namespace: namespace),
                mapping: ContentHash(of: "mapping")),
        ]
    }

    @Test("the fast encoding gives exactly OutputKey's own digests, per output and per bundle")
    func fastEncodingMatchesTheKey() {
        let encoding = OutputKeyEncoding(templates: templates)
        var generator = SplitMix(state: 42)
        for part in parts() {
            let rendered = templates.map { _ in ContentHash(high: generator.next(), low: generator.next()) }
            let keys = zip(templates, rendered).map { OutputKey(bundle: part, template: $0.path, rendered: $1) }
            let bundle = encoding.bundle(part)
            #expect(bundle.digests(rendered: rendered) == keys.map(\.digest))
            #expect(bundle.bundleDigest(rendered: rendered) == OutputKey.digest(of: keys))
        }
    }

    @Test("each field of the key changes it: scope, tenant, namespace, mapping, template, rendered text")
    func everyFieldCounts() {
        let base = OutputKey(bundle: parts()[1], template: "charts/x.yaml.j2", rendered: ContentHash(of: "a"))
        var variants: [OutputKey] = []
        for change in 0..<6 {
            var key = base
            switch change {
            case 0: key.bundle.environment = "prod"
            case 1: key.bundle.tenant = nil
            case 2: key.bundle.namespace = "00000000-0000-0000-0000-000000000000"
            case 3: key.bundle.mapping = nil
            case 4: key.template = "charts/y.yaml.j2"
            default: key.rendered = ContentHash(of: "b")
            }
            variants.append(key)
        }
        #expect(Set(variants.map(\.digest) + [base.digest]).count == 7)
    }
}
