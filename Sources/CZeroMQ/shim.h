// The libzmq C API, as a system-library module (pkg-config: libzmq).
#include <zmq.h>
