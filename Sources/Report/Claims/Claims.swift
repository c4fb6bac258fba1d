/// The verdicts of a sweep on the paper's four claims: a pure function of its tasks' values.
public enum Claims {
    /// The four results, in order, for the tasks of a report.
    public static func evaluate(_ model: ReportModel, bootstrap: Bootstrap = Bootstrap()) -> [ClaimResult] {
        evaluate(model.tasks.map(ClaimTask.init(report:)), bootstrap: bootstrap)
    }

    /// The four results, in order. Only `done` tasks count; the others are named in the notes as left out.
    public static func evaluate(_ tasks: [ClaimTask], bootstrap: Bootstrap = Bootstrap()) -> [ClaimResult] {
        [depthAndDoubleDescent(tasks, bootstrap), vitPerfectFitTransition(tasks, bootstrap),
         distinguishability(tasks, bootstrap), synchrony(tasks, bootstrap)]
    }

    /// Claim 1: the depth gap of tasks with a double descent minus that of tasks without.
    static func depthAndDoubleDescent(_ tasks: [ClaimTask], _ bootstrap: Bootstrap) -> ClaimResult {
        let claim = Claim.all[0]
        let names = ["with double descent", "without"]
        let done = tasks.filter(\.isDone)
        var extra = [leftOut(tasks)]
        guard !done.isEmpty else {
            return .notMeasured(claim, groups: names, because: "no task has finished", extra: extra)
        }
        extra.insert(withoutScore(done, "CKA evolution scores", \.depthGap), at: 0)
        var comparison = ClaimComparison.unpaired(
            "with − without", (names[0], done.filter(\.doubleDescent).compactMap(\.depthGap)),
            (names[1], done.filter { !$0.doubleDescent }.compactMap(\.depthGap)), bootstrap: bootstrap)
        // The groups' sizes stay in the result when one is empty; the note says why in the claim's words.
        if !done.contains(where: \.doubleDescent) {
            comparison.note = "no task shows an epoch-wise double descent"
        } else if !done.contains(where: { !$0.doubleDescent }) {
            comparison.note = "every task shows an epoch-wise double descent: none to compare against"
        }
        return ClaimResult(claim: claim, comparison: comparison, extra: extra)
    }

    /// Claim 2: for ViT tasks that fitted, the distance to the nearest phase boundary from a control epoch minus
    /// that from the perfect-fit epoch (paired per task).
    static func vitPerfectFitTransition(_ tasks: [ClaimTask], _ bootstrap: Bootstrap) -> ClaimResult {
        let claim = Claim.all[1]
        let names = ["at control epoch", "at perfect fit"]
        let vit = tasks.filter { $0.arch == "vit" }
        let extra = [leftOut(vit)]
        let fitted: [ClaimTask]
        switch population(vit, "vit") {
        case .failure(let reason): return .notMeasured(claim, groups: names, because: reason.text, extra: extra)
        case .success(let tasks): fitted = tasks
        }
        let pairs = fitted.compactMap { t in t.controlDistance.flatMap { c in t.perfectFitDistance.map { (c, $0) } } }
        let unfitted = neverFitted(vit)
        guard !pairs.isEmpty else {
            return .notMeasured(claim, groups: names, because: "no vit task that fitted has a late CKA phase "
                                    + "boundary in its encoder blocks", extra: [unfitted] + extra)
        }
        let noBoundary = withoutScore(fitted, "late phase boundaries in their blocks") { t in
            t.controlDistance == nil ? nil : t.perfectFitDistance
        }
        let comparison = ClaimComparison.paired("control − perfect fit", first: names[0], second: names[1],
                                                pairs: pairs, bootstrap: bootstrap)
        return ClaimResult(claim: claim, comparison: comparison, extra: [unfitted, noBoundary] + extra)
    }

    /// Claim 3: distinguishability, sgd − adam and vit − resnet18; supported only if both are.
    static func distinguishability(_ tasks: [ClaimTask], _ bootstrap: Bootstrap) -> ClaimResult {
        let claim = Claim.all[2]
        let optimizers = compare(tasks, \.optimizer, "sgd", "adam", "distinguishability scores",
                                 \.distinguishability, bootstrap)
        let architectures = compare(tasks, \.arch, "vit", "resnet18", "distinguishability scores",
                                    \.distinguishability, bootstrap)
        let parts = [optimizers.comparison, architectures.comparison]
        let verdicts = parts.map(\.verdict)
        let verdict: ClaimVerdict
        if verdicts.contains(.contradicted) { verdict = .contradicted }
        else if verdicts.contains(.notMeasured) { verdict = .notMeasured }
        else if verdicts.allSatisfy({ $0 == .supported }) { verdict = .supported }
        else { verdict = .inconclusive }
        let used = Set(optimizers.used + architectures.used)
        let summaries = parts.map { p -> String in
            let numbers = p.difference.map { d in
                " " + ClaimFormat.signed(d) + (p.interval.map { " " + ClaimFormat.interval($0) } ?? "")
            } ?? ""
            return "\(p.name)\(numbers): \(p.verdict.rawValue) (\(p.note))"
        }
        let population = tasks.filter {
            ["sgd", "adam"].contains($0.optimizer) || ["vit", "resnet18"].contains($0.arch)
        }
        let extra = notes(population, "distinguishability scores", \.distinguishability)
        return ClaimResult(claim: claim, verdict: verdict, groups: parts.flatMap(\.groups), difference: nil,
                           interval: nil, n: used.count, note: ClaimResult.sentences(summaries + extra), parts: parts)
    }

