import Foundation
import Sweep
import Testing
import Worker

/// An in-process worker reads a synthetic task's settings by a flat scan of the spec the coordinator sends.
@Suite struct SyntheticSpecTests {
    @Test func theSettingsAreThoseTheSpecSays() throws {
        var spec = TaskSpec()
        spec.kind = .synthetic
        spec.lr = 0.25
        spec.synthetic.events = 7
        spec.synthetic.divergeAt = 3
        spec.synthetic.payloadBytes = 64
        spec.synthetic.paceMs = 5
        let read = try #require(SyntheticTask.spec(json: Array(try JSONEncoder().encode(spec))))
        #expect(read.kind == .synthetic && read.lr == 0.25 && read.synthetic == spec.synthetic)
        var training = TaskSpec()
        training.kind = .train
        #expect(SyntheticTask.spec(json: Array(try JSONEncoder().encode(training))) == nil)
        #expect(SyntheticTask.spec(json: Array("not json".utf8)) == nil)
    }
}
