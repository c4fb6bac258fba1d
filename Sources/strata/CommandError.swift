/// A command that cannot do what was asked, with what to do instead. Printed as `Error: …` on
/// stderr with a non-zero exit, without the usage text that a mistyped option gets.
struct CommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
