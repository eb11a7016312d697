import OracleCore
import Foundation
import Testing
@testable import OracleServer

@Suite("APIResponse and RequestTarget")
struct APIResponseTests {
    @Test func errorBodyHasOneShapeAndEscapes() throws {
        let response = APIResponse.error(404, "unknown pair \"DOGE\"\n\\ see /v1/prices")
        #expect(response.status == 404)
        #expect(response.contentType == "application/json")
        guard case .bytes(let bytes) = response.body else {
            Issue.record("error body must be complete bytes")
            return
        }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let error = try #require(object["error"] as? [String: Any])
        #expect(error["code"] as? String == "not_found")
        #expect(error["message"] as? String == "unknown pair \"DOGE\"\n\\ see /v1/prices")
    }

    @Test func explicitCodeWins() {
        let response = APIResponse.error(403, "uid 1000 may not reload", code: "peer_not_allowed")
        guard case .bytes(let bytes) = response.body else { return }
        #expect(String(decoding: bytes, as: UTF8.self).contains("\"code\":\"peer_not_allowed\""))
    }

    @Test func controlCharactersAreEscaped() {
        #expect(JSONString.quoted("a\u{01}b") == "\"a\\u0001b\"")
    }

    @Test func targetParsing() throws {
        let target = try RequestTarget.parse("/v1/calls?state=open&note=a+b%21&flag")
        #expect(target.path == "/v1/calls")
        #expect(target.query == ["state": "open", "note": "a b!", "flag": ""])
        #expect(throws: RequestTarget.Invalid.self) { try RequestTarget.parse("http://example/x") }
        #expect(throws: RequestTarget.Invalid.self) { try RequestTarget.parse("/a%4") }
        #expect(throws: RequestTarget.Invalid.self) { try RequestTarget.parse("/a%ff") }
    }
}
