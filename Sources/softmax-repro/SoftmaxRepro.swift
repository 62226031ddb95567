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
            Experiments are JSON files in experiments/; results go to results/<processor-id>/<experiment>.csv \
            with metadata beside them (schema: results/README.md). Data goes to files and stdout, progress \
            and notes to stderr.
            """,
        subcommands: [Run.self, List.self, Show.self, Info.self, BundleResults.self, ImportResults.self])
}

/// Where the repository's folders are; defaults work from the repository root.
struct Folders: ParsableArguments {
    @Option(help: "Folder of experiment files.")
    var experiments = "experiments"

    @Option(help: "Folder results are written to and read from.")
    var results = "results"

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

    @Option(help: "OS CPU number to pin the worker thread to (default: chosen by the tool and recorded). Multicore experiments place their workers by their placements instead.")
    var cpu: Int?

    @Option(name: .customLong("isa"), help: "Run only this ISA (repeatable): portable, avx2, avx512f. It must be supported here.")
    var isas: [ISA] = []

    @Option(name: .customLong("preset"), help: "Kernel preset from experiments/presets/ (repeatable; replaces the experiment's).")
    var presets: [String] = []

    @Option(help: "Timed samples per configuration (overrides the experiment; at least 3).")
    var samples: Int?

    @Flag(help: "Keep the existing CSV and measure only the configurations it lacks.")
    var resume = false

    @Flag(help: "Start afresh; the existing CSV and metadata are kept as .bak copies.")
    var overwrite = false

    func validate() throws {
        if resume && overwrite { throw ValidationError("--resume and --overwrite contradict each other: choose one") }
    }

    func run() throws {
        var options = RunOptions(experimentsFolder: try folders.experimentsURL(), resultsFolder: URL(fileURLWithPath: folders.results))
        options.cpu = cpu
        options.isas = isas.isEmpty ? nil : isas
        options.presets = presets.isEmpty ? nil : presets
        options.samples = samples
        options.resume = resume
        options.overwrite = overwrite
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
            PresetCatalog.listing(presetsFolder: folder.appendingPathComponent("presets"), processorID: CPUIdentity.current().id).forEach { print($0) }
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

    @OptionGroup var folders: Folders

    func validate() throws {
        if file == nil && !summary { throw ValidationError("name a results CSV, or pass --summary") }
    }

    func run() throws {
        if summary {
            let path = URL(fileURLWithPath: folders.results).appendingPathComponent("SUMMARY.md").path
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw fail("no \(path) yet: run `make plots` to write it from the results")
            }
            print(text, terminator: "")
            return
        }
        do {
            let path = try ResultTable.locate(file!, resultsFolder: folders.results, processorID: CPUIdentity.current().id)
            print(try Summary.render(ResultTable(path: path)), terminator: "")
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
