import ArgumentParser
import Foundation
import Harness
import Platform
import Softmax

@main
struct SoftmaxRepro: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "softmax-repro",
        abstract: "Reproduce \"The Two-Pass Softmax Algorithm\" (Dukhan & Ablavatski, 2020) on this machine.",
        discussion: """
            Experiments are JSON files in experiments/; a run's results go to \(ResultsLayout.localResults)/<processor-id>/<experiment>.csv \
            with metadata beside them (schema: results/README.md); committed reference runs are in \(ResultsLayout.referenceResults)/. \
            Data goes to files and stdout, progress and notes to stderr. Bad input exits with status 2.
            """,
        subcommands: [Run.self, List.self, Show.self, Info.self, Reference.self])

    /// Parses and runs like ArgumentParser's own main, but a command line it rejects exits with status 2 (the
    /// README's status for bad input) instead of 64, still printing its message and help hint; --help stays 0.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Where the repository's folders are; defaults work from the repository root.
struct Folders: ParsableArguments {
    @Option(help: "Folder of experiment files.")
    var experiments = "experiments"

    @Option(help: "Folder a run writes its results to (and --resume reads); `show` looks here first, then in \(ResultsLayout.referenceResults)/.")
    var results = ResultsLayout.localResults

    @Option(help: "Folder a tune run writes the tuned preset to (tuned/<processor-id>.json); runs read `tuned` from here first, then from experiments/presets/.")
    var localPresets = ResultsLayout.localPresets

    func experimentsURL() throws -> URL {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: experiments, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw fail("no experiments folder at '\(experiments)': run from the repository root or pass --experiments PATH")
        }
        return URL(fileURLWithPath: experiments)
    }
}

/// Prints the message on stderr and exits with status 2.
func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(2)
}

