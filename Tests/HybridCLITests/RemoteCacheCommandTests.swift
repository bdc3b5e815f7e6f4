import Foundation
import HybridTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The nginx WebDAV server and fault proxy that `.ci/run` starts (`scripts/remote-cache-local`).
enum RemoteCacheServer {
    static let environment = ProcessInfo.processInfo.environment
    static var url: String? { environment["HYBRID_TEST_REMOTE_CACHE_URL"] }
    /// Run with the server, and under `CI=true` also without it (then they fail: CI must start it).
    static var enabled: Bool { url != nil || environment["CI"] == "true" }
    static var data: String { environment["HYBRID_TEST_REMOTE_CACHE_DATA"] ?? "" }
    static var accessLog: String { environment["HYBRID_TEST_REMOTE_CACHE_ACCESS_LOG"] ?? "" }
    static var faultPort: Int { Int(environment["HYBRID_TEST_REMOTE_CACHE_FAULT_PORT"] ?? "") ?? 0 }

    /// A URL prefix of its own for one test, so tests never read each other's entries.
    static func prefix() -> String { "test-" + UUID().uuidString.lowercased() }

    /// nginx's access log lines for a prefix: `port method uri status bytes request_length`.
    static func requests(under prefix: String) -> [[Substring]] {
        let text = (try? String(contentsOfFile: accessLog, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map { $0.split(separator: " ") }.filter {
            $0.count >= 4 && $0[2].hasPrefix("/" + prefix + "/")
        }
    }
}

/// `hybrid compile` and `validate` with the shared remote cache, against a real nginx (WebDAV) and
/// the fault proxy in front of it: writers and fresh readers, tampering, failures, credentials.
@Suite("remote cache (real nginx)", .enabled(if: RemoteCacheServer.enabled), .serialized)
struct RemoteCacheCommandTests {
    static let files = GeneratedRepository.files(seed: 21, datasets: 2, chartsPerDataset: 3, clients: 3)

    /// A runner: a fresh checkout of the repository (no cache, no bundles).
    static func runner(_ files: [String: String] = files) throws -> RepositoryFixture {
        try RepositoryFixture(files: files)
    }

    static func compile(
        _ fixture: RepositoryFixture, remote: String?, write: Bool = false, extra: [String: String] = [:],
        command: String = "compile"
    ) throws -> (result: HybridProcess.Result, report: [String: Any]) {
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("HYBRID_REMOTE_CACHE") { environment[key] = nil }
        if let remote { environment["HYBRID_REMOTE_CACHE"] = remote }
        if write { environment["HYBRID_REMOTE_CACHE_WRITE"] = "1" }
        environment.merge(extra) { _, new in new }
        let result = try HybridProcess.run(
            [command, "--env", "prod", "--all-mappings", "--format", "json"], in: fixture.root,
            environment: environment)
        let report = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
        return (result, report)
    }

    static func remoteWarnings(_ report: [String: Any]) -> [String] {
        let diagnostics = report["diagnostics"] as? [[String: Any]] ?? []
        return diagnostics.compactMap { $0["message"] as? String }.filter { $0.contains("remote cache") }
    }

    /// A writer compiles (and uploads) into a fresh prefix; returns its URL and the writer's bundles.
    static func warmedPrefix() throws -> (url: String, prefix: String, bundles: [String: Data]) {
        let prefix = RemoteCacheServer.prefix()
        let url = try #require(RemoteCacheServer.url, "HYBRID_TEST_REMOTE_CACHE_URL is not set") + "/" + prefix
        let writer = try runner()
        let (result, report) = try compile(writer, remote: url, write: true)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(report["uploaded"] as? Int == 3)
        return (url, prefix, writer.snapshot())
    }

    @Test("a writer's bundles reach a fresh reader byte for byte, two requests per bundle; the reader uploads nothing")
    func writerToFreshReader() throws {
        let (url, prefix, expected) = try Self.warmedPrefix()
        let uploads = RemoteCacheServer.requests(under: prefix).filter { $0[1] == "PUT" }
        // Per bundle: the pack, the entry, the scope's pointer.
        #expect(uploads.count == 9)
        let before = RemoteCacheServer.requests(under: prefix).count

        let reader = try Self.runner()
        let (result, report) = try Self.compile(reader, remote: url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(reader.snapshot() == expected)
        let outputs = expected.keys.filter { !$0.hasPrefix(".hybrid-status") && !$0.hasSuffix("metadata.yaml") }.count
        #expect(report["fetched"] as? Int == outputs)
        let remote = report["remote"] as? [String: Any] ?? [:]
        #expect(remote["requests"] as? Int == 6, "an entry and a pack per bundle, not a request per file")
        #expect(remote["uploads"] as? Int == 0)
        let readerRequests = RemoteCacheServer.requests(under: prefix).dropFirst(before)
        #expect(readerRequests.count == 6)
        #expect(readerRequests.allSatisfy { $0[1] == "GET" }, "a reader never writes: \(readerRequests)")

        // Its local cache is complete: the next compile is a no-op without a request.
        let (again, againReport) = try Self.compile(reader, remote: url)
        #expect(again.status == 0)
        #expect(againReport["written"] as? Int == 0)
        #expect((againReport["remote"] as? [String: Any])?["requests"] as? Int == 0)
    }

    @Test("validation results travel too: a fresh reader's validate checks no file the writer checked")
    func validationRecords() throws {
        let prefix = RemoteCacheServer.prefix()
        let url = try #require(RemoteCacheServer.url, "HYBRID_TEST_REMOTE_CACHE_URL is not set") + "/" + prefix
        let writer = try Self.runner()
        let (written, writerReport) = try Self.compile(writer, remote: url, write: true, command: "validate")
        #expect(writerReport["bundlesUploaded"] as? Int == 3, "\(written.stderr)")
        let before = RemoteCacheServer.requests(under: prefix).count

        let reader = try Self.runner()
        let (read, report) = try Self.compile(reader, remote: url, command: "validate")
        #expect(read.status == written.status, "\(read.stderr)")
        #expect(report["bundlesFetched"] as? Int == 3)
        #expect(report["documentsChecked"] as? Int == 0)
        #expect((report["findings"] as? [Any])?.count == (writerReport["findings"] as? [Any])?.count)
        let readerRequests = RemoteCacheServer.requests(under: prefix).dropFirst(before)
        #expect(readerRequests.allSatisfy { $0[1] == "GET" }, "a reader never writes: \(readerRequests)")
        #expect(reader.snapshot() == writer.snapshot())
    }

    @Test("a reader whose chart differs takes every other output from the remote and builds what a local build does")
    func partialReuse() throws {
        let (url, _, _) = try Self.warmedPrefix()
        var files = Self.files
        let chart = "assets/charts/chart_0001_0.yaml.j2"
        files[chart] = files[chart]!.replacingOccurrences(of: "x_axis:", with: "x_axis_note: \"edited\"\n  x_axis:")
        let reader = try Self.runner(files)
        let (result, report) = try Self.compile(reader, remote: url)
        #expect(result.status == 0, "\(result.stderr)")
        let local = try Self.runner(files)
        #expect(try Self.compile(local, remote: nil).result.status == 0)
        #expect(reader.snapshot() == local.snapshot())
        #expect(try reader.read("bundles/prod/client_000/charts/chart_0001_0.yaml").contains("x_axis_note: edited"))
        let fetched = report["fetched"] as? Int ?? 0
        let rebuilt = report["rebuilt"] as? Int ?? 0
        #expect(fetched > 0 && fetched + 3 <= (report["nodes"] as? Int ?? 0))
        #expect(rebuilt < (report["nodes"] as? Int ?? 0) - fetched + 1)
    }

    @Test("tampered blobs and entries on the server never reach the outputs: each is a miss with a warning")
    func tampering() throws {
        let (url, prefix, expected) = try Self.warmedPrefix()
        let cas = RemoteCacheServer.data + "/" + prefix + "/cas"
        let blobs = try FileManager.default.contentsOfDirectory(atPath: cas).sorted()
        #expect(blobs.count == 3)
        // One pack replaced by another bundle's (valid, but not its name), one with a flipped byte,
        // one cut short.
        let first = try Data(contentsOf: URL(fileURLWithPath: cas + "/" + blobs[0]))
        var second = try Data(contentsOf: URL(fileURLWithPath: cas + "/" + blobs[1]))
        let third = try Data(contentsOf: URL(fileURLWithPath: cas + "/" + blobs[2]))
        try first.write(to: URL(fileURLWithPath: cas + "/" + blobs[2]))
        second[second.count / 2] ^= 0x20
        try second.write(to: URL(fileURLWithPath: cas + "/" + blobs[1]))
        try third.prefix(100).write(to: URL(fileURLWithPath: cas + "/" + blobs[0]))

        let reader = try Self.runner()
        let (result, report) = try Self.compile(reader, remote: url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(reader.snapshot() == expected)
        #expect(report["fetched"] as? Int == 0)
        let warnings = Self.remoteWarnings(report)
        #expect(warnings.count == 3, "\(warnings)")
        #expect(warnings.allSatisfy { $0.contains("does not match its SHA-256") })

        // An entry altered in storage is a miss with a warning as well.
        let ac = RemoteCacheServer.data + "/" + prefix + "/ac"
        for name in try FileManager.default.contentsOfDirectory(atPath: ac) {
            var bytes = try Data(contentsOf: URL(fileURLWithPath: ac + "/" + name))
            bytes[bytes.count - 1] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: ac + "/" + name))
        }
        let other = try Self.runner()
        let (otherResult, otherReport) = try Self.compile(other, remote: url)
        #expect(otherResult.status == 0, "\(otherResult.stderr)")
        #expect(other.snapshot() == expected)
        #expect(Self.remoteWarnings(otherReport).contains { $0.contains("is corrupt") })
    }

    @Test(
        "a dead server and each fault of the proxy (delay, reset, 500, cut body, flaky) change no output: one warning, exit 0",
        arguments: ["dead", "delay", "reset", "error", "truncate", "flaky"])
    func faults(_ fault: String) throws {
        let (_, prefix, expected) = try Self.warmedPrefix()
        let offsets = ["delay": 0, "reset": 1, "error": 2, "truncate": 3, "flaky": 4]
        let port = fault == "dead" ? 9 : RemoteCacheServer.faultPort + offsets[fault]!
        let url = "http://127.0.0.1:\(port)/" + prefix
        for write in [false, true] {
            let runner = try Self.runner()
            let (result, report) = try Self.compile(
                runner, remote: url, write: write, extra: ["HYBRID_REMOTE_CACHE_TIMEOUT": "1"])
            #expect(result.status == 0, "\(fault): \(result.stderr)")
            #expect(runner.snapshot() == expected, "\(fault)")
            let warnings = Self.remoteWarnings(report)
            if fault == "flaky" {
                #expect(warnings.count <= 1, "\(warnings)")
            } else {
                #expect(warnings.count == 1, "\(fault): \(warnings)")
                #expect(warnings.first?.contains("building locally") == true)
            }
        }
    }

    @Test("bearer and basic credentials are sent, and never printed, even when the server refuses them")
    func credentials() throws {
        let environment = RemoteCacheServer.environment
        guard let token = environment["HYBRID_TEST_REMOTE_CACHE_TOKEN"],
            let bearer = environment["HYBRID_TEST_REMOTE_CACHE_BEARER_URL"],
            let basic = environment["HYBRID_TEST_REMOTE_CACHE_BASIC_URL"]
        else {
            Issue.record("the remote cache server's credentials are not in the environment")
            return
        }
        let (_, prefix, expected) = try Self.warmedPrefix()
        let withToken = try Self.runner()
        let (tokenResult, tokenReport) = try Self.compile(
            withToken, remote: bearer + "/" + prefix, extra: ["HYBRID_REMOTE_CACHE_TOKEN": token])
        #expect(tokenResult.status == 0)
        #expect(tokenReport["fetched"] as? Int ?? 0 > 0)
        #expect(withToken.snapshot() == expected)

        let withBasic = try Self.runner()
        let (basicResult, basicReport) = try Self.compile(withBasic, remote: basic + "/" + prefix)
        #expect(basicResult.status == 0)
        #expect(basicReport["fetched"] as? Int ?? 0 > 0)

        let wrongToken = "wrong-token-\(UUID().uuidString)"
        let refused = try Self.runner()
        let (refusedResult, refusedReport) = try Self.compile(
            refused, remote: bearer + "/" + prefix, extra: ["HYBRID_REMOTE_CACHE_TOKEN": wrongToken])
        #expect(refusedResult.status == 0)
        #expect(refused.snapshot() == expected)
        #expect(Self.remoteWarnings(refusedReport).first?.contains("HTTP 401") == true)

        let password = String(basic.split(separator: ":")[2].split(separator: "@")[0])
        let wrongBasic = basic.replacingOccurrences(of: password, with: "not-" + password)
        let refusedBasic = try Self.runner()
        let (basicRefused, _) = try Self.compile(refusedBasic, remote: wrongBasic + "/" + prefix)
        #expect(basicRefused.status == 0)
        for output in [tokenResult, basicResult, refusedResult, basicRefused] {
            for secret in [token, wrongToken, password, "not-" + password] {
                #expect(!output.stdout.contains(secret) && !output.stderr.contains(secret))
            }
        }
    }

    #if canImport(Glibc)
        @Test(
            "hybrid watch on a fresh runner starts from the remote cache, then rebuilds locally what the author saves")
        func watchStartsFromRemote() throws {
            let (url, prefix, expected) = try Self.warmedPrefix()
            let before = RemoteCacheServer.requests(under: prefix).count
            let runner = try Self.runner()
            var environment: [String: String] = ["HYBRID_REMOTE_CACHE": url]
            environment["HYBRID_REMOTE_CACHE_WRITE"] = nil
            let watcher = try WatchProcess(
                root: runner.root, arguments: ["--env", "prod", "--all-mappings"], environment: environment)
            let compiled = try #require(watcher.events.first { $0["event"] as? String == "compile" })
            #expect(compiled["fetched"] as? Int ?? 0 > 0, "\(compiled)")
            #expect(compiled["errors"] as? Int == 0)
            #expect(runner.snapshot() == expected)

            let chart = "assets/charts/chart_0001_0.yaml.j2"
            try runner.write(
                chart,
                try runner.read(chart).replacingOccurrences(of: "x_axis:", with: "x_axis_note: \"saved\"\n  x_axis:"))
            let rebuild = try watcher.rebuild(touching: chart)
            #expect(rebuild["errors"] as? Int == 0)
            #expect(try runner.read("bundles/prod/client_000/charts/chart_0001_0.yaml").contains("x_axis_note: saved"))
            #expect(watcher.stop(SIGINT) == 0)
            let requests = RemoteCacheServer.requests(under: prefix).dropFirst(before)
            #expect(requests.count == 6, "the first compile's fetches only: \(requests)")
            #expect(requests.allSatisfy { $0[1] == "GET" })
        }
    #endif

    @Test("credentials in cache.remote of hybrid.yaml are an error at their line; a plain URL there is used")
    func configuredRemote() throws {
        var files = Self.files
        files["hybrid.yaml"] = files["hybrid.yaml"]! + "cache:\n  remote: \"http://user:secret-pw@127.0.0.1:1/x\"\n"
        let refused = try Self.runner(files)
        let (result, _) = try Self.compile(refused, remote: nil)
        #expect(result.status == 1)
        #expect(result.stderr.contains("hybrid.yaml:8:11: error: cache.remote must not hold credentials"))
        #expect(!result.stderr.contains("secret-pw"))

        let (url, _, expected) = try Self.warmedPrefix()
        files["hybrid.yaml"] = Self.files["hybrid.yaml"]! + "cache:\n  remote: \"\(url)\"\n"
        let configured = try Self.runner(files)
        let (configuredResult, report) = try Self.compile(configured, remote: nil)
        #expect(configuredResult.status == 0, "\(configuredResult.stderr)")
        #expect(report["fetched"] as? Int ?? 0 > 0)
        #expect(configured.snapshot() == expected)
        let (off, offReport) = try Self.compile(try Self.runner(files), remote: "off")
        #expect(off.status == 0)
        #expect(offReport["remote"] == nil || offReport["remote"] is NSNull)
    }
}
