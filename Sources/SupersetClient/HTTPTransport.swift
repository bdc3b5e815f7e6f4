import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Sends one HTTP request with URLSession and waits for the whole answer, within a deadline.
///
/// Redirects are not followed (Superset answers a refused CSRF token on a form post with a 302 to
/// `/login/`, which must surface rather than turn into a login page), no cookie storage or cache is
/// used (the client keeps its own jar), and a task cancelled by the caller cancels the request.
final class HTTPTransport: Sendable {
    /// Why no HTTP answer arrived.
    enum Failure: Error, Sendable {
        case network(URLError)
        case deadline
        case cancelled
    }

    private let session: URLSession

    init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCredentialStorage = nil
        session = URLSession(configuration: configuration, delegate: RedirectRefuser(), delegateQueue: nil)
    }

    deinit { session.finishTasksAndInvalidate() }

    /// The body and response of `request`, or the reason there was none within `timeout`.
    func send(_ request: URLRequest, timeout: Duration) async throws(Failure) -> (Data, HTTPURLResponse) {
        var limited = request
        // URLSession's own limit is an idle timeout; it backs up the overall deadline below.
        limited.timeoutInterval = max(1, timeout.seconds)
        let request = limited
        let outcome: Result<(Data, HTTPURLResponse), Failure> = await withTaskGroup(
            of: Result<(Data, HTTPURLResponse), Failure>?.self
        ) { group in
            group.addTask { [session] in await Self.perform(request, on: session) }
            group.addTask {
                do { try await Task.sleep(for: timeout) } catch { return nil }
                return .failure(.deadline)
            }
            var outcome: Result<(Data, HTTPURLResponse), Failure> = .failure(.cancelled)
            while let next = await group.next() {
                guard let next else { continue }
                outcome = next
                break
            }
            group.cancelAll()
            return outcome
        }
        return try outcome.get()
    }

    private static func perform(_ request: URLRequest, on session: URLSession) async -> Result<
        (Data, HTTPURLResponse), Failure
    > {
        let holder = TaskHolder()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let task = session.dataTask(with: request) { data, response, error in
                    if let error {
                        let urlError = error as? URLError ?? URLError(.unknown)
                        continuation.resume(
                            returning: .failure(urlError.code == .cancelled ? .cancelled : .network(urlError)))
                    } else if let response = response as? HTTPURLResponse {
                        continuation.resume(returning: .success((data ?? Data(), response)))
                    } else {
                        continuation.resume(returning: .failure(.network(URLError(.badServerResponse))))
                    }
                }
                holder.start(task)
            }
        } onCancel: {
            holder.cancel()
        }
    }
}

/// Holds a data task so a cancellation arriving before or after it starts still stops it.
private final class TaskHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var task: URLSessionDataTask?
    private var cancelled = false

    func start(_ task: URLSessionDataTask) {
        lock.lock()
        self.task = task
        let cancelled = self.cancelled
        lock.unlock()
        task.resume()
        if cancelled { task.cancel() }
    }

    func cancel() {
        lock.lock()
        cancelled = true
        let task = self.task
        lock.unlock()
        task?.cancel()
    }
}

/// Answers every redirect with "do not follow", so the 3xx response itself is delivered.
private final class RedirectRefuser: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
