import DynamicsCore

extension ClaimTask {
    /// The CKA kind the claims use.
    public static let kind = "cka_linear"

    /// The claims' values of one task of a report, from its derived scores, taps and CKA matrices.
    public init(report t: TaskReport) {
        let kind = Self.kind
        self.init(id: t.id, label: t.label, arch: t.spec.arch, optimizer: t.spec.optimizer, state: t.state,
                  reachedPerfectFit: t.perfectFitEpoch != nil, doubleDescent: t.scores["double_descent.height"] != nil)
        depthGap = Self.depthGap(t.taps.compactMap { t.scores["\(kind).evolution_mean.\($0)"] })
        distinguishability = Self.mean(t.taps.compactMap { t.scores["\(kind).distinguishability_late.\($0)"] })
        phaseSynchrony = t.scores["\(kind).phase_synchrony"] ?? Self.phaseSynchrony(t)
        if t.spec.arch == "vit", let pf = t.perfectFitEpoch {
            (perfectFitDistance, controlDistance) = Self.transitionDistances(t, perfectFit: pf)
        }
    }

    /// The phase synchrony of a task whose run predates that score, from its stored CKA matrices (the score the
    /// trainer now computes at the end of a run, from the same matrices); nil when they are missing or partial.
    static func phaseSynchrony(_ t: TaskReport) -> Double? {
        let matrices = t.taps.compactMap { t.similarity[kind]?[$0] }
        guard matrices.count == t.taps.count, let size = matrices.first?.count,
              matrices.allSatisfy({ $0.count == size && $0.epochs.count >= size })
        else { return nil }
        let squares = matrices.map(\.square)
        guard squares.allSatisfy({ $0.allSatisfy { $0.allSatisfy(\.isFinite) } }) else { return nil }
        return (try? Synchrony.phaseSynchrony(squares)) ?? nil
    }

    /// Mean of the deepest third of `values` (in depth order) minus the mean of the shallowest third; nil with
    /// fewer than two values.
    static func depthGap(_ values: [Double]) -> Double? {
        guard values.count >= 2 else { return nil }
        let third = max(1, values.count / 3)
        return mean(Array(values.suffix(third)))! - mean(Array(values.prefix(third)))!
    }

    static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// Mean over the `block…` taps of the distance from the perfect-fit epoch, and from the control epoch (halfway
    /// from it to the last epoch), to the tap's nearest late phase boundary, both over the run's length in
    /// epochs. The boundaries are those of the derived scores: `PhaseAnalysis` after the first 3 checkpoints.
    static func transitionDistances(_ t: TaskReport, perfectFit pf: Int) -> (Double?, Double?) {
        let last = t.epochs.last?.epoch ?? t.spec.epochs
        let control = Double(pf + last) / 2
        let length = Double(max(1, last))
        var atFit: [Double] = [], atControl: [Double] = []
        for tap in t.taps where tap.hasPrefix("block") {
            guard let matrix = t.similarity[kind]?[tap], matrix.count >= 2, matrix.epochs.count >= matrix.count
            else { continue }
            let square = matrix.square
            let epochs = Array(matrix.epochs.prefix(matrix.count))
            guard square.allSatisfy({ $0.allSatisfy(\.isFinite) }),
                  let phases = try? PhaseAnalysis(similarity: square, epochs: epochs, skipFirst: 3),
                  !phases.late.boundaryEpochs.isEmpty
            else { continue }
            let boundaries = phases.late.boundaryEpochs.map(Double.init)
            let fit = t.scores["\(kind).perfect_fit_distance.\(tap)"]
                ?? boundaries.map { abs($0 - Double(pf)) }.min()!
            atFit.append(fit / length)
            atControl.append(boundaries.map { abs($0 - control) }.min()! / length)
        }
        return (mean(atFit), mean(atControl))
    }
}