    /// Claim 4: phase synchrony, vit − resnet18.
    static func synchrony(_ tasks: [ClaimTask], _ bootstrap: Bootstrap) -> ClaimResult {
        let claim = Claim.all[3]
        let result = compare(tasks, \.arch, "vit", "resnet18", "the phase_synchrony score", \.phaseSynchrony,
                             bootstrap)
        let finished = tasks.filter(\.isDone)
        let population = tasks.filter { ["vit", "resnet18"].contains($0.arch) }
        if !finished.isEmpty, !finished.contains(where: { $0.phaseSynchrony != nil }) {
            return .notMeasured(claim, groups: ["vit", "resnet18"],
                                because: "the sweep predates the phase_synchrony score (cka_linear.phase_synchrony): "
                                    + "no finished task carries it; run the tasks again with a Strata that "
                                    + "computes it",
                                extra: (result.measured ? [] : [result.comparison.note]) + [leftOut(population)])
        }
        return ClaimResult(claim: claim, comparison: result.comparison,
                           extra: notes(population, "the phase_synchrony score", \.phaseSynchrony))
    }

    /// What `compare` found: the comparison, the ids of the tasks used, and whether both groups had fitted
    /// tasks (so that a missing score is the only reason left for not measuring).
    struct Found {
        var comparison: ClaimComparison
        var used: [String]
        var measured: Bool
    }

    /// What a comparison over `population` left out: fitted tasks without the score, finished tasks that never
    /// fitted, and tasks that did not finish.
    static func notes(_ population: [ClaimTask], _ scoreName: String, _ value: (ClaimTask) -> Double?) -> [String] {
        [withoutScore(population.filter { $0.isDone && $0.reachedPerfectFit }, scoreName, value),
         neverFitted(population), leftOut(population)]
    }

    /// The fitted, finished tasks whose `key` is `first` against those whose `key` is `second`.
    static func compare(_ tasks: [ClaimTask], _ key: KeyPath<ClaimTask, String>, _ first: String, _ second: String,
                        _ scoreName: String, _ value: (ClaimTask) -> Double?, _ bootstrap: Bootstrap) -> Found
    {
        let name = "\(first) − \(second)"
        let population = tasks.filter { [first, second].contains($0[keyPath: key]) }
        var groups: [[ClaimTask]] = []
        for group in [first, second] {
            switch Self.population(population.filter { $0[keyPath: key] == group }, group) {
            case .failure(let reason):
                return Found(comparison: .notMeasured(name, groups: [first, second], because: reason.text),
                             used: [], measured: false)
            case .success(let fitted): groups.append(fitted)
            }
        }
        let fitted = groups.flatMap { $0 }
        let values = groups.map { $0.compactMap(value) }
        if values.allSatisfy(\.isEmpty) {
            return Found(comparison: .notMeasured(name, groups: [first, second],
                                                  because: "no task that fitted has \(scoreName)"),
                         used: [], measured: true)
        }
        let comparison = ClaimComparison.unpaired(name, (first, values[0]), (second, values[1]), bootstrap: bootstrap)
        return Found(comparison: comparison, used: fitted.filter { value($0) != nil }.map(\.id), measured: true)
    }

    /// A reason a comparison cannot be made.
    struct Reason: Error {
        var text: String
    }

    /// The finished tasks of one group that reached perfect fitting, or why there are none.
    static func population(_ tasks: [ClaimTask], _ group: String) -> Result<[ClaimTask], Reason> {
        guard !tasks.isEmpty else { return .failure(Reason(text: "the sweep has no \(group) task")) }
        let done = tasks.filter(\.isDone)
        guard !done.isEmpty else { return .failure(Reason(text: "no \(group) task has finished")) }
        let fitted = done.filter(\.reachedPerfectFit)
        guard !fitted.isEmpty else {
            return .failure(Reason(text: done.count == 1
                ? "the only finished \(group) task never reached perfect fitting"
                : "none of the \(done.count) finished \(group) tasks reached perfect fitting"))
        }
        return .success(fitted)
    }

    /// `left out: 1 failed task (…), 2 diverged tasks (…)` for the tasks that did not finish; empty when all did.
    static func leftOut(_ tasks: [ClaimTask]) -> String {
        let order = ["failed", "diverged", "running", "pending"]
        let byState = Dictionary(grouping: tasks.filter { !$0.isDone }, by: \.state)
        guard !byState.isEmpty else { return "" }
        let parts = byState.keys.sorted { (order.firstIndex(of: $0) ?? 9, $0) < (order.firstIndex(of: $1) ?? 9, $1) }
            .map { state in
                let list = byState[state]!
                let shown = list.prefix(5).map(\.label).joined(separator: "; ") + (list.count > 5 ? "; …" : "")
                return "\(list.count) \(state == "running" || state == "pending" ? "unfinished (\(state))" : state) "
                    + "task\(list.count == 1 ? "" : "s") (\(shown))"
            }
        return "left out: " + parts.joined(separator: ", ")
    }

    /// `left out: 3 finished tasks that never reached perfect fitting`; empty when none.
    static func neverFitted(_ tasks: [ClaimTask]) -> String {
        let count = tasks.filter { $0.isDone && !$0.reachedPerfectFit }.count
        return count == 0 ? "" : "left out: \(count) finished task\(count == 1 ? "" : "s") that never reached "
            + "perfect fitting"
    }

    /// `left out: 2 tasks without SCORE`; empty when every task has it.
    static func withoutScore(_ tasks: [ClaimTask], _ scoreName: String, _ value: (ClaimTask) -> Double?) -> String {
        let count = tasks.filter { value($0) == nil }.count
        return count == 0 ? "" : "left out: \(count) task\(count == 1 ? "" : "s") without \(scoreName)"
    }
}

