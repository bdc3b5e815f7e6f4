import Foundation
import Hummingbird
import HybridAudit
import HybridDiagnostics
import HybridRuntime

/// `POST /api/embed/guest-token`: `hybrid embed mint-token` for host applications. The body is JSON
/// with the command's inputs (`dashboard_id`, `tenant_id`, `user_id`, `expires`, `roles`, `env`,
/// `mapping`); the same policy checks apply, and every mint and refusal is audited.
enum GuestTokenEndpoint {
    struct Body: Decodable {
        var environment: String?
        var dashboardID: String
        var tenantID: String?
        var userID: String?
        var expires: Int
        var roles: [String]?
        var mapping: String?

        enum CodingKeys: String, CodingKey {
            case environment = "env"
            case dashboardID = "dashboard_id"
            case tenantID = "tenant_id"
            case userID = "user_id"
            case expires, roles, mapping
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            environment = try container.decodeIfPresent(String.self, forKey: .environment)
            // A dashboard is named by a server id (a number) or a uuid, slug or path (a string).
            if let number = try? container.decode(Int.self, forKey: .dashboardID) {
                dashboardID = String(number)
            } else {
                dashboardID = try container.decode(String.self, forKey: .dashboardID)
            }
            tenantID = try container.decodeIfPresent(String.self, forKey: .tenantID)
            userID = try container.decodeIfPresent(String.self, forKey: .userID)
            expires = try container.decode(Int.self, forKey: .expires)
            roles = try container.decodeIfPresent([String].self, forKey: .roles)
            mapping = try container.decodeIfPresent(String.self, forKey: .mapping)
        }
    }

    /// The largest body read.
    static let maximumBody = 64 * 1024

    static func handle(_ request: Request, state: ServeState) async -> Response {
        var request = request
        let body: Body
        do {
            let buffer = try await request.collectBody(upTo: maximumBody)
            body = try JSONDecoder().decode(Body.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            return JSONResponses.error(.badRequest, parameter: field(of: error), describe(error))
        } catch {
            return JSONResponses.error(
                .contentTooLarge, parameter: nil, "the body is not JSON of at most \(maximumBody) bytes")
        }
        let environment: String
        do throws(AuditQueryError) {
            environment = try state.environment(body.environment)
        } catch {
            return JSONResponses.error(.badRequest, parameter: error.parameter, error.description)
        }
        let connection: RuntimeConnection
        do throws(Diagnostic) {
            connection = try await state.connection(environment)
        } catch {
            return JSONResponses.error(.serviceUnavailable, parameter: nil, error.message)
        }
        let minterRequest = GuestTokenMinter.Request(
            dashboard: body.dashboardID, tenantID: body.tenantID, userID: body.userID, expires: body.expires,
            roles: body.roles ?? [])
        let issued = await GuestTokenIssuer(deployment: state.deployment).issue(
            environment: environment, mapping: body.mapping, request: minterRequest, signing: .fromEnvironment(),
            connection: connection)
        switch issued {
        case .compileFailed(let errors):
            return JSONResponses.error(
                .internalServerError, parameter: nil,
                "the repository does not compile: " + errors.map(\.description).joined(separator: "; "))
        case .done(.failure(let refusal), _):
            if refusal.isFailure {
                return JSONResponses.error(.badGateway, parameter: nil, refusal.diagnostic.message)
            }
            return JSONResponses.ok(
                RefusalAnswer(
                    error: .init(status: 403, reason: refusal.reason.rawValue, message: refusal.diagnostic.message)),
                status: .forbidden)
        case .done(.success(let minted), let auditError):
            if let auditError {
                // Never hand out a token whose mint could not be audited anywhere but the spool.
                return JSONResponses.error(.serviceUnavailable, parameter: nil, auditError.message)
            }
            return JSONResponses.ok(minted)
        }
    }

    struct RefusalAnswer: Encodable {
        struct Detail: Encodable {
            var status: Int
            var reason: String
            var message: String
        }

        var error: Detail
    }

    private static func field(of error: DecodingError) -> String? {
        switch error {
        case .keyNotFound(let key, _): key.stringValue
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            context.codingPath.last?.stringValue
        @unknown default: nil
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "\(key.stringValue): is required"
        case .typeMismatch(let type, let context):
            "\(context.codingPath.last?.stringValue ?? "body"): must be \(type == Int.self ? "a whole number" : "\(type)")"
        case .valueNotFound(_, let context): "\(context.codingPath.last?.stringValue ?? "body"): must not be null"
        case .dataCorrupted(let context):
            context.codingPath.isEmpty ? "the body is not JSON" : "\(context.codingPath.last!.stringValue): malformed"
        @unknown default: "the body is not the expected JSON"
        }
    }
}
