import CTorch
import Foundation

/// Saves and restores everything needed to resume training exactly: the module's parameters
/// and buffers, the optimizer state, libtorch's default generator (dropout) and any extra
/// named tensors (for example a data-order generator's state).
public enum Checkpoint {
    static let modelFile = "model.pt"
    static let optimizerFile = "optimizer.pt"
    static let extraFile = "extra.pt"

    /// Writes the checkpoint into `directory` (created if needed), replacing what was there.
    public static func save(module: Module, optimizer: Optimizer?, extra: [String: Tensor] = [:],
                            to directory: URL) throws
    {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let state = module.stateDict()
        try saveTensors(state, to: directory.appendingPathComponent(modelFile).path)
        if let optimizer { try optimizer.save(to: directory.appendingPathComponent(optimizerFile).path) }
        var extras = extra.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        extras.append(("torch.default_generator", try Generator.defaultState()))
        try saveTensors(extras, to: directory.appendingPathComponent(extraFile).path)
    }

    /// Restores a checkpoint into `module` and `optimizer`, returning the extra tensors named in `extraNames`.
    @discardableResult
    public static func restore(module: Module, optimizer: Optimizer?, extraNames: [String] = [],
                               from directory: URL) throws -> [String: Tensor]
    {
        let names = module.stateDict().map(\.0)
        let values = try loadTensors(names, from: directory.appendingPathComponent(modelFile).path)
        try module.load(state: Dictionary(uniqueKeysWithValues: zip(names, values)))
        if let optimizer { try optimizer.load(from: directory.appendingPathComponent(optimizerFile).path) }
        let extraPath = directory.appendingPathComponent(extraFile).path
        let loaded = try loadTensors(extraNames + ["torch.default_generator"], from: extraPath)
        try Generator.restoreDefault(loaded.last!)
        return Dictionary(uniqueKeysWithValues: zip(extraNames, loaded))
    }

    /// Writes named tensors to one file in libtorch's archive format.
    public static func saveTensors(_ tensors: [(String, Tensor)], to path: String) throws {
        try withCStrings(tensors.map(\.0)) { names in
            var handles = tensors.map { Optional($0.1.handle) }
            try check(ct_save(path, names, handles.withUnsafeMutableBufferPointer { $0.baseAddress! },
                              Int32(tensors.count)), "save \(path)")
        }
    }

    /// Reads the named tensors from a file written by `saveTensors`.
    public static func loadTensors(_ names: [String], from path: String) throws -> [Tensor] {
        var out = [ct_tensor?](repeating: nil, count: names.count)
        try withCStrings(names) { cnames in
            try check(ct_load(path, cnames, Int32(names.count), &out), "load \(path)")
        }
        return out.map { Tensor(handle: $0!) }
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) throws -> R)
        rethrows -> R
    {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { UnsafePointer<CChar>($0) }
        return try pointers.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }
}
