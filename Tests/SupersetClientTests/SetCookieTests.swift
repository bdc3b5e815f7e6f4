import Foundation
import Testing

@testable import SupersetClient

@Suite("Set-Cookie parsing and the cookie jar")
struct SetCookieTests {
    private let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test("name, value and attributes as Flask sends them; Path=/ applies to every API path")
    func flaskSession() throws {
        let cookie = try #require(
            SetCookie(parsing: "session=eyJ.abc=; HttpOnly; Path=/; SameSite=Lax", requestPath: "/api/v1/x/", now: now))
        #expect(cookie.name == "session")
        #expect(cookie.value == "eyJ.abc=")
        #expect(cookie.path == "/")
        #expect(cookie.expires == nil)
    }

    @Test("a missing or relative Path takes the request's directory (RFC 6265 default-path)")
    func defaultPath() throws {
        #expect(SetCookie(parsing: "a=1", requestPath: "/api/v1/security/login", now: now)?.path == "/api/v1/security")
        #expect(SetCookie(parsing: "a=1; Path=rel", requestPath: "/login/", now: now)?.path == "/login")
        #expect(SetCookie(parsing: "a=1", requestPath: "/", now: now)?.path == "/")
        #expect(SetCookie(parsing: "a=1", requestPath: "", now: now)?.path == "/")
    }

    @Test("Max-Age wins over Expires; zero or negative expires at once; malformed ages are ignored")
    func maxAge() {
        let both = SetCookie(
            parsing: "a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Max-Age=60", requestPath: "/", now: now)
        #expect(both?.expires == now.addingTimeInterval(60))
        #expect(SetCookie(parsing: "a=1; Max-Age=0", requestPath: "/", now: now)?.expires == .distantPast)
        #expect(SetCookie(parsing: "a=1; Max-Age=-5", requestPath: "/", now: now)?.expires == .distantPast)
        #expect(SetCookie(parsing: "a=1; Max-Age=1x", requestPath: "/", now: now)?.expires == nil)
        #expect(SetCookie(parsing: "a=1; max-age=99999999999999999999", requestPath: "/", now: now)?.expires != nil)
    }

    @Test("headers without a name=value pair are ignored")
    func malformed() {
        #expect(SetCookie(parsing: "novalue", requestPath: "/", now: now) == nil)
        #expect(SetCookie(parsing: "=1; Path=/", requestPath: "/", now: now) == nil)
        #expect(SetCookie(parsing: "a=; Path=/", requestPath: "/", now: now)?.value == "")
    }

    @Test("cookie dates in the three formats servers send, in UTC; impossible dates are nil")
    func dates() {
        let expected = Date(timeIntervalSince1970: 1_445_412_480)  // 2015-10-21 07:28:00 UTC
        #expect(CookieDate.parse("Wed, 21 Oct 2015 07:28:00 GMT") == expected)
        #expect(CookieDate.parse("Wednesday, 21-Oct-15 07:28:00 GMT") == expected)
        #expect(CookieDate.parse("Wed Oct 21 07:28:00 2015") == expected)
        #expect(CookieDate.parse("Thu, 01 Jan 1970 00:00:00 GMT") == Date(timeIntervalSince1970: 0))
        #expect(CookieDate.parse("Wed, 31 Feb 2015 07:28:00 GMT") == nil)
        #expect(CookieDate.parse("Wed, 21 Oct 2015 25:28:00 GMT") == nil)
        #expect(CookieDate.parse("Wed, 21 Oct 2015") == nil)
        #expect(CookieDate.parse("") == nil)
    }

    @Test("the jar keeps each Set-Cookie of one answer, replaces by name and path, and drops expired ones")
    func jar() throws {
        var jar = CookieJar()
        let url = try #require(URL(string: "http://superset.local/api/v1/security/csrf_token/"))
        jar.store(setCookieValues: ["session=s1; Path=/", "lang=en; Path=/api"], for: url, now: now)
        #expect(jar.header(forPath: "/api/v1/chart/", now: now) == "lang=en; session=s1")
        #expect(jar.header(forPath: "/login/", now: now) == "session=s1")
        jar.store(setCookieValues: ["session=s2; Path=/"], for: url, now: now)
        #expect(jar.header(forPath: "/login/", now: now) == "session=s2")
        jar.store(
            setCookieValues: [
                "session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/", "lang=x; Max-Age=0; Path=/api",
            ],
            for: url, now: now)
        #expect(jar.isEmpty)
        jar.store(setCookieValues: ["short=1; Max-Age=10; Path=/"], for: url, now: now)
        #expect(jar.header(forPath: "/", now: now.addingTimeInterval(11)) == nil)
    }
}
