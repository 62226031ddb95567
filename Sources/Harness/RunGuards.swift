import Foundation
import Platform
import Softmax

/// What a run checks and takes before it measures: the lock on its CSV, the measuring CPUs, and an
/// estimate of how long it will take (the runner refuses a run over `Runner.longRunLimitSeconds`).
struct RunGuards {
    let options: RunOptions
    let log: (String) -> Void

    /// Takes the CSV's lock for the whole run; a second run of the same experiment into the same folder is
    /// refused at once, naming the running one (or waits for it with `--wait`).
    func lockResults(_ csvPath: String) throws -> FileLock {
        let path = ResultsLayout.lock(forCSV: csvPath)
        switch try FileLock.acquire(path, command: options.command, wait: options.wait, waiting: { [log] holder in
            log("note: waiting for the run that is writing \(csvPath) (\(holder?.description ?? "its lock file does not say which")) to finish")
        }) {
        case let .acquired(lock): return lock
        case let .busy(holder): throw HarnessError.resultsBusy(csvPath, holder: holder?.description)
        }
    }

    /// Takes the machine-wide lock of every CPU the run measures on. A CPU another run measures on is
    /// refused (naming that run and this machine's free CPUs) unless `--share-cpu` is given, or waited for
    /// with `--wait`. Returns the locks and, for `--share-cpu`, the CPUs shared and with whom.
    func lockCPUs(_ cpus: [Int], topology: Topology) throws -> (locks: [FileLock], shared: [[String: Any]]) {
        do { try FileManager.default.createDirectory(at: options.cpuLocksFolder, withIntermediateDirectories: true) } catch {
            throw HarnessError.unwritableResults(options.cpuLocksFolder.path, "the folder of the per-CPU locks cannot be created (\(error.localizedDescription))")
        }
        // Every user on the machine shares these locks.
        chmod(options.cpuLocksFolder.path, 0o1777)
        var locks: [FileLock] = []
        var shared: [[String: Any]] = []
        for cpu in cpus {
            let path = cpuLockPath(cpu)
            switch try FileLock.acquire(path, command: options.command, wait: options.wait && !options.shareCPU, waiting: { [log] holder in
                log("note: waiting for CPU \(cpu), which another run is measuring on (\(holder?.description ?? "unknown run"))")
            }) {
            case let .acquired(lock):
                chmod(path, 0o666)
                locks.append(lock)
            case let .busy(holder):
                let who = holder?.description ?? "another softmax-repro run"
                guard options.shareCPU else {
                    locks.forEach { $0.release() }
                    let free = topology.cpus().filter { !FileLock.isHeld(cpuLockPath($0)) && !cpus.contains($0) }
                    throw HarnessError.cpuBusy(cpu: cpu, holder: who, free: free)
                }
                log("warning: CPU \(cpu) is shared with \(who) (--share-cpu): both runs' timings suffer; the metadata records it")
                shared.append(["cpu": cpu, "with": who])
            }
        }
        return (locks, shared)
    }

    func cpuLockPath(_ cpu: Int) -> String { options.cpuLocksFolder.appendingPathComponent("cpu-\(cpu).lock").path }

    /// Seconds the run is expected to take, from the progress model before anything has run (each sample at
    /// least min_sample_seconds, or n at the model's prior speed per element); nil for accuracy
    /// experiments, which time nothing (their size is bounded by `trials`' maximum instead).
    func estimatedSeconds(_ experiment: Experiment, plan: WorkPlan, topology: Topology) -> Double? {
        let steps = plan.sizes.map { n in
            Progress.Step(n: n, isas: (plan.items[n] ?? []).map { item -> String in
                switch item {
                case let .softmax(p, _): return p.isa.rawValue
                case let .pass(kernel): return kernel.isa.rawValue
                case let .reference(reference): return reference.isa.rawValue
                }
            })
        }
        return experiment.kind.behavior.estimatedSeconds(experiment, steps: steps, topology: topology)
    }

    /// The command-line choices that narrow or change the experiment, for the metadata (`make reference`
    /// accepts only runs without them).
    func runOptionsRecord() -> [String: Any] {
        var record: [String: Any] = [:]
        if let isas = options.isas { record["isas"] = isas.map(\.rawValue) }
        if let presets = options.presets { record["presets"] = presets }
        if let samples = options.samples { record["samples"] = samples }
        if options.shareCPU { record["share_cpu"] = true }
        if options.allowLong { record["allow_long"] = true }
        if let bytes = options.llcBytes { record["llc_bytes"] = bytes }
        return record
    }
}

