/// One task of a sweep as the claims see it: its labels and per-task numbers, nothing else, so that the
/// verdicts are a pure function of plain values.
public struct ClaimTask: Sendable, Equatable {
    /// The task's id in the store.
    public var id: String
    /// A short name for notes, e.g. `vit · sgd · seed 2`.
    public var label: String
    /// `vit`, `resnet18`, `cnn5`, `mlp`.
    public var arch: String
    /// `sgd`, `adam`, `adamw`.
    public var optimizer: String
    /// `done`, `failed`, `diverged`, `running` or `pending`: only `done` tasks count.
    public var state: String
    /// Whether the task reached perfect fitting of its training labels.
    public var reachedPerfectFit: Bool
    /// Whether its test error shows an epoch-wise double descent.
    public var doubleDescent: Bool
    /// Claim 1: mean CKA evolution of the deepest third of taps minus that of the shallowest third.
    public var depthGap: Double?
    /// Claim 2: mean over encoder blocks of the distance from the perfect-fit epoch to the nearest late phase
    /// boundary, as a fraction of the run's epochs.
    public var perfectFitDistance: Double?
    /// Claim 2: the same distance from the control epoch, halfway from the perfect-fit epoch to the last.
    public var controlDistance: Double?
    /// Claim 3: mean over taps of the late phases' distinguishability.
    public var distinguishability: Double?
    /// Claim 4: the phase synchrony of the task's taps (higher: more synchronized).
    public var phaseSynchrony: Double?

    /// Creates a task from its values; a finished task that fitted, without scores, unless told otherwise.
    public init(id: String, label: String? = nil, arch: String, optimizer: String, state: String = "done",
                reachedPerfectFit: Bool = true, doubleDescent: Bool = false, depthGap: Double? = nil,
                perfectFitDistance: Double? = nil, controlDistance: Double? = nil, distinguishability: Double? = nil,
                phaseSynchrony: Double? = nil)
    {
        (self.id, self.label, self.arch, self.optimizer, self.state) = (id, label ?? id, arch, optimizer, state)
        (self.reachedPerfectFit, self.doubleDescent, self.depthGap) = (reachedPerfectFit, doubleDescent, depthGap)
        (self.perfectFitDistance, self.controlDistance) = (perfectFitDistance, controlDistance)
        (self.distinguishability, self.phaseSynchrony) = (distinguishability, phaseSynchrony)
    }

    /// Whether the task finished (neither failed, diverged nor still to run).
    public var isDone: Bool { state == "done" }
}
