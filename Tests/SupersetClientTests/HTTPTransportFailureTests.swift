import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import SupersetClient

@Suite("What a transport error means")
struct HTTPTransportFailureTests {
    @Test("refused and reset sockets, closed connections, deadlines, cancellation and bad HTTP")
    func classification() {
        #expect(HTTPTransport.failure(of: IOError(errnoCode: ECONNREFUSED, reason: "connect")) == .refused)
        #expect(HTTPTransport.failure(of: IOError(errnoCode: ECONNRESET, reason: "read")) == .connectionLost)
        #expect(HTTPTransport.failure(of: HTTPClientError.remoteConnectionClosed) == .connectionLost)
        #expect(HTTPTransport.failure(of: ChannelError.eof) == .connectionLost)
        #expect(HTTPTransport.failure(of: HTTPClientError.deadlineExceeded) == .deadline)
        #expect(HTTPTransport.failure(of: HTTPClientError.connectTimeout) == .deadline)
        #expect(HTTPTransport.failure(of: CancellationError()) == .cancelled)
        #expect(HTTPTransport.failure(of: HTTPClientError.cancelled) == .cancelled)
        #expect(HTTPTransport.failure(of: HTTPParserError.invalidStatus) == .invalidResponse)
        #expect(HTTPTransport.failure(of: NIOTooManyBytesError(maxBytes: 1)) == .tooLarge)
    }
}
