import Foundation
import HybridTestSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A `hybrid serve` process on a free port, asked over real HTTP.
final class ServeProcess {
    let process = Process()
    let errorLog: String
    private(set) var port = 0

    /// Starts `hybrid serve --port 0 ...` in `root` and waits for its "listening on" line.
    init(root: String, arguments: [String] = [], environment: [String: String]) throws {
        errorLog = root + "/serve-\(UUID().uuidString.prefix(8)).err"
        _ = FileManager.default.createFile(atPath: errorLog, contents: nil)
        process.executableURL = HybridProcess.executable
        process.arguments = ["serve", "--port", "0"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        var variables = environment
        variables["NO_COLOR"] = "1"
        process.environment = variables
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorLog))
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, process.isRunning {
            if let text = try? String(contentsOfFile: errorLog, encoding: .utf8),
                let range = text.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression)
            {
                port = Int(text[range].split(separator: ":").last!)!
                return
            }
            usleep(20_000)
        }
        process.terminate()
        throw FixtureError("hybrid serve did not start: \(stderr)")
    }

    var stderr: String { (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? "" }

    var url: String { "http://127.0.0.1:\(port)" }

    /// One request; the status and the JSON body (or the text).
    func request(_ path: String, method: String = "GET", token: String? = nil, body: String? = nil) async throws -> (
        status: Int, data: Data
    ) {
        var request = URLRequest(url: URL(string: url + path)!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    func json(_ path: String, method: String = "GET", token: String? = nil, body: String? = nil) async throws -> (
        status: Int, json: [String: Any]
    ) {
        let (status, data) = try await request(path, method: method, token: token, body: body)
        return (status, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }

    /// Sends `signal` and waits for the exit status.
    func stop(_ signal: Int32 = SIGTERM) -> Int32 {
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
