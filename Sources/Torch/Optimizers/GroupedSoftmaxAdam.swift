import CTorch

extension Functional {
    /// Trains grouped multinomial logistic regressions together with full-batch Adam, in place (the linear
    /// probes of every tap at once; float32, on the weights' device). `flat` holds every weight; `weights[k]` (taps × classes × d)
    /// are views of it that tile it in order; `inputs[k]` are the group's features as taps × d × n and
    /// `scaled[k]` the same as taps × n × d divided by n; `targets` are the one-hot labels as classes × n. The
    /// update is libtorch's Adam (weight decay added to the gradient); the loop runs in the shim without
    /// allocating.
    public static func groupedSoftmaxAdam(flat: Tensor, weights: [Tensor], inputs: [Tensor], scaled: [Tensor],
                                          targets: Tensor, steps: Int, learningRate: Double, weightDecay: Double,
                                          beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8) throws
    {
        guard weights.count == inputs.count, weights.count == scaled.count else {
            throw TorchError(operation: "grouped_softmax_adam", message: "weights, inputs and scaled differ in count")
        }
        var w: [ct_tensor?] = weights.map(\.handle), z: [ct_tensor?] = inputs.map(\.handle)
        var s: [ct_tensor?] = scaled.map(\.handle)
        let status = withExtendedLifetime((weights, inputs, scaled)) {
            ct_grouped_softmax_adam(flat.handle, &w, &z, &s, Int32(weights.count), targets.handle, Int32(steps),
                                    learningRate, weightDecay, beta1, beta2, eps)
        }
        guard status == 0 else { throw TorchError.last("grouped_softmax_adam") }
    }
}
