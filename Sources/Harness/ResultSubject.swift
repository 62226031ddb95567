import Softmax

/// What a row measures: a whole algorithm's softmax, one pass kernel, a memory reference loop, a pass's
/// arithmetic alone (peak) or an algorithm's errors (accuracy); the CSV's `kind`. (ResultRow.Kind.)
public enum ResultKind: String, Sendable { case softmax, pass, reference, peak, accuracy }

/// What a row measures, one of three sorts, each in its own column: a whole algorithm (softmax and accuracy
/// rows: `algorithm`), one pass family (pass and peak rows: `pass_family`), or a memory reference loop
/// (reference rows: `reference`). The other two columns of a row are empty. (ResultRow.Subject.)
public enum ResultSubject: Equatable, Sendable {
    case algorithm(Algorithm)
    case passFamily(PassFamily)
    case reference(String)

    /// The three columns, in the schema's order.
    public static let columns = ["algorithm", "pass_family", "reference"]

    /// The column a row of `kind` names its subject in; the one place kind and column meet.
    public static func column(forKind kind: String) -> String {
        switch ResultKind(rawValue: kind) {
        case .pass?, .peak?: return "pass_family"
        case .reference?: return "reference"
        case .softmax?, .accuracy?, nil: return "algorithm"
        }
    }

    public var column: String {
        switch self {
        case .algorithm: return "algorithm"
        case .passFamily: return "pass_family"
        case .reference: return "reference"
        }
    }

    /// The cell: the algorithm's or family's name as the CLI spells it, or the reference loop's name.
    public var name: String {
        switch self {
        case let .algorithm(a): return a.rawValue
        case let .passFamily(f): return f.rawValue
        case let .reference(r): return r
        }
    }

    /// The subject a `kind` row names `name`, nil where the name is not one of that column's.
    public init?(kind: ResultKind, name: String) {
        switch ResultSubject.column(forKind: kind.rawValue) {
        case "pass_family": guard let f = PassFamily(rawValue: name) else { return nil }; self = .passFamily(f)
        case "reference": guard !name.isEmpty else { return nil }; self = .reference(name)
        default: guard let a = Algorithm(rawValue: name) else { return nil }; self = .algorithm(a)
        }
    }

    /// A row of schema 3 to 5 as schema 6 has it: before version 6 the `algorithm` cell held the pass family
    /// of pass and peak rows and the loop of reference rows; it moves to the column the row's kind names.
    static func moveToItsColumn(_ row: inout [String: String]) {
        let column = column(forKind: row["kind"] ?? "")
        let cell = row["algorithm"] ?? ""
        for c in columns { row[c] = c == column ? cell : "" }
    }
}
