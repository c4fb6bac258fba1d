import CZeroMQ

/// A libzmq context: the owner of I/O threads and sockets. Create one per process.
///
/// `@unchecked Sendable`: libzmq documents contexts as thread safe; only sockets are not.
public final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    /// A new context with `ioThreads` I/O threads.
    public init(ioThreads: Int32 = 1) {
        handle = zmq_ctx_new()
        zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads)
        zmq_ctx_set(handle, ZMQ_BLOCKY, 0)
    }

    deinit {
        zmq_ctx_term(handle)
    }
}
