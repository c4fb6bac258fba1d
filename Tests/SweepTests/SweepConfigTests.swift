import Foundation
import Sweep
import Testing

@Suite struct SweepConfigTests {
    static let good = """
        name: t
        kind: synthetic
        dataset: {name: fashion-mnist, train_size: 200}
        grid:
          arch: [mlp, cnn5]
          optimizer: [sgd, adam]
          width: [8, 16]
        seeds: [0, 1]
        overrides:
          optimizer:
            adam: {lr: 0.001}
          arch:
            mlp: {width: [64, 128, 256]}
        measure: {every: 2}
        execution: {retries: 1, heartbeat_ms: 500, heartbeat_timeout_ms: 1500}
        """

    @Test func gridExpandsWithOverrides() throws {
        let sweep = try SweepConfig.parse(yaml: Self.good, file: "t.yaml")
        // mlp: 2 optimizers × 3 widths × 2 seeds; cnn5: 2 × 2 × 2.
        #expect(sweep.tasks.count == 12 + 8)
        #expect(sweep.tasks.filter { $0.spec.arch == "mlp" }.map(\.spec.width).sorted().first == 64)
        #expect(sweep.tasks.filter { $0.spec.optimizer == "adam" }.allSatisfy { $0.spec.lr == 0.001 })
        #expect(sweep.tasks.filter { $0.spec.optimizer == "sgd" }.allSatisfy { $0.spec.lr == 0.01 })
        #expect(sweep.tasks.allSatisfy { $0.spec.trainSize == 200 && $0.spec.measure.every == 2 })
        #expect(sweep.execution.retries == 1 && sweep.execution.heartbeatMs == 500)
        #expect(Set(sweep.tasks.map(\.id)).count == sweep.tasks.count)
    }

    @Test func sameConfigGivesSameIDs() throws {
        let a = try SweepConfig.parse(yaml: Self.good, file: "a.yaml").tasks.map(\.id)
        let b = try SweepConfig.parse(yaml: Self.good, file: "b.yaml").tasks.map(\.id)
        #expect(a == b)
        let reordered = Self.good.replacingOccurrences(of: "kind: synthetic\n", with: "") + "\nkind: synthetic\n"
        #expect(try SweepConfig.parse(yaml: reordered, file: "c.yaml").tasks.map(\.id) == a)
    }

    @Test func smokeConfigParses() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let sweep = try SweepConfig.load(path: root.appendingPathComponent("configs/smoke.yaml").path)
        #expect(sweep.tasks.count == 8)
        #expect(sweep.tasks.allSatisfy { $0.spec.kind == .synthetic })
    }

    /// (config, line, column, key, text the message must contain)
    static let bad: [(String, Int, Int, String, String)] = [
        ("name: x\ngrid:\n  optimiser: [sgd]\n", 3, 3, "optimiser", "did you mean 'optimizer'"),
        ("name: x\nepochz: 3\n", 2, 1, "epochz", "did you mean 'epochs'"),
        ("name: x\ngrid:\n  optimizer: [sgd, rmsprop]\n", 3, 20, "optimizer", "'rmsprop' is not allowed"),
        ("name: x\nwidth: wide\n", 2, 8, "width", "expected an integer"),
        ("name: x\nlr: -0.1\n", 2, 5, "lr", "greater than 0"),
        ("name: x\nlabel_noise: 1.5\n", 2, 14, "label_noise", "between 0 and 1"),
        ("name: x\ngrid:\n  width: 8\n", 3, 10, "grid.width", "non-empty list"),
        ("name: x\nmeasure: {evry: 2}\n", 2, 11, "evry", "did you mean 'every'"),
        ("name: x\nexecution: {retries: two}\n", 2, 22, "retries", "expected an integer"),
        ("name: x\nexecution: {heartbeat_ms: 1000, heartbeat_timeout_ms: 500}\n", 2, 12,
         "execution.heartbeat_timeout_ms", "longer than heartbeat_ms"),
        ("name: x\ngrid: {optimizer: [sgd]}\noverrides:\n  optimizer:\n    adamw: {lr: 0.1}\n", 5, 5,
         "overrides.optimizer", "not a value of grid.optimizer"),
        ("name: x\ngrid: {width: [8]}\noverrides:\n  arch: {mlp: {width: 3}}\n", 4, 3, "arch", "unknown key"),
        ("epochs: 3\n", 1, 1, "name", "needs a 'name'"),
        ("name: x\ngrid: [1, 2]\n", 2, 7, "grid", "expected a mapping"),
        ("name: x\ngrid:\n  width: [8, 8]\n", 3, 3, "grid", "same task"),
        ("name: x\nnesterov: maybe\n", 2, 11, "nesterov", "true or false"),
        ("name: x\nseeds: [a]\n", 2, 9, "seed", "expected an integer"),
        ("name: x\ngrid: {width: [8\n", 3, 1, "", "YAML syntax"),
    ]

    @Test(arguments: bad.indices)
    func badConfigNamesFileLineColumnAndKey(_ i: Int) throws {
        let (yaml, line, column, key, text) = Self.bad[i]
        do {
            _ = try SweepConfig.parse(yaml: yaml, file: "bad.yaml")
            Issue.record("config \(i) parsed but should fail")
        } catch let error as ConfigError {
            #expect(error.file == "bad.yaml")
            #expect(error.line == line, "\(error)")
            #expect(error.column == column, "\(error)")
            #expect(error.key == key, "\(error)")
            #expect(error.description.contains(text), "\(error)")
        }
    }

    @Test func allowedValuesAreListed() throws {
        do {
            _ = try SweepConfig.parse(yaml: "name: x\narch: lstm\n", file: "f.yaml")
            Issue.record("should fail")
        } catch let error as ConfigError {
            #expect(error.allowed == ["mlp", "cnn5", "resnet18", "vit"])
            #expect(error.description.contains("allowed: mlp, cnn5, resnet18, vit"))
        }
    }
}
