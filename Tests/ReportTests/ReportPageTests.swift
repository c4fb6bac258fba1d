import Foundation
import Report
import Sweep
import Testing

/// A made-up sweep: resnet18 and vit (each with its own width and lr) × sgd and adam × seeds 0 and 1, every
/// task from `runEvents` (CKA of block1 at checkpoints 0…4 runs from 0.6 to 1); the vit · adam seed-1 task
/// has a double-descent peak at epoch 3.
func sweepModel(dataset: String = "fashion-mnist") -> ReportModel {
    var tasks: [TaskReport] = []
    for arch in ["resnet18", "vit"] {
        for optimizer in ["sgd", "adam"] {
            for seed in 0...1 {
                var spec = TaskSpec()
                (spec.arch, spec.optimizer, spec.seed, spec.dataset) = (arch, optimizer, seed, dataset)
                spec.width = arch == "vit" ? 32 : 4
                spec.epochs = 4
                spec.lr = optimizer == "adam" ? 0.002 : 0.05
                let grid = ["arch": arch, "optimizer": optimizer, "width": "\(spec.width)", "lr": "\(spec.lr)",
                            "seed": "\(seed)"]
                var task = TaskReport(id: "\(arch)-\(optimizer)-\(seed)", spec: spec, grid: grid, state: "pending")
                for event in runEvents(taps: ["block1", "block2"], epochs: 4, finished: true) { task.apply(event) }
                task.spec = spec
                task.scores["cka_linear.distinguishability_late.block1"] = seed == 0 ? 0.1 : 0.3
                if arch == "vit" && optimizer == "adam" && seed == 1 { task.scores["double_descent.peak_epoch"] = 3 }
                tasks.append(task)
            }
        }
    }
    return ReportModel(title: "made-up sweep", gridKeys: ["arch", "optimizer", "width", "lr", "seed"], tasks: tasks)
}

@Suite("Report page")
struct ReportPageTests {
    @Test func configurationsAreNamedByTheKeysThatTellThemApartAndPoolOnlySeeds() {
        let model = sweepModel()
        #expect(model.distinguishingKeys == ["arch", "optimizer"], "width and lr follow arch and optimizer")
        let configs = model.configurations
        #expect(configs.map(\.label) == ["resnet18 · sgd", "resnet18 · adam", "vit · sgd", "vit · adam"])
        #expect(configs.allSatisfy { $0.tasks.count == 2 && $0.seeds == ["0", "1"] })
        #expect(configs.map(\.family) == [0, 1, 2, 3])
        let s = configs[0].stat { $0.distinguishability }
        #expect(s.n == 2 && abs(s.mean - 0.2) < 1e-12 && abs(s.std - 0.02.squareRoot()) < 1e-12)
        #expect(model.pooledText(by: ["arch", "optimizer", "width", "lr"]) == "pools seed {0, 1}")
        #expect(model.pooledText(by: ["arch"]) == "pools optimizer {adam, sgd}, lr {0.002, 0.05} and seed {0, 1}")
        #expect(model.pooledText(by: ["arch", "optimizer", "width", "lr", "seed"]) == "pools nothing (one task each)")
    }

    @Test func heatmapsHaveCheckpointTicksAColourBarAndHoverValues() throws {
        var report = HTMLReport(model: model(finished: true))
        report.boundaries = { _, kind, _ in kind == "cka_linear" ? [2] : [] }
        let html = report.render()
        let heat = try #require(html.firstMatch(of: /<figure class="heat"[\s\S]*?<\/figure>/).map { String($0.0) })
        #expect(heat.contains("block1 · cka_linear"))
        let xTicks = heat.matches(of: /class="tk xt" text-anchor="middle">(\d+)</).map { Int($0.1)! }
        let yTicks = heat.matches(of: /class="tk yt" text-anchor="end">(\d+)</).map { Int($0.1)! }
        #expect(xTicks == [0, 1, 2, 3, 4] && yTicks == [0, 1, 2, 3, 4])
        #expect(heat.contains("epoch at checkpoint"))
        // Per-matrix (the default): the colour bar spans 0.6–1, and says so under the panel.
        #expect(heat.contains("data-scale=\"per-matrix\"") && heat.contains("<g class=\"colorbar\" data-lo=\"0.6\" data-hi=\"1.0\">"))
        #expect(heat.contains("colour: per-matrix, this matrix&#39;s range 0.60–1.00")
                    || heat.contains("colour: per-matrix, this matrix's range 0.60–1.00"))
        // 25 cells, each with its value on hover; S[4, 0] = 1 − 0.4.
        #expect(heat.components(separatedBy: "</title></rect>").count - 1 == 25)
        #expect(heat.contains("<title>epoch 4 × epoch 0: 0.6000</title>") && heat.contains("<title>epoch 0 × epoch 4: 0.6000</title>"))
        // The phase boundary before checkpoint 2 is labelled with its epoch, on the panel and in the caption.
        #expect(heat.contains("<g class=\"phase\" data-epoch=\"2\">") && heat.contains("phases start at epoch 2"))
        // The region-agreement matrix is constant (0.9): it falls back to the fixed scale and says why.
        #expect(html.contains("colour: fixed 0.00–1.00 (matrix is constant)"))