extension ISA: ExpressibleByArgument {}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one experiment by name and append its rows to results/<processor-id>/<name>.csv.")

    @Argument(help: "Experiment id: a file name in experiments/ without .json (see `softmax-repro list`).")
    var name: String

    @OptionGroup var folders: Folders

    @Option(parsing: .unconditional, help: "OS CPU number to pin the worker thread to (default: chosen by the tool and recorded). Multicore experiments place their workers by their placements instead.")
    var cpu: Int?

    @Option(name: .customLong("isa"), help: "Run only this ISA (repeatable): portable, avx2, avx512f. It must be supported here.")
    var isas: [ISA] = []

    @Option(name: .customLong("preset"), help: "Kernel preset from experiments/presets/ (repeatable; replaces the experiment's presets, optional ones such as tuned included).")
    var presets: [String] = []

    @Option(help: "Timed samples per configuration (overrides the experiment; at least 3).")
    var samples: Int?

    @Flag(help: "Keep the existing CSV and measure only the configurations it lacks.")
    var resume = false

    @Flag(help: "Start afresh; the existing CSV and metadata are kept as .bak copies.")
    var overwrite = false

    @Flag(help: "Wait for another run that is writing this experiment's CSV, or measuring on the same CPU, instead of refusing.")
    var wait = false

    @Flag(help: "Measure on a CPU another run is measuring on (both runs' timings suffer); recorded in the metadata.")
    var shareCPU = false

    @Flag(help: "Run even if the run is estimated to take more than \(Int(Runner.longRunLimitSeconds / 3600)) hours.")
    var allowLong = false

    func validate() throws {
        if resume && overwrite { throw ValidationError("--resume and --overwrite contradict each other: choose one") }
        if let cpu, cpu < 0 {
            let cpus = (try? Topology().cpuListString()) ?? "unknown (hwloc could not read the topology)"
            throw ValidationError("--cpu must be >= 0 (an OS CPU number), got \(cpu); this machine has CPUs \(cpus)")
        }
    }

    func run() throws {
        var options = RunOptions(experimentsFolder: try folders.experimentsURL(), resultsFolder: URL(fileURLWithPath: folders.results))
        options.localPresetsFolder = URL(fileURLWithPath: folders.localPresets)
        options.cpu = cpu
        options.isas = isas.isEmpty ? nil : isas
        options.presets = presets.isEmpty ? nil : presets
        options.samples = samples
        options.resume = resume
        options.overwrite = overwrite
        options.wait = wait
        options.shareCPU = shareCPU
        options.allowLong = allowLong
        do {
            let report = try Runner(options: options).run(name)
            print(report.csvPath)
            if report.errorRows > 0 && report.kind == .accuracy {
                // For accuracy, a NaN output or a sum far from 1 is a finding (two-pass beyond |x| = 2.36e38),
                // recorded as an error row, not a failed run.
                FileHandle.standardError.write(Data("note: \(report.errorRows) configurations gave NaN or outputs not summing to 1; their rows say why (status error in \(report.csvPath))\n".utf8))
            } else if report.errorRows > 0 { throw fail("\(report.errorRows) configurations failed their output checks; see the error column of \(report.csvPath)") }
        } catch let error as HarnessError {
            throw fail(error.description)
        }
    }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the experiments, or the kernels and presets.")

    @OptionGroup var folders: Folders

    @Flag(help: "List every kernel in the registry with its tile, accumulators and traffic.")
    var kernels = false

    @Flag(help: "List the kernel presets.")
    var presets = false

    func run() throws {
        if kernels {
            print("kernel,family,isa,elements_per_iteration,accumulators,variant,nontemporal_stores,prefetch_bytes,bytes_read_per_element,bytes_written_per_element,supported_here")
            for k in KernelRegistry.all {
                print("\(k.name),\(k.family.rawValue),\(k.isa.rawValue),\(k.elementsPerIteration),\(k.accumulators),\(k.variant),\(k.nonTemporalStores),\(k.prefetchBytes),\(k.bytesReadPerElement),\(k.bytesWrittenPerElement),\(k.isa.isSupported)")
            }
            return
        }
        let folder = try folders.experimentsURL()
        if presets {
            let presetFolder = folder.appendingPathComponent("presets")
            for file in (try? FileManager.default.contentsOfDirectory(atPath: presetFolder.path))?.sorted() ?? [] where file.hasSuffix(".json") {
                do {
                    let p = try Preset.load(from: presetFolder.appendingPathComponent(file))
                    print("\(p.name)\t\(p.description)")
                } catch {
                    print("\(file.dropLast(5))\tINVALID: \(error)")
                }
            }
            return
        }
        for id in try Experiment.list(folder: folder) {
            do {
                let e = try Experiment.load(id: id, folder: folder)
                print("\(id)\t\(e.kind.rawValue)\t\(e.sizes.count) sizes \(e.sizes.first!)..\(e.sizes.last!)\t\(e.description)")
            } catch {
                print("\(id)\tINVALID: \(error)")
            }
        }
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarise a results CSV: medians, throughput and two-pass speedups per size (softmax), pass bandwidth beside the memory references (passes), or max / mean error in ulps by input range and mask (accuracy).")

    @Argument(help: "A results CSV, e.g. results/<processor-id>/softmax.csv, or an experiment id such as softmax for this processor's CSV of that experiment.")
    var file: String?

    @Flag(help: "Print results/SUMMARY.md (the cross-processor table written by `make plots`).")
    var summary = false

    @Flag(help: "Print each row's configuration key (kind|isa|preset|algorithm|kernel|n|threads|placement|input_range|mask), one per line, instead of the summary; exit 2 if a row is not a measurement.")
    var keys = false

    @OptionGroup var folders: Folders

    func validate() throws {
        if file == nil && !summary { throw ValidationError("name a results CSV, or pass --summary") }
    }

    func run() throws {
        let folders = [self.folders.results, ResultsLayout.referenceResults]
        if summary {
            let paths = folders.map(ResultsLayout.summary(resultsFolder:))
            guard let path = paths.first(where: { FileManager.default.fileExists(atPath: $0) }),
                  let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw fail("no \(paths.joined(separator: " nor ")) yet: `make reproduce` writes the local one, `make plots` the reference one")
            }
            FileHandle.standardError.write(Data("reading \(path)\n".utf8))
            print(text, terminator: "")
            return
        }
        do {
            let path = try ResultTable.locate(file!, resultsFolders: folders, processorID: CPUIdentity.current().id)
            if path != file! { FileHandle.standardError.write(Data("reading \(path)\n".utf8)) }
            let table = try ResultTable(path: path)
            guard keys else {
                print(Summary.render(table), terminator: "")
                return
            }
            table.rows.forEach { print(ResultTable.key($0)) }
            if !table.invalidRows.isEmpty {
                throw fail("\(table.invalidRows.count) row(s) are not measurements:\n  " + table.invalidRows.map(\.description).joined(separator: "\n  "))
            }
        } catch let error as HarnessError {
            throw fail(error.description)
        }
    }
}

