import FlatJSON
import Foundation
import Testing

@Suite struct FlatJSONTests {
    @Test func readsTopLevelMembersAndSkipsNestedValues() throws {
        let text = #" { "task" : "a\"b\u00e9\ud83d\ude00", "attempt":2,"seq":-17, "x":1.5e3, "ok":true, "n":null, "#
            + #""nested":{"a":[1,{"b":"}"}],"c":"]"}, "list":[[],{}], "nan":"nan", "big":12345678901234567890 } "#
        let o = try FlatJSONObject(Array(text.utf8))
        #expect(o.string("task") == "a\"bé😀")
        #expect(o.int("attempt") == 2)
        #expect(o.int("seq") == -17)
        #expect(o.double("x") == 1500)
        #expect(o.int("x") == nil)
        #expect(o.bool("ok") == true)
        #expect(o.kind("n") == .null)
        #expect(o.kind("nested") == .object)
        #expect(o.kind("list") == .array)
        #expect(o.double("nan") == nil)
        #expect(o.double("nan", nonFinite: true)?.isNaN == true)
        #expect(o.int("big") == nil)
        #expect(o.string("missing") == nil)
        #expect(o.keys == ["task", "attempt", "seq", "x", "ok", "n", "nested", "list", "nan", "big"])
    }

    @Test func agreesWithJSONSerializationOnValidAndInvalidInput() throws {
        let valid = [#"{}"#, #"{"a":0}"#, #"{"a":-0.0e-1}"#, #"{"a":"\/\b\f\n\r\t"}"#, #"{"a":[1,2,[3]]}"#]
        let invalid = ["", "[]", "{", #"{"a"}"#, #"{"a":}"#, #"{"a":1,}"#, #"{"a":01}"#, #"{"a":1.}"#, #"{"a":.5}"#,
                       #"{"a":"\x"}"#, "{\"a\":\"\u{1}\"}", #"{"a":tru}"#, #"{"a":1} x"#, #"{a:1}"#, #"{"a":[1,]}"#,
                       #"{"a":"\u12"}"#, #"{"a":+1}"#, #"{"a":1e}"#, "hello"]
        for text in valid {
            #expect(throws: Never.self, "\(text)") { try FlatJSONObject(Array(text.utf8)) }
            #expect(try JSONSerialization.jsonObject(with: Data(text.utf8)) is [String: Any])
        }
        for text in invalid {
            #expect(throws: FlatJSONError.self, "\(text)") { try FlatJSONObject(Array(text.utf8)) }
        }
    }

    @Test func writerOutputReadsBackAndIsValidJSON() throws {
        var w = FlatJSONWriter()
        w.write("attempt", 3)
        w.write("loss", 0.125)
        w.write("one", 1.0)
        w.write("small", 1e-7)
        w.write("nan", Double.nan)
        w.write("ninf", -Double.infinity)
        w.write("ok", false)
        w.write("task", "q\"\\\n\u{1}é")
        let bytes = w.finish()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"attempt":3,"loss":0.125,"one":1,"#))
        let o = try FlatJSONObject(bytes)
        #expect(o.int("attempt") == 3)
        #expect(o.double("loss") == 0.125)
        #expect(o.double("small") == 1e-7)
        #expect(o.double("nan", nonFinite: true)?.isNaN == true)
        #expect(o.double("ninf", nonFinite: true) == -.infinity)
        #expect(o.bool("ok") == false)
        #expect(o.string("task") == "q\"\\\n\u{1}é")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["task"] as? String == "q\"\\\n\u{1}é")
    }
}
