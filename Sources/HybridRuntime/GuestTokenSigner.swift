import Crypto
import Foundation
import SupersetClient

/// Superset guest tokens as JWTs: signs one locally with HS256 and the server's
/// `GUEST_TOKEN_JWT_SECRET` (the claims `create_guest_access_token` writes: user, resources,
/// rls_rules, iat, exp, aud, type "guest"), and reads the claims of one.
public enum GuestTokenSigner {
    /// A signed token for one embedded dashboard, valid from `issuedAt` to `expires` (seconds since 1970).
    public static func sign(
        secret: String, audience: String, user: GuestTokenUser, embeddedUUID: String, rules: [GuestTokenRule],
        issuedAt: Double, expires: Double
    ) -> String {
        struct Claims: Encodable {
            var user: GuestTokenUser
            var resources: [GuestTokenResource]
            var rlsRules: [GuestTokenRule]
            var iat: Double
            var exp: Double
            var aud: String
            var type = "guest"

            enum CodingKeys: String, CodingKey {
                case user, resources, iat, exp, aud, type
                case rlsRules = "rls_rules"
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let header = Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8)
        let claims = Claims(
            user: user, resources: [GuestTokenResource(embeddedUUID: embeddedUUID)], rlsRules: rules, iat: issuedAt,
            exp: expires,
            aud: audience)
        let payload = (try? encoder.encode(claims)) ?? Data()
        let signingInput = base64URL(header) + "." + base64URL(payload)
        let key = SymmetricKey(data: Data(secret.utf8))
        let signature = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: key)
        return signingInput + "." + base64URL(Data(signature))
    }

    /// The claims of a JWT (not verified: for reading `exp` and `aud` of a token the server just gave).
    public static func claims(of token: String) -> [String: Any]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = base64URLDecoded(String(parts[1])) else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        var claims = object
        // `exp`/`iat` may be integers or floats; expose them as Double.
        for key in ["exp", "iat"] {
            if let number = object[key] as? NSNumber { claims[key] = number.doubleValue }
        }
        return claims
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func base64URLDecoded(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
