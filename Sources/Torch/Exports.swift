// `SplitMix64` lives in SeededRandom (no libtorch, so that the report can use it); `import Torch` still brings it.
@_exported import SeededRandom
