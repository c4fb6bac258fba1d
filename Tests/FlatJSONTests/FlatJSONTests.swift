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

    @Test func readsArraysOfIntegersAndStringsAndNestedObjects() throws {
        let text = #"{"i":[0, -3,12] ,"s":["a","b\"c","\u00e9"],"e":[],"m":[1,"x"],"f":[1.5],"o":{"x":1,"y":"nan"},"n":1}"#
        let o = try FlatJSONObject(Array(text.utf8))
        #expect(o.ints("i") == [0, -3, 12])
        #expect(o.strings("s") == ["a", "b\"c", "é"])
        #expect(o.ints("e") == [] && o.strings("e") == [])
        #expect(o.ints("m") == nil && o.strings("m") == nil)  // mixed kinds
        #expect(o.ints("f") == nil)  // not integers
        #expect(o.ints("n") == nil && o.ints("missing") == nil && o.object("n") == nil)
        let nested = try #require(o.object("o"))
        #expect(nested.keys == ["x", "y"])
        #expect(nested.int("x") == 1)
        #expect(nested.double("y", nonFinite: true)?.isNaN == true)
    }

    @Test func writerArraysAndSortedDictionariesMatchJSONEncoder() throws {
        struct Shape: Encodable {
            var a: [Int]
            var b: [String]
            var c: [String: Double]
        }
        let value = Shape(a: [3, -1, 0], b: ["x", "q\"uote", "é\n"],
                          c: ["z": 1, "a.b": 0.25, "A": -2.5e-7, "a_c": 1e20, "b": 123456.789])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var w = FlatJSONWriter()
        w.write("a", value.a)
        w.write("b", value.b)
        w.write("c", value.c)
        #expect(String(decoding: w.finish(), as: UTF8.self) == String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
