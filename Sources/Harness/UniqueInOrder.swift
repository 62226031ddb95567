import Foundation

/// The values in order, each once (a value repeated on the command line would measure its configurations twice).
public func uniqueInOrder<T: Hashable>(_ values: [T]) -> [T] {
    var seen = Set<T>()
    return values.filter { seen.insert($0).inserted }
}
