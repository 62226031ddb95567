import CPlatform
import Foundation

/// A set of PAPI performance counters that degrades event by event instead of failing.
///
/// Counter support varies wildly: hardware events are absent in most VMs, some exist on paper but
/// fail when started, and `perf_event_paranoid` can block everything. Rather than one error, each
/// requested event ends up in exactly one of `available` or `unavailable` (with the reason), and
/// `stop()` reports only available events, so a missing counter is "not measured", never 0.
///
/// Thread contract: create, start, stop and release a set on one thread, the one being measured
/// (perf_event counters count the thread that opened them). `start`/`stop` from another thread
/// throw. Not `Sendable` for that reason.
public final class CounterSet {
    /// What the harness records by default: cycles, instructions, LLC misses and the software
    /// events that reveal a disturbed measurement (time on CPU, faults, switches, migrations).
    public static let defaultEvents = [
        "PAPI_TOT_CYC", "PAPI_TOT_INS", "PAPI_L3_TCM", "perf::TASK-CLOCK", "perf::PAGE-FAULTS",
        "perf::CONTEXT-SWITCHES", "perf::CPU-MIGRATIONS",
    ]

    /// Events that can stand for "last-level cache misses", best first: the L3 preset, the L2
    /// preset for parts whose L3 misses live in an uncore PMU (AMD Zen), then the kernel's generic
    /// LLC event.
    public static let llcEventCandidates = ["PAPI_L3_TCM", "PAPI_L2_TCM", "perf::LLC-LOAD-MISSES"]

    /// The requested events, duplicates removed, in request order.
    public let events: [String]
    /// Events being counted, in request order.
    public let available: [String]
    /// Events not counted, each with the reason (PAPI's error text, the event name, and any hint
    /// such as a hypervisor or `perf_event_paranoid`).
    public let unavailable: [String: String]
    /// The first of `llcEventCandidates` that is in `available`, if any.
    public let llcEvent: String?

    private let handle: OpaquePointer?

    /// Builds the set on the calling thread. Never throws: if PAPI cannot initialise, every event
    /// is unavailable with that reason.
    public init(events requested: [String] = CounterSet.defaultEvents) {
        var seen = Set<String>()
        let events = requested.filter { seen.insert($0).inserted }
        self.events = events

        let cNames = events.map { strdup($0) }
        defer { cNames.forEach { free($0) } }
        let h: OpaquePointer? = cNames.map { $0.map { UnsafePointer($0) } }.withUnsafeBufferPointer { names in
            plat_counters_create(names.baseAddress, Int32(events.count))
        }
        handle = h

        var available: [String] = []
        var unavailable: [String: String] = [:]
        for (i, name) in events.enumerated() {
            if let h, plat_counters_is_available(h, Int32(i)) == 1 {
                available.append(name)
            } else {
                let reason = h.map { String(cString: plat_counters_reason($0, Int32(i))) } ?? ""
                unavailable[name] = reason.isEmpty ? "\(name): out of memory building the counter set" : reason
            }
        }
        self.available = available
        self.unavailable = unavailable
        self.llcEvent = CounterSet.llcEventCandidates.first { available.contains($0) }
    }

    deinit {
        if let handle { plat_counters_destroy(handle) }
    }

    /// Starts counting all available events. Throws if already started, if called from another
    /// thread than the creator, or if PAPI refuses. With no available events it succeeds and
    /// `stop()` returns an empty dictionary.
    public func start() throws {
        guard let handle else { throw PlatformError.counters("the counter set could not be built (out of memory)") }
        var err = [CChar](repeating: 0, count: 512)
        if plat_counters_start(handle, &err, err.count) != 0 {
            throw PlatformError.counters(String(cString: err))
        }
    }

    /// Stops counting and returns the counts since `start()`, keyed by event name, for available
    /// events only.
    public func stop() throws -> [String: Int64] {
        guard let handle else { throw PlatformError.counters("the counter set could not be built (out of memory)") }
        var values = [Int64](repeating: 0, count: max(events.count, 1))
        var err = [CChar](repeating: 0, count: 512)
        let rc = values.withUnsafeMutableBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CLongLong.self, capacity: buf.count) {
                plat_counters_stop(handle, $0, &err, err.count)
            }
        }
        if rc != 0 { throw PlatformError.counters(String(cString: err)) }
        var result: [String: Int64] = [:]
        for (i, name) in events.enumerated() where plat_counters_is_available(handle, Int32(i)) == 1 {
            result[name] = values[i]
        }
        return result
    }

    /// Whether PAPI initialised in this process; the reason when it did not.
    public static func papiStatus() -> (ok: Bool, reason: String?) {
        var err = [CChar](repeating: 0, count: 512)
        let rc = plat_papi_init(&err, err.count)
        return rc == 0 ? (true, nil) : (false, String(cString: err))
    }

    /// Test seam: sets created while this is non-nil behave as if `PAPI_start` refused any set
    /// containing `event` (as a VM does with hardware events it lists but cannot open), so the
    /// weeding path can be tested on machines where such events already fail when added.
    static func simulateStartFailure(for event: String?) {
        plat_counters_simulate_start_failure(event)
    }

    /// `events` with its LLC entry resolved: the first of `llcEventCandidates` that can be counted
    /// here replaces any candidates in the list (at the first candidate's position, or at the end).
    /// If none can, all candidates are kept so each one's reason lands in `unavailable`.
    /// Probes with throwaway sets on the calling thread.
    public static func resolvingLLCEvent(_ events: [String] = defaultEvents) -> [String] {
        let chosen = llcEventCandidates.first { CounterSet(events: [$0]).available == [$0] }
        let position = events.firstIndex { llcEventCandidates.contains($0) } ?? events.endIndex
        var rest = events.filter { !llcEventCandidates.contains($0) }
        let insertAt = events[..<position].filter { !llcEventCandidates.contains($0) }.count
        rest.insert(contentsOf: chosen.map { [$0] } ?? llcEventCandidates, at: min(insertAt, rest.count))
        return rest
    }
}
