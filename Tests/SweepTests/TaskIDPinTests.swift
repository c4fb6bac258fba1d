import Foundation
@testable import Sweep
import Testing

/// Task ids are hashes of the canonical spec: a sweep resumes by finding its tasks' ids in the store, so the same
/// config must give the same ids, labels and specs byte for byte in every version. These figures were taken from
/// `strata validate --json` before grid expansion stopped going through JSON per grid point; a change here
/// breaks resuming every existing sweep.
@Suite struct TaskIDPinTests {
    /// Every kind of value: a dataset block, integers and numbers (an exponent, a negative seed, a whole number
    /// as an `lr`), booleans, lists in blocks, overrides that fix keys and that sweep.
    static let mixed = """
        name: pins
        dataset: {name: mnist, data_dir: /data/mnist dir, train_size: 300, test_size: 0, label_noise: 0.15, augment: off}
        epochs: 7
        momentum: 0.85
        nesterov: true
        weight_decay: 5e-4
        schedule: cosine
        warmup: 2
        device: auto
        grid:
          arch: [mlp, vit, resnet18]
          optimizer: [sgd, adamw]
          lr: [0.1, 1e-05, 3]
        seeds: [0, -7]
        overrides:
          arch:
            mlp: {width: [64, 1000], depth: 3}
            vit: {width: 96, heads: 3, patch: 7}
          optimizer:
            adamw: {weight_decay: 0.05, measure.kernels: [rbf, debiased, linear]}
        measure: {log: 9, at: [0, 3, 5], examples: 256, probes: false, probe_clean_labels: true, picture_range: 0.25, resolution: 40}
        """

    /// Synthetic tasks, `measure: false`, a nested grid axis.
    static let synthetic = """
        name: pins-synthetic
        kind: synthetic
        measure: false
        threads: 3
        checkpoint_every: 4
        batch_size: 32
        synthetic: {events: 12, pace_ms: 5, crash_at: 3, payload_bytes: 1000}
        grid:
          width: [1, 2, 3]
          synthetic.hang_at: [-1, 2]
          label_noise: [0, 0.5, 1]
        """

    /// configs/quick.yaml as it was when the ids were pinned.
    static let quick = """
        name: quick
        dataset: {name: fashion-mnist, train_size: 300, test_size: 300}
        label_noise: 0.2
        batch_size: 32
        epochs: 30
        grid:
          arch: [resnet18, vit]
          optimizer: [sgd, adam]
        overrides:
          arch:
            resnet18: {width: [4, 8]}
            vit: {width: [32, 64], depth: 2}
          optimizer:
            sgd: {lr: 0.05}
            adam: {lr: 0.002}
        measure: {log: 10, examples: 200, probe_train: 200, probe_test: 100, planes: 1, resolution: 20, pictures: 1}
        execution: {retries: 1, task_timeout_s: 600}
        """

