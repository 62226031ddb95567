import Foundation
import Platform

/// Counters as seen from the thread that starts the run, for metadata when the worker never ran.
struct CounterProbe {
    func describe() -> CounterReport {
        let set = CounterSet(events: CounterSet.resolvingLLCEvent())
        return CounterReport(available: set.available, unavailable: set.unavailable, llcEvent: set.llcEvent)
    }
}

struct CounterReport {
    var available: [String]
    var unavailable: [String: String]
    var llcEvent: String?
}
