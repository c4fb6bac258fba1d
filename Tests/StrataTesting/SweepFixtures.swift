/// Sweep configs more than one test target runs.
public enum SweepFixtures {
    /// One task the config accepts and the trainer refuses (exit 65, not retried): CKA needs at least 4 measured
    /// examples, and this asks for 2.
    public static let unworkableTask = """
        name: invalid
        dataset: {name: synthetic, train_size: 40, test_size: 20}
        arch: mlp
        width: 8
        epochs: 1
        measure: {examples: 2, planes: 0}
        """
}
