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
        subcommands: [Run.self, List.self, Show.self, Compare.self, ClaimsCommand.self, Info.self, Reference.self, BundleResults.self, ImportResults.self])

    /// Parses and runs like ArgumentParser's own main, but a command line it rejects exits with status 2 (the
    /// status for bad input everywhere: README, docs/usage.md) instead of 64, still printing its message and help hint; --help stays 0.
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

    @Option(help: "Size the rotating output buffers for a last-level cache of this many bytes instead of this machine's (for quick checks: timings are then not out-of-cache timings; recorded in the metadata).")
    var llcBytes: Int?

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
        options.llcBytes = llcBytes
        do {
            let report = try Runner(options: options).run(name)
            print(report.csvPath)
            if report.errorRows > 0 && report.kind.errorRowsAreFindings {
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
            if KernelBuild.instructionCountsCompiler != KernelBuild.compiler {
                FileHandle.standardError.write(Data("note: instructions_per_element was counted in code from \(KernelBuild.instructionCountsCompiler); this build's kernels come from \(KernelBuild.compiler): run scripts/count-instructions.py for counts of this build\n".utf8))
            }
            print("kernel,family,isa,elements_per_iteration,accumulators,variant,exp_method,nontemporal_stores,prefetch_bytes,bytes_read_per_element,bytes_written_per_element,instructions_per_element,supported_here")
            for k in KernelRegistry.all {
                let instructions = k.instructionsPerElement.map { String(format: "%.3f", $0) } ?? ""
                print("\(k.name),\(k.family.rawValue),\(k.isa.rawValue),\(k.elementsPerIteration),\(k.accumulators),\(k.variant),\(k.expMethod),\(k.nonTemporalStores),\(k.prefetchBytes),\(k.bytesReadPerElement),\(k.bytesWrittenPerElement),\(instructions),\(k.isa.isSupported)")
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

    @Option(help: "The claims file (the paper's claims, judged for the CSV's processor).")
    var claims = "claims/paper.json"

    @Flag(help: "Print each row's configuration key (\(ResultSchema.keyColumns.joined(separator: "|"))), one per line, instead of the summary; exit 2 if a row is not a measurement.")
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
                printClaims(csvPath: path, table: table)
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

extension Show {
    /// The paper's claims for the CSV's processor, from the softmax and passes results beside it.
    func printClaims(csvPath: String, table: ResultTable) {
        guard table.rows.contains(where: { $0["kind"] == "softmax" || $0["kind"] == "pass" }) else { return }
        let processorFolder = URL(fileURLWithPath: csvPath).deletingLastPathComponent()
        guard let file = try? Harness.Claims.load(claims) else {
            FileHandle.standardError.write(Data("note: no claims file at \(claims): the paper's claims are not judged (pass --claims PATH)\n".utf8))
            return
        }
        let findings = Harness.Claims.judge(resultsFolder: processorFolder.deletingLastPathComponent().path, file: file)
            .filter { $0.processorID == processorFolder.lastPathComponent }
        print(Harness.Claims.text(findings), terminator: "")
    }
}

struct ClaimsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claims",
        abstract: "Decide the paper's claims for every processor under the results folder: each claim that applies, the measured value with its 95% CI, and a verdict (reproduced, not reproduced, inconclusive).")

    @Option(help: "The folder of processor folders to judge: the committed reference runs, or local/results for your own.")
    var results = ResultsLayout.referenceResults

    @Option(help: "The claims file.")
    var claims = "claims/paper.json"

    @Option(help: "Write the table as Markdown to this file (e.g. results/CLAIMS.md) instead of text on stdout.")
    var markdown: String?

    func run() throws {
        do {
            let file = try Harness.Claims.load(claims)
            let findings = Harness.Claims.judge(resultsFolder: results, file: file)
            guard let markdown else {
                print(findings.isEmpty ? "no processor under \(results) has results a claim applies to" : Harness.Claims.text(findings), terminator: findings.isEmpty ? "\n" : "")
                return
            }
            guard FileManager.default.createFile(atPath: markdown, contents: Data(Harness.Claims.markdown(findings, file: file).utf8)) else {
                throw fail("cannot write \(markdown): check the folder exists and is writable")
            }
            print(markdown)
        } catch let error as HarnessError {
            throw fail(error.description)
        }
    }
}

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare two results files of one timed experiment (two runs, commits or machines), configuration by configuration.",
        discussion: """
            Per configuration ok in both: the medians, B's time over A's (> 1: B slower) as the exponential of the \
            Hodges-Lehmann shift of log times with its distribution-free \(Int((Comparison.confidence * 100).rounded()))% confidence interval, the two-sided \
            Mann-Whitney U test on the raw samples (unpaired), its p-value Holm-Bonferroni adjusted over the \
            configurations, and a verdict (faster, slower, no difference at adjusted p < \(Comparison.significanceLevel)). Configurations in \
            only one file and error rows are listed. Across processors, rows with a preset are matched by preset, \
            not kernel names. Exit status: 0, or 1 with --threshold (see there), or 2 for files that cannot be \
            compared (different experiments, accuracy results, not a results file of this schema).
            """)

    @Argument(help: "Results CSV of the baseline (A), or an experiment id such as softmax for this processor's CSV of it.")
    var a: String

    @Argument(help: "Results CSV to compare with it (B), or an experiment id as for A.")
    var b: String

    @Option(name: .customLong("threshold"), help: ArgumentHelp(
        "Exit with status 1 when any configuration is slower in B beyond PCT percent with significance: its Holm-adjusted Mann-Whitney p < \(Comparison.significanceLevel) and its ratio estimate (B/A) above 1 + PCT/100.",
        valueName: "PCT"))
    var thresholdPercent: Double?

    @Flag(help: "Print one CSV row per configuration on stdout (columns in docs/usage.md) instead of the table; the method and the summary go to stderr.")
    var csv = false

    @OptionGroup var folders: Folders

    func run() throws {
        if let t = thresholdPercent, !(t.isFinite && t >= 0) {
            throw fail("--threshold \(t) is not a percentage >= 0: give how much slower B may be, e.g. --threshold 5")
        }
        let comparison: Comparison
        do {
            let processorID = CPUIdentity.current().id
            let searched = [folders.results, ResultsLayout.referenceResults]
            comparison = try Comparison.load(try ResultTable.locate(a, resultsFolders: searched, processorID: processorID),
                                             try ResultTable.locate(b, resultsFolders: searched, processorID: processorID))
        } catch let error as ComparisonError {
            throw fail(error.description)
        } catch let error as HarnessError {
            throw fail(error.description)
        }
        if csv {
            print(comparison.renderCSV(), terminator: "")
            FileHandle.standardError.write(Data((comparison.methodLines + [comparison.summaryLine]).map { $0 + "\n" }.joined().utf8))
        } else {
            print(comparison.renderTable(), terminator: "")
        }
        if let t = thresholdPercent, comparison.exitStatus(thresholdPercent: t) != 0 {
            let slower = comparison.regressions(thresholdPercent: t).map {
                "  \($0.configuration): B/A \(String(format: "%.3f", $0.ratio!)), adjusted p \(Comparison.formatP($0.adjustedP!))\n"
            }
            FileHandle.standardError.write(Data(("\(slower.count) configuration(s) slower in B by more than \(t)% with significance (Holm-adjusted p < \(Comparison.significanceLevel), B/A > \(1 + t / 100)):\n" + slower.joined()).utf8))
            throw ExitCode(comparison.exitStatus(thresholdPercent: t))
        }
    }
}

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Describe this machine: CPU, ISAs, caches, topology and the counters that work.")

    func run() throws {
        MachineDescription().infoLines(availableMemoryBytes: MachineInfo.availableMemoryBytes()).forEach { print($0) }
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
