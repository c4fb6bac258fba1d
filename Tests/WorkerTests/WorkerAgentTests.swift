import Testing

/// `strata worker` against a coordinator played by the test (a real ROUTER socket): what it announces,
/// how it numbers, keeps and replays a lease's messages, and how it stops. One suite, serialized: each
/// test runs a worker and its task processes, and the machine may have only two cores.
@Suite(.serialized, .timeLimit(.minutes(2)))
enum WorkerAgentTests {}