        let fixed = HTMLReport(model: model(finished: true), scale: .fixed).render()
        #expect(fixed.contains("data-scale=\"fixed\"") && !fixed.contains("data-scale=\"per-matrix\""))
        #expect(fixed.contains("<g class=\"colorbar\" data-lo=\"0.0\" data-hi=\"1.0\">"))
        #expect(fixed.contains("heatmap colours fixed (--scale)"))
    }

    @Test func manyCheckpointsGetThinnedTickLabels() {
        let n = 60
        let epochs = (0..<n).map { $0 * 5 }
        let rows = (0..<n).map { i in (0...i).map { j in 1 - Double(i - j) / Double(n) } }
        let svg = SVGChart.heatmap(SimilarityMatrix(epochs: epochs, rows: rows), title: "t")
        let x = svg.matches(of: /class="tk xt" text-anchor="middle">(\d+)</).map { Int($0.1)! }
        #expect(x.count < 12 && x.first == 0 && x.last == 295, "\(x)")
        #expect(Set(x).isSubset(of: Set(epochs)))
        // Past 40 checkpoints a side, hover targets are 2×2 blocks with their epochs and mean, min and max.
        #expect(svg.components(separatedBy: "</title></rect>").count - 1 == (n / 2) * (n / 2))
        let mean = (1 + 1 + 2 * (1 - 1 / Double(n))) / 4
        #expect(svg.contains(String(format: "<title>epochs 0–5 × epochs 0–5: mean %.4f (min %.4f, max 1.0000)</title>",
                                    mean, 1 - 1 / Double(n))), "block of the first two checkpoints")
        #expect(svg.contains("data-block=\"2\""))
    }

    @Test func crossConfigurationChartsSayWhatTheyPoolAndWhoseTheDoubleDescentPeakIs() {
        let html = HTMLReport(model: sweepModel()).render()
        let comparisons = String(html[html.range(of: "<section id=\"comparisons\">")!.lowerBound...])
        #expect(comparisons.contains("One bar per configuration (arch · optimizer): the mean over its tasks, which pools seed {0, 1}"))
        #expect(comparisons.contains("±1 sample standard deviation over those seeds"))
        #expect(comparisons.contains("resnet18 · sgd (n=2)"))
        #expect(comparisons.contains("0.2000 ± 0.1414 (mean ± std over seeds, n = 2)"))
        #expect(comparisons.contains(">DD vit · adam · seed 1</text>"))
        #expect(comparisons.contains("Double-descent peaks (DD, each named by its configuration): vit · adam · seed 1 at epoch 3"))
        // Labels at the lines' ends, one per configuration, in each line chart.
        #expect(comparisons.components(separatedBy: "class=\"end-label\"").count - 1 == 2 * 4)
    }

    @Test func reportOfOneRunsEventsSaysWhereItCameFrom() throws {
        let lines = try runEvents(taps: ["block1"], epochs: 3, finished: true).map { try $0.jsonLine() }
        let model = try ReportModel.fromEventLines(lines.joined(separator: "\n"), title: "run.jsonl")
        let html = HTMLReport(model: model).render()
        #expect(html.contains("<tr data-fact=\"config\"><th>config</th><td>events of one run"))
        #expect(html.contains("epochs 0, 1, 2, 3") && html.contains("task devices: cpu (1)"))
    }

    @Test func headerDescribesTheSweepAndLegendsNameTheClasses() throws {
        let html = HTMLReport(model: sweepModel()).render()
        let header = try #require(html.firstMatch(of: /<header>[\s\S]*?<\/header>/).map { String($0.0) })
        func fact(_ key: String) -> String {
            header.firstMatch(of: try! Regex("data-fact=\"\(key)\"><th>[^<]*</th><td>([^<]*)</td>")).map {
                String($0.output[1].substring ?? "")
            } ?? ""
        }
        #expect(fact("dataset").contains("Fashion-MNIST (fashion-mnist): 1000 training and 1000 test images"))
        #expect(fact("dataset").contains("label noise 0.2 (2 of 10 training labels replaced by another class)"))
        #expect(fact("seeds") == "0, 1 (2 task(s) per configuration)")
        #expect(fact("grid").hasPrefix("arch {resnet18, vit} × optimizer {adam, sgd} × width {4, 32} × lr {0.002, 0.05}"))
        #expect(fact("grid").contains("8 tasks in 4 configurations"))
        #expect(fact("checkpoints").contains("epochs 0, 1, 2, 3, 4"))
        #expect(fact("strata").contains("Strata \(StrataVersion.string)") && fact("strata").contains("cores"))
        #expect(fact("machines").contains("task devices: cpu (8)"))
        #expect(header.contains("<details id=\"settings\">") && header.contains("<th>label_noise</th><td>0.2</td>"))
        #expect(header.contains("<th>nesterov</th><td>false</td>") && header.contains("<th>measure.probes</th><td>true</td>"))
        #expect(header.contains("<th>measure.kernels</th><td>[linear]</td>"))
        #expect(html.contains("0 T-shirt/top") && html.contains("9 Ankle boot"))
        #expect(HTMLReport(model: sweepModel(dataset: "cifar10")).render().contains("0 airplane"))
        #expect(ClassNames.of("cifar10").count == 10 && ClassNames.of("mnist")[7] == "digit 7")
    }
}
