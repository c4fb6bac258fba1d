import Sweep

/// Row `index` of a T×T similarity matrix for every tap: the checkpoint at `epoch` against checkpoints
/// 0…index (whose epochs are `epochs`). It is the trainer's `similarity` event itself (one type for the
/// trackers, the event, its encoder and the store), and the rows of a `regions` event.
public typealias SimilarityRow = TrainingEvent.MatrixRow
