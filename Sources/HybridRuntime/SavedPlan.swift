import Foundation
import HybridCache
import HybridDiagnostics

/// A plan saved by `hybrid plan --out FILE` and applied by `hybrid apply FILE` (Terraform's saved
/// plans): the bundles' content and the server state the plan saw. Applying it refuses when either
/// moved since, so what a reviewer approved is exactly what is applied.
public struct SavedPlan: Sendable, Codable, Equatable {
    public static let currentVersion = "hybrid-plan/1"

    public struct Bundle: Sendable, Codable, Equatable {
        /// `prod` or `prod/client_a`.
        public var name: String
        /// XXH3-128 of every asset's path and content hash, in path order.
        public var digest: String
        /// Per planned asset uuid: the server's `changed_on` then (absent: not on the server).
        public var server: [String: String]
        public var plan: [Applier.AssetPlan]
    }

    public var version = SavedPlan.currentVersion
    public var environment: String
    /// The target URL, without credentials.
    public var target: String
    public var bundles: [Bundle]

    public init(environment: String, target: String, bundles: [Bundle]) {
        self.environment = environment
        self.target = target
        self.bundles = bundles
    }

    /// A bundle's digest: its assets' paths and content hashes.
    public static func digest(_ bundle: BundleSnapshot) -> String {
        let hasher = ContentHasher()
        for asset in bundle.assets.sorted(by: { $0.path < $1.path }) {
            hasher.update(field: asset.path)
            hasher.update(field: asset.hash.description)
        }
        return hasher.finalize().description
    }

    /// The saved form of one bundle's plan and the server view it was made from.
    public static func bundle(_ snapshot: BundleSnapshot, plan: [Applier.AssetPlan], server: ServerView?) -> Bundle {
        var seen: [String: String] = [:]
        for asset in snapshot.assets {
            if let object = server?.objects[asset.uuid] { seen[asset.uuid] = object.changedOn ?? "" }
        }
        return Bundle(name: snapshot.name, digest: digest(snapshot), server: seen, plan: plan)
    }

    /// Why this plan can no longer be applied to `bundles` on a server showing `server` (empty: it can).
    public func problems(bundles current: [BundleSnapshot], server: ServerView, target: String) -> [String] {
        var problems: [String] = []
        if AppliedState.canonicalTarget(target) != AppliedState.canonicalTarget(self.target) {
            problems.append("the plan is for \(self.target), not \(target)")
        }
        let byName = Dictionary(current.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        if Set(byName.keys) != Set(bundles.map(\.name)) {
            problems.append(
                "the plan covers the bundles \(bundles.map(\.name).sorted().joined(separator: ", ")), "
                    + "not \(byName.keys.sorted().joined(separator: ", "))")
        }
        for saved in bundles {
            guard let bundle = byName[saved.name] else { continue }
            if SavedPlan.digest(bundle) != saved.digest {
                problems.append("bundle \(saved.name) changed since the plan (compile it again and plan again)")
            }
            for asset in bundle.assets.sorted(by: { $0.path < $1.path }) {
                let then = saved.server[asset.uuid]
                let now = server.objects[asset.uuid].map { $0.changedOn ?? "" }
                if then != now {
                    problems.append("\(saved.name)/\(asset.path) changed on the server since the plan")
                }
            }
        }
        return problems
    }

    public func write(to path: String) throws(Diagnostic) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try AtomicFile.replace(SecretRegistry.shared.redact(Array(try encoder.encode(self)) + [0x0A]), at: path)
        } catch {
            throw .error(at: nil, "cannot write the plan to \(path): \(error)")
        }
    }

    public static func read(from path: String) throws(Diagnostic) -> SavedPlan {
        let bytes: [UInt8]
        do {
            bytes = try AtomicFile.read(path)
        } catch {
            throw .error(at: nil, "cannot read the plan \(path): \(error)")
        }
        let plan: SavedPlan
        do {
            plan = try JSONDecoder().decode(SavedPlan.self, from: Data(bytes))
        } catch {
            throw .error(
                at: SourceLocation(file: path, line: 1, column: 1), "not a plan written by hybrid plan --out: \(error)")
        }
        guard plan.version == currentVersion else {
            throw .error(
                at: SourceLocation(file: path, line: 1, column: 1),
                "a plan of another hybrid version (\(plan.version)); plan again")
        }
        return plan
    }
}
