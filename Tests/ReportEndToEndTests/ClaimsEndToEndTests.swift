import Foundation
import Report
import StrataTesting
import Testing

/// End to end: the claims of a sweep store written from made-up events, as `strata claims` prints them and as
/// the report's first section shows them in headless Chromium.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ClaimsEndToEndTests {
    /// Appended to the report: after load, writes into `data-e2e` on `<html>` what the first section is and what
    /// its claims table holds.
    static let probe = """
        <script>
        window.addEventListener('load', () => {
          const first = document.querySelector('section');
          const rows = [...document.querySelectorAll('#claims tr[data-claim]')].map(r => {
            const verdict = r.querySelector('td.verdict');
            const box = verdict ? verdict.getBoundingClientRect() : null;
            return { claim: Number(r.dataset.claim), verdict: verdict ? verdict.textContent : null,
                     top: box ? box.top : -1, height: box ? box.height : 0 };
          });
          document.documentElement.setAttribute('data-e2e', JSON.stringify({ first: first ? first.id : null, rows }));
        });
        </script>
        """

    struct Probe: Decodable {
        struct Row: Decodable {
            var claim: Int
            var verdict: String?
            var top: Double
            var height: Double
        }
        var first: String?
        var rows: [Row]
    }

    @Test func claimsCommandPrintsOneJSONObjectPerClaimAndATableThatNamesTheBootstrap() throws {
        let scratch = try TemporaryFolder(prefix: "strata-claims")
        let folder = scratch.path
        let sweep = try ClaimsSweep.make(in: folder)

        let json = try Strata.run(["claims", sweep.out, "--json"], logs: folder, timeout: 30)
        try #require(json.status == 0, "strata claims --json: \(json.stderr)")
        let lines = json.stdout.split(separator: "\n")
        try #require(lines.count == 4, "\(lines.count) lines:\n\(json.stdout)")
        let objects = try lines.map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.map { $0["claim"] as? Int } == [1, 2, 3, 4])
        #expect(objects.map { $0["verdict"] as? String } == Array(repeating: "supported", count: 4),
                "\(objects.map { "\($0["claim"] ?? "?"): \($0["note"] ?? "")" })")
        for object in objects {
            let groups = try #require(object["groups"] as? [[String: Any]])
            #expect(groups.allSatisfy { $0["name"] is String && $0["mean"] is Double && $0["n"] is Int })
        }
        let first = objects[0]
        #expect((first["groups"] as? [[String: Any]])?.map { $0["n"] as? Int } == [3, 8], "3 with, 8 without")
        #expect((first["interval"] as? [Double]).map { $0.count == 2 && $0[0] > 0 } == true)
        #expect(((objects[2]["parts"] as? [[String: Any]])?.map { $0["name"] as? String }) == ["sgd − adam",
                                                                                              "vit − resnet18"])
        #expect(objects[3]["n"] as? Int == 11)
        for i in [0, 2, 3] {
            #expect((objects[i]["note"] as? String)?.contains("1 failed task") == true, "claim \(i + 1) note")
        }

        let text = try Strata.run(["claims", sweep.out], logs: folder, timeout: 30)
        try #require(text.status == 0, "strata claims: \(text.stderr)")
        #expect(text.stdout.contains("percentile-bootstrap") && text.stdout.contains("VERDICT"))
        #expect(text.stdout.contains("with double descent: 0.300 ± 0.000 (n = 3)"), "\(text.stdout)")

        let missing = try Strata.run(["claims", folder + "/nowhere"], logs: folder, timeout: 30)
        #expect(missing.status != 0 && missing.stderr.contains("strata.sqlite"), "\(missing.stderr)")
    }

    @Test func reportOpensWithTheClaimsTableInHeadlessChromium() throws {
        let chromium = try HeadlessChromium.installed()
        let scratch = try TemporaryFolder(prefix: "strata-claims")
        let folder = scratch.path
        let sweep = try ClaimsSweep.make(in: folder)
        let html = HTMLReport(model: try ReportModel.load(folder: sweep.out)).render()
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"),
                "the report is not self-contained")
        let page = folder + "/report.probe.html"
        try html.replacingOccurrences(of: "</body>", with: Self.probe + "</body>")
            .write(toFile: page, atomically: true, encoding: .utf8)
        let screenshot = folder + "/claims.png"
        let load = try chromium.load(page: page, screenshot: screenshot, in: folder)
        #expect(load.console.isEmpty, "console messages:\n\(load.console.joined(separator: "\n"))")

        let attribute = try #require(load.dom.firstMatch(of: /data-e2e="([^"]*)"/)?.1,
                                     "the probe script did not run; DOM starts: \(load.dom.prefix(300))")
        let json = String(attribute).replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&amp;", with: "&")
        let probe = try JSONDecoder().decode(Probe.self, from: Data(json.utf8))
        #expect(probe.first == "claims", "the first section is \(probe.first ?? "none")")
        #expect(probe.rows.map(\.claim) == [1, 2, 3, 4])
        #expect(probe.rows.map(\.verdict) == Array(repeating: "supported", count: 4))
        let lowest = probe.rows.map { $0.top + $0.height }.max() ?? 0
        #expect(probe.rows.allSatisfy { $0.height > 0 } && lowest < 2000, "verdict cells off screen: \(probe.rows)")

        // The screenshot: a styled page, with the verdict cells' green (#dff0d8) near the top.
        let image = try DecodedPNG(Data(contentsOf: URL(fileURLWithPath: screenshot)))
        #expect(image.width == 1400 && image.height == 2000)
        #expect(image.distinctColors >= 200, "only \(image.distinctColors) distinct colours")
        var green = 0
        let rows = min(image.height, Int(lowest.rounded(.up)) + 1)
        for i in stride(from: 0, to: rows * image.width * image.bpp, by: image.bpp) {
            let (r, g, b) = (Int(image.pixels[i]), Int(image.pixels[i + 1]), Int(image.pixels[i + 2]))
            if abs(r - 0xdf) <= 3 && abs(g - 0xf0) <= 3 && abs(b - 0xd8) <= 3 { green += 1 }
        }
        #expect(green >= 4 * 300, "only \(green) pixels of the verdict cells' green above y = \(rows)")
    }
}
