import Foundation
import Sweep

/// Pieces of the report for pages that show one task at a time (the live dashboard): the same charts and heatmaps
/// as `strata report`, rendered by the same code, so the two never drift apart.
extension HTMLReport {
    /// The report's style sheet (without the `<style>` element), for a page that embeds its fragments.
    public static var styleSheet: String { style + claimsStyle }

    /// The claims table with its verdicts for the model's tasks (the report's first section).
    public func claimsSection() -> String { claims() }

    /// One task's section as in the report: its facts, accuracy and loss curves, probe curves, and the heatmaps of
    /// its similarity matrices as far as they have grown. `index` numbers the section (0-based).
    public func taskSection(_ task: TaskReport, index: Int) -> String { section(task, index: index) }
}