struct Reference: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy this processor's complete local run into the committed reference folder (what `make reference` does before redrawing the figures).",
        discussion: "Refuses (exit 2, copying nothing) when an experiment is missing, unfinished, narrowed by --isa/--preset/--samples, or holds rows that are not measurements.")

    @Argument(help: "The experiments of the full set, e.g. tune softmax passes table1 multicore accuracy.")
    var experiments: [String]

    @OptionGroup var folders: Folders

    @Option(help: "The committed reference folder to copy into.")
    var reference = ResultsLayout.referenceResults

    func validate() throws {
        if experiments.isEmpty { throw ValidationError("name the experiments to copy") }
    }

    func run() throws {
        let experimentsFolder = try folders.experimentsURL()
        do {
            try ReferenceRun.promote(
                experiments: uniqueInOrder(experiments), processorID: CPUIdentity.current().id,
                folders: .init(localResults: URL(fileURLWithPath: folders.results), referenceResults: URL(fileURLWithPath: reference),
                               localPresets: URL(fileURLWithPath: folders.localPresets),
                               committedPresets: ResultsLayout.committedPresets(experimentsFolder: experimentsFolder)),
                log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
        } catch let error as HarnessError {
            throw fail(error.description)
        }
    }
}

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Describe this machine: CPU, ISAs, caches, topology and the counters that work.")

    func run() throws {
        let id = CPUIdentity.current()
        print("processor:         \(id.modelName) (\(id.vendor), family 0x\(String(id.family, radix: 16)) model 0x\(String(id.model, radix: 16)) stepping \(id.stepping))")
        print("microarchitecture: \(id.microarchitecture)")
        print("results id:        \(id.id)")
        print("ISAs:              \(ISA.supported.map(\.rawValue).joined(separator: ", ")) (of \(ISA.allCases.map(\.rawValue).joined(separator: ", ")))")
        if let hv = MachineInfo.hypervisorVendor() { print("hypervisor:        \(hv)") }
        print("memory:            \(formatBytes(MachineInfo.memoryBytes())) (\(formatBytes(MachineInfo.availableMemoryBytes())) available)")
        print("os:                \(MachineInfo.osName()), kernel \(MachineInfo.kernelRelease())")
        let governor = MachineInfo.cpufreqGovernor()
        let boost = MachineInfo.boostState()
        print("cpufreq governor:  \(governor.0 ?? "unknown: \(governor.reason ?? "")")")
        print("boost/turbo:       \(boost.0 ?? "unknown: \(boost.reason ?? "")")")
        print("kernels built by:  \(KernelBuild.compiler) \(KernelBuild.flags)")
        do {
            let topology = try Topology()
            func size(_ b: Int?) -> String { b.map(formatBytes) ?? "none" }
            print("caches:            L1d \(size(topology.l1dBytes)), L2 \(size(topology.l2Bytes)), L3 \(size(topology.l3Bytes)); LLC \(formatBytes(topology.llcBytes)) (\(topology.cacheSource))")
            print("topology:          \(topology.packages) package(s), \(topology.numaNodes) NUMA node(s), \(topology.cores) core(s), \(topology.pus) PU(s); default worker CPU \(Pinning.chooseDefaultCPU(topology: topology))")
            print(topology.render().split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        } catch {
            print("topology:          unavailable: \(error)")
        }
        let counters = CounterSet(events: CounterSet.resolvingLLCEvent())
        print("counters:")
        for event in counters.events {
            if counters.available.contains(event) {
                print("  \(event): available")
            } else {
                print("  \(event): unavailable: \(counters.unavailable[event] ?? "unknown reason")")
            }
        }
    }
}
