/// One of the four claims of Sharon & Dar (arXiv 2405.17377) that a sweep can put a number on.
public struct Claim: Sendable, Equatable {
    /// 1…4.
    public var number: Int
    /// The claim as the paper makes it.
    public var statement: String
    /// One sentence: the score used and what was pooled.
    public var method: String

    /// The four claims, in order.
    public static let all = [
        Claim(number: 1,
              statement: "Deeper layers evolve more during training when an epoch-wise double descent occurs (v1).",
              method: "The depth gap of each task (the mean CKA dissimilarity over checkpoint pairs, evolution_mean, "
                  + "of the deepest third of its taps minus that of the shallowest third), compared between tasks with a "
                  + "double descent on their test error and tasks without, pooled over every architecture, optimizer "
                  + "and width."),
        Claim(number: 2,
              statement: "For a ViT, perfect fitting creates a transition in the representations of all encoder "
                  + "blocks (v1).",
              method: "For each ViT task that fitted its training labels, the distance from a control epoch (halfway "
                  + "from the perfect-fit epoch to the last) to each encoder block's nearest late CKA phase boundary, "
                  + "minus the same distance from the perfect-fit epoch, averaged over blocks and divided by the "
                  + "run's epochs; paired per task and pooled over optimizers and widths."),
        Claim(number: 3,
              statement: "Training phases are more distinguishable with SGD than with Adam, and for ViT than for "
                  + "ResNet (v2).",
              method: "The distinguishability of each task that fitted (mean over taps of within- minus between-phase "
                  + "CKA similarity of the late phases), sgd against adam pooled over architectures and widths, and "
                  + "vit against resnet18 pooled over optimizers and widths; supported only if both comparisons are."),
        Claim(number: 4,
              statement: "ViT layers have synchronized dynamics; ResNet layers do not (v2).",
              method: "The phase synchrony of each task that fitted (cka_linear.phase_synchrony, higher when its taps "
                  + "change phase together), vit against resnet18 pooled over optimizers and widths."),
    ]
}