    /// FNV-1a (64 bits) of every task's `id label spec` line: one figure for the whole expansion.
    static func digest(_ sweep: SweepConfig) throws -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for task in sweep.tasks {
            for byte in "\(task.id) \(task.label) \(try PlannedTask.canonicalJSON(task.spec))\n".utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    @Test func mixedValuesKeepTheirIDs() throws {
        let sweep = try SweepConfig.parse(yaml: Self.mixed, file: "pins.yaml")
        #expect(sweep.tasks.count == 48)
        #expect(sweep.tasks.prefix(2).map(\.id) == ["t1c9ef45a8bcbc093", "t2fbe5600ea3a5a4e"])
        #expect(sweep.tasks[0].label == "arch=mlp depth=3 optimizer=sgd lr=0.1 seed=0 width=64")
        #expect(try PlannedTask.canonicalJSON(sweep.tasks[0].spec) == """
            {"arch":"mlp","augment":"off","batch_size":128,"checkpoint_every":0,"data_dir":"/data/mnist dir",\
            "dataset":"mnist","depth":3,"device":"auto","epochs":7,"heads":0,"kind":"train","label_noise":0.15,\
            "lr":0.1,"measure":{"at":[0,3,5],"enabled":true,"every":1,"examples":256,"kernels":["linear"],"log":9,\
            "picture_range":0.25,"pictures":2,"planes":4,"probe_clean_labels":true,"probe_test":500,\
            "probe_train":500,"probes":false,"resolution":40},"momentum":0.85,"nesterov":true,"optimizer":"sgd",\
            "patch":4,"schedule":"cosine","seed":0,"synthetic":{"crash_at":-1,"diverge_at":-1,"events":10,\
            "hang_at":-1,"pace_ms":0,"payload_bytes":0},"test_size":0,"threads":0,"train_size":300,"warmup":2,\
            "weight_decay":0.0005,"width":64}
            """)
        let adamw = try #require(sweep.tasks.dropFirst(16).first)
        #expect(adamw.id == "t60fc064d26ccb76d")
        #expect(adamw.label == "arch=mlp depth=3 optimizer=adamw weight_decay=0.05 "
                    + "measure.kernels=[rbf,debiased,linear] lr=1e-05 seed=0 width=64")
        #expect(adamw.spec.lr == 1e-05 && adamw.spec.measure.kernels == ["rbf", "debiased", "linear"])
        #expect(sweep.tasks[39].id == "tb006c77cfa20cde5")
        #expect(sweep.tasks[39].label == "arch=resnet18 optimizer=sgd lr=1e-05 seed=-7")
        #expect(try Self.digest(sweep) == "4575e47db386ce66")
    }

    @Test func syntheticTasksKeepTheirIDs() throws {
        let sweep = try SweepConfig.parse(yaml: Self.synthetic, file: "pins-synthetic.yaml")
        #expect(sweep.tasks.count == 18)
        #expect(sweep.tasks.prefix(2).map(\.id) == ["t0e7dc5fb11d52e77", "t1a69a8696d731dfa"])
        #expect(sweep.tasks[1].label == "width=1 synthetic.hang_at=-1 label_noise=0.5")
        #expect(try Self.digest(sweep) == "96a1448fcce350ed")
    }

    @Test func quickConfigKeepsItsIDs() throws {
        let sweep = try SweepConfig.parse(yaml: Self.quick, file: "quick.yaml")
        #expect(sweep.tasks.count == 8)
        #expect(sweep.tasks.prefix(2).map(\.id) == ["t00d99174416170eb", "t00b09174413e6bd7"])
        #expect(try Self.digest(sweep) == "2867dd2659b901d3")
    }

    /// Every key a config may set has a typed setter, and it gives what decoding the value as JSON gives.
    @Test func typedSettersAgreeWithJSON() throws {
        let keys = ConfigParser.taskTypes.filter { $0.value != .block }.map(\.key)
            + ConfigParser.measureTypes.keys.map { "measure.\($0)" }
            + ConfigParser.syntheticTypes.keys.map { "synthetic.\($0)" }
        let samples: [ValueType: [Any]] = [
            .int: [0, 7, -3], .double: [0.0, 0.1, 1e-05, 3.0, 0.30000000000000004], .bool: [true, false],
            .intList: [[Int](), [0, 5, 9]], .stringList: [["rbf", "linear"]],
        ]
        for key in keys.sorted() {
            let type = try #require(ConfigParser(file: "").type(of: key))
            let values: [Any] = key == "kind" ? ["synthetic", "train"] : key == "augment" ? ["on", "off"]
                : samples[type] ?? ["some text/with \"quotes\""]
            for value in values {
                var typed = TaskSpec.defaults
                let assigned = typed.assign(key, value)
                #expect(assigned, "no setter for \(key)")
                var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(TaskSpec.defaults))
                    as! [String: Any]
                let parts = key.split(separator: ".").map(String.init)
                if parts.count == 2 {
                    var block = object[parts[0]] as! [String: Any]
                    block[parts[1]] = value
                    object[parts[0]] = block
                } else {
                    object[key] = value
                }
                let decoded = try JSONDecoder().decode(TaskSpec.self,
                                                       from: JSONSerialization.data(withJSONObject: object))
                #expect(typed == decoded, "\(key) = \(value)")
            }
        }
        var spec = TaskSpec.defaults
        let refused = [spec.assign("epochs", "ten"), spec.assign("kind", "other"), spec.assign("nope", 1)]
        #expect(refused == [false, false, false])
    }
}
