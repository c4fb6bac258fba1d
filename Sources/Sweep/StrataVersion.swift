/// The version of Strata that writes a sweep, recorded in its store's history of configs and shown in reports.
public enum StrataVersion {
    public static let string = "0.1.0"
}
