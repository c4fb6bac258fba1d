import Foundation
import Testing

@testable import Report

/// `ExportTable` writes the same typed rows as CSV and as JSON Lines: quoting, escaping, missing and non-finite
/// values, and the grid columns' names.
struct ExportTableTests {
    static func sample() -> ExportTable {
        var table = ExportTable(name: "t", columns: ["task", "text", "n", "x", "flag"])
        table.append([.text("a"), .text("plain"), .int(3), .number(0.25), .bool(true)])
        table.append([.text("b"), .text("comma, \"quote\"\nline"), .int(nil), .number(.nan), .bool(false)])
        table.append([.text("c"), .text(nil), .int(-1), .number(-.infinity), .null])
        table.append([.text("d"), .text("tab\tand \\ and \u{1}"), .int(0), .number(1e-5), .null])
        return table
    }

    @Test func csvQuotesWhatNeedsItAndLeavesMissingAndNonFiniteEmpty() {
        #expect(Self.sample().csv == """
            task,text,n,x,flag
            a,plain,3,0.25,true
            b,"comma, ""quote""
            line",,,false
            c,,-1,,
            d,tab\tand \\ and \u{1},0,1e-05,

            """)
    }

    @Test func jsonLinesAreTypedObjectsInColumnOrder() throws {
        let lines = Self.sample().jsonLines.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0] == #"{"task":"a","text":"plain","n":3,"x":0.25,"flag":true}"#)
        #expect(lines[1] == #"{"task":"b","text":"comma, \"quote\"\nline","n":null,"x":null,"flag":false}"#)
        #expect(lines[2] == #"{"task":"c","text":null,"n":-1,"x":null,"flag":null}"#)
        #expect(lines[3] == #"{"task":"d","text":"tab\tand \\ and \u0001","n":0,"x":1e-05,"flag":null}"#)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?.count == 5, "\(line)")
        }
        let decoded = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any]
        #expect(decoded?["text"] as? String == "comma, \"quote\"\nline")
    }

    @Test func anEmptyTableIsAHeaderOrNothing() {
        let table = ExportTable(name: "t", columns: ["task", "value"])
        #expect(table.csv == "task,value\n")
        #expect(table.jsonLines == "")
        #expect(table.jsonArray == "[]\n")
    }

    @Test func gridKeysNamedLikeAColumnArePrefixedInEveryTable() throws {
        var a = TaskReport(id: "t1", spec: .init(), grid: ["lr": "0.1", "device": "cpu", "width": "8"], state: "failed",
                           reason: "no data")
        a.spec.lr = 0.1
        a.spec.width = 8
        var b = a
        (b.id, b.grid["lr"], b.spec.lr, b.state, b.reason) = ("t2", "0.01", 0.01, "pending", nil)
        let tables = ExportTables(ReportModel(title: "x", gridKeys: ["width", "lr", "device"], tasks: [a, b]))
        let grid = ["width", "grid.lr", "grid.device"]
        #expect(tables.metrics().columns.contains(grid[1]) && !tables.metrics().columns.contains("grid.width"))
        for table in [tables.tasks(attempts: [:]), tables.probes(), tables.scores(), tables.index(folders: [])] {
            #expect(Array(table.columns.drop { !grid.contains($0) }.prefix(3)) == grid, "\(table.name): \(table.columns)")
        }
        let tasks = tables.tasks(attempts: ["t1": 2])
        #expect(tasks.rows.count == 2, "every task has a row, started or not")
        #expect(tasks.jsonLines.split(separator: "\n").first?.contains(#""reason":"no data","width":8,"grid.lr":0.1"#)
                == true, "\(tasks.jsonLines)")
        #expect(tasks.jsonLines.contains(#""attempts":2,"#) && tasks.jsonLines.contains(#""attempts":null,"#))
    }
}
