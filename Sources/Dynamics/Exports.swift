// The parts of Dynamics that need no libtorch (scores, similarity rows, .npy arrays) live in DynamicsCore, so that
// the report and the lean `strata` use them without loading libtorch; `import Dynamics` still brings them.
@_exported import DynamicsCore
