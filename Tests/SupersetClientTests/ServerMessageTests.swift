import Foundation
import Testing

@testable import SupersetClient

@Suite("Superset's error messages")
struct ServerMessageTests {
    private func extract(_ text: String) -> String? { ServerMessage.extract(from: Data(text.utf8)) }

    @Test("message, errors[].message and msg, as Superset's APIs send them")
    func shapes() {
        #expect(extract(#"{"message":"Not authorized"}"#) == "Not authorized")
        #expect(extract(#"{"msg":"Token has expired"}"#) == "Token has expired")
        #expect(
            extract(
                #"{"errors":[{"message":"Import failed for an unknown reason","error_type":"GENERIC_COMMAND_ERROR"}]}"#)
                == "Import failed for an unknown reason")
        #expect(extract(#"{"errors":[{"message":"a"},{"message":"b"}]}"#) == "a; b")
        #expect(
            extract(#"{"message":{"sqlalchemy_uri":["Field required"],"database_name":["Too long","Bad"]}}"#)
                == "database_name: Too long; Bad; sqlalchemy_uri: Field required")
        #expect(extract(#"{"payload":{"message":"bad token"}}"#) == "bad token")
    }

    @Test("HTML pages give their title, plain text its first line, empty bodies nothing")
    func otherBodies() {
        #expect(
            extract("<!doctype html><html><head><title>500: Internal server error | Superset</title></head></html>")
                == "500: Internal server error | Superset")
        #expect(extract("Service Unavailable\nmore") == "Service Unavailable")
        #expect(extract("") == nil)
        #expect(extract("<html><body>no title</body></html>") == nil)
        #expect(extract(String(repeating: "x", count: 2000))?.count == ServerMessage.maximumLength + 1)
    }

    @Test("an unknown JSON shape falls back to nothing rather than the raw JSON")
    func unknownShape() {
        #expect(extract(#"{"result":[]}"#) == nil)
    }
}
