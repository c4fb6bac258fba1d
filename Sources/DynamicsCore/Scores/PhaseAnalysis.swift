/// Phases of one tap found twice: over all checkpoints, and after skipping the first few, whose jump away
/// from initialization otherwise dominates the segmentation (docs/DYNAMICS.md, "Derived scores").
public struct PhaseAnalysis: Sendable, Equatable {
    /// Phases over every checkpoint.
    public var all: Phases
    /// Phases over the checkpoints after the first `skipped`.
    public var late: Phases
    /// How many leading checkpoints `late` leaves out.
    public var skipped: Int

    /// Segments a T×T similarity matrix both ways.
    public init(similarity s: [[Double]], epochs: [Int], skipFirst: Int = 3,
                options: Phases.Options = Phases.Options()) throws
    {
        all = try Phases(similarity: s, epochs: epochs, options: options)
        skipped = min(max(0, skipFirst), s.count)
        late = try Phases(similarity: s, epochs: epochs, skipping: skipped, options: options)
    }
}
