import Foundation
import Platform
import Softmax

public enum HarnessError: Error, CustomStringConvertible, Equatable {
    case unknownExperiment(String, suggestions: [String], folder: String)
    case malformedExperiment(String, String)
    case unsupportedISA([ISA], supported: [ISA])
    case tooLarge(n: Int, bytes: Int, available: Int, experiment: String)
    case unwritableResults(String, String)
    case resultsExist(String)
    case incompatibleResults(String, String)
    case missingResults(String, thisProcessors: String?)
    case unknownPreset(String, folder: String, available: [String])
    case platform(String)
    /// An experiment id that is not a plain name (a path, `../x`).
    case invalidExperimentID(String)
    /// A results file a read-only command cannot use (it suggests nothing destructive).
    case unreadableResults(String, String)
    /// Another run holds the CSV's lock.
    case resultsBusy(String, holder: String?)
    /// Another run measures on the CPU.
    case cpuBusy(cpu: Int, holder: String, free: [Int])
    /// The run's estimated time exceeds the limit.
    case tooLong(experiment: String, seconds: Double, limit: Double)
    /// `reference`: the local run lacks experiments or has incomplete ones (each problem named).
    case incompleteRun([String])

    public var description: String {
        switch self {
        case let .unknownExperiment(id, suggestions, folder):
            let hint = suggestions.isEmpty ? "" : "; did you mean \(suggestions.map { "'\($0)'" }.joined(separator: " or "))?"
            return "unknown experiment '\(id)'\(hint) (no \(folder)/\(id).json; `softmax-repro list` shows the experiments)"
        case let .malformedExperiment(source, why):
            return "\(source): \(why)"
        case let .unsupportedISA(isas, supported):
            return "this CPU cannot run \(isas.map(\.rawValue).joined(separator: ", ")); it supports \(supported.map(\.rawValue).joined(separator: ", ")): pass one of those to --isa"
        case let .tooLarge(n, bytes, available, experiment):
            return "n = \(n) needs \(formatBytes(bytes)) of buffers but only \(formatBytes(available)) of memory is available: remove it from experiments/\(experiment).json (or cap it with max_size_by_isa) or free memory"
        case let .unwritableResults(path, why):
            return "cannot write results to \(path): \(why); choose another folder with --results or fix its permissions"
        case let .resultsExist(path):
            return "\(path) already holds results: pass --resume to measure only what is missing, or --overwrite to start afresh (the old file is kept as a .bak copy)"
        case let .incompatibleResults(path, why):
            return "\(path) cannot be resumed: \(why); pass --overwrite to start afresh (the old file is kept as a .bak copy)"
        case let .missingResults(argument, candidate?):
            return "no results file '\(argument)', nor \(candidate) for this processor: run `softmax-repro run \(argument)` first, or give a CSV path such as results/<processor-id>/\(argument).csv (`ls results` lists the processors)"
        case let .missingResults(argument, nil):
            return "no results file '\(argument)': give the path of a results CSV, such as results/<processor-id>/softmax.csv (`ls results` lists the processors)"
        case let .unknownPreset(name, folder, _) where name == ResultsLayout.tunedPresetName:
            return "no tuned preset for this processor in \(folder): run `softmax-repro run tune` first"
        case let .unknownPreset(name, folder, available):
            return "unknown preset '\(name)' (no \(folder)/\(name).json); available: \(available.joined(separator: ", "))"
        case let .platform(why):
            return why
        case let .invalidExperimentID(id):
            return "'\(id)' is not an experiment id: ids are plain names of lowercase letters, digits, '-' and '_' (a file name in experiments/ without .json; `softmax-repro list` shows them)"
        case let .unreadableResults(path, why):
            return "\(path) is not a results file this build can read: \(why); give a CSV written by `softmax-repro run` (results/README.md describes them)"
        case let .resultsBusy(path, holder):
            return "\(path) is being written by another run (\(holder ?? "its lock file does not say which")): wait for it to finish, pass --wait to wait for it, or pass --results DIR to write elsewhere"
        case let .cpuBusy(cpu, holder, free):
            let choice = free.isEmpty ? "no CPU of this machine is free now" : "free CPUs here: \(free.map(String.init).joined(separator: ", ")); pass --cpu N with one of them"
            return "CPU \(cpu) is measuring another run (\(holder)), which would spoil both runs' timings: \(choice), or --wait to wait for it, or --share-cpu to measure anyway (recorded in the metadata)"
        case let .incompleteRun(problems):
            return "this processor's local run is not complete, so nothing was copied into the reference folder:\n  " + problems.joined(separator: "\n  ")
                + "\nfinish it with `make reproduce` (it resumes the local run), then run `make reference` again"
        case let .tooLong(experiment, seconds, limit):
            return "\(experiment) is estimated to take about \(formatDuration(seconds)) (its samples, sizes and configurations at 1 ns per element or min_sample_seconds per sample), more than the \(formatDuration(limit)) allowed without --allow-long: lower samples or sizes, or pass --allow-long"
        }
    }
}
