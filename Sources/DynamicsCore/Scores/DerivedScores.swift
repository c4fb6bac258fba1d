/// The derived scores of a finished run by name, as the trainer's final summary carries them.
///
/// Names: `<kind>.evolution.<tap>`, `<kind>.evolution_mean.<tap>`, `<kind>.phases.<tap>` (k),
/// `<kind>.distinguishability.<tap>`, `<kind>.phases_late.<tap>`, `<kind>.distinguishability_late.<tap>`,
/// `<kind>.first_boundary_epoch.<tap>` and `…_late`, `<kind>.perfect_fit_distance.<tap>` (late phases),
/// `<kind>.phase_synchrony` (the taps' late, lag-detrended matrices correlated; for claims about synchrony),
/// `<kind>.synchrony` (velocity correlation, kept for continuity: the common early movement fools it),
/// `<kind>.boundary_spread` (late phases, epochs); and `double_descent.height`, `double_descent.peak_epoch` when a
/// test-error curve shows one. Definitions: docs/DYNAMICS.md.
public enum DerivedScores {
    /// Scores of one kind of matrix (`cka_linear`, `regions`, …) over taps (each matrix over the checkpoint
    /// `epochs`), plus the double-descent scores of the per-epoch test error when given.
    public static func scores(kind: String, matrices: [(tap: String, similarity: [[Double]])], epochs: [Int],
                              perfectFitEpoch: Int? = nil, testError: [(epoch: Int, error: Double)] = [],
                              skipFirst: Int = 3,
                              options: Phases.Options = Phases.Options(), doubleDescentThreshold: Double = 0.02)
        throws -> [String: Double]
    {
        var out: [String: Double] = [:]
        var velocities: [[Double]] = []
        var lateBoundaries: [[Int]] = []
        var similarities: [[[Double]]] = []
        for (tap, s) in matrices where s.count >= 2 {
            let evolution = try Evolution(similarity: s)
            out["\(kind).evolution.\(tap)"] = evolution.firstToLast
            out["\(kind).evolution_mean.\(tap)"] = evolution.meanDissimilarity
            let phases = try PhaseAnalysis(similarity: s, epochs: epochs, skipFirst: skipFirst, options: options)
            out["\(kind).phases.\(tap)"] = Double(phases.all.segments.count)
            out["\(kind).distinguishability.\(tap)"] = phases.all.distinguishability
            out["\(kind).phases_late.\(tap)"] = Double(phases.late.segments.count)
            out["\(kind).distinguishability_late.\(tap)"] = phases.late.distinguishability
            if let b = phases.all.boundaryEpochs.first { out["\(kind).first_boundary_epoch.\(tap)"] = Double(b) }
            if let b = phases.late.boundaryEpochs.first { out["\(kind).first_boundary_epoch_late.\(tap)"] = Double(b) }
            if let pf = perfectFitEpoch, let d = phases.late.distance(toEpoch: pf) {
                out["\(kind).perfect_fit_distance.\(tap)"] = Double(d)
            }
            velocities.append(try Velocity.curve(similarity: s, epochs: epochs))
            lateBoundaries.append(phases.late.boundaryEpochs)
            similarities.append(s)
        }
        if let r = try Synchrony.velocityCorrelation(velocities) { out["\(kind).synchrony"] = r }
        if let r = try Synchrony.phaseSynchrony(similarities, skipping: skipFirst) {
            out["\(kind).phase_synchrony"] = r
        }
        if let spread = Synchrony.boundarySpread(lateBoundaries) { out["\(kind).boundary_spread"] = spread }
        if let dd = try DoubleDescent.detect(epochs: testError.map(\.epoch), testError: testError.map(\.error),
                                             threshold: doubleDescentThreshold)
        {
            out["double_descent.height"] = dd.height
            out["double_descent.peak_epoch"] = Double(dd.peakEpoch)
        }
        return out
    }
}
