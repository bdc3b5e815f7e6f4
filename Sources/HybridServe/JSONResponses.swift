import Foundation
import Hummingbird
import HybridDiagnostics

/// JSON answers: a value (sorted keys, no escaped slashes, secrets redacted), or an error naming what
/// was wrong: `{"error": {"status": 400, "parameter": "limit", "message": "..."}}`.
enum JSONResponses {
    static func ok<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else {
            return error(.internalServerError, parameter: nil, "cannot encode the answer")
        }
        return bytes(SecretRegistry.shared.redact(Array(data)), status: status)
    }

    static func error(_ status: HTTPResponse.Status, parameter: String?, _ message: String) -> Response {
        var object: [String: Any] = ["status": status.code, "message": SecretRegistry.shared.redact(message)]
        if let parameter { object["parameter"] = parameter }
        let data =
            (try? JSONSerialization.data(
                withJSONObject: ["error": object], options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var response = bytes(Array(data), status: status)
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer realm=\"hybrid\"" }
        return response
    }

    static func bytes(_ bytes: [UInt8], status: HTTPResponse.Status, contentType: String = "application/json")
        -> Response
    {
        var buffer = ByteBuffer()
        buffer.writeBytes(bytes)
        buffer.writeInteger(UInt8(0x0A))
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: buffer))
    }
}
