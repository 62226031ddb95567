import Foundation
import Softmax

/// The paper's claims (claims/paper.json) decided for every processor under a results folder: each claim
/// that applies, the measured value with its 95% interval, and a verdict. The file says what was claimed;
/// this type is the one place the verdict rules live (the plots only draw the claimed values).
public enum Claims {
    public enum Verdict: String, Sendable { case reproduced, notReproduced = "not reproduced", inconclusive }

    public struct Claim: Decodable, Sendable {
        public let id: String
        public let text: String
        public let microarchitectures: [String]
        public let isa: String?
        public let test: String
        public let value: Double?
        public let against: [String]?
        public let passes: [String]?
    }

    public struct HeldTo: Decodable, Sendable {
        public let vendor: String
        public let requiresISA: String?
        public let `as`: String
        public let why: String
        enum CodingKeys: String, CodingKey { case vendor, requiresISA = "requires_isa", `as`, why }
    }

    public struct File: Decodable, Sendable {
        public let outOfCacheLLCFactor: Double
        public let preset: String
        public let claims: [Claim]
        public let heldTo: [HeldTo]
        enum CodingKeys: String, CodingKey { case outOfCacheLLCFactor = "out_of_cache_llc_factor", preset, claims, heldTo = "held_to" }
    }

    /// One claim judged on one processor (for a claim against several three-pass variants, one per variant).
    public struct Finding: Sendable {
        public let processorID: String
        public let claimID: String
        public let claim: String
        /// Why this processor is held to the claim: its own, or the project's choice of stand-in.
        public let basis: String
        public let measured: String
        public let verdict: Verdict
        public let reason: String
    }

    public static func load(_ path: String) throws -> File {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HarnessError.malformedExperiment(path, "the claims file is missing: it lists the paper's claims (claims/paper.json in the repository); pass --claims PATH")
        }
        do { return try JSONDecoder().decode(File.self, from: data) } catch {
            throw HarnessError.malformedExperiment(path, describe(decodingError: error))
        }
    }

    /// The processor's facts the rules need, from any metadata file of its folder.
    struct Processor {
        var id: String
        var vendor: String
        var microarchitecture: String
        var isas: [String]
        var llcBytes: Double?
    }

    /// Every processor folder under `resultsFolder`, judged against `file`.
    public static func judge(resultsFolder: String, file: File) -> [Finding] {
        let folders = ((try? FileManager.default.contentsOfDirectory(atPath: resultsFolder)) ?? []).sorted()
        return folders.flatMap { id -> [Finding] in
            let folder = URL(fileURLWithPath: resultsFolder).appendingPathComponent(id)
            guard let processor = processorFacts(folder: folder, id: id) else { return [] }
            return judge(processor: processor, folder: folder, file: file)
        }
    }

    static func processorFacts(folder: URL, id: String) -> Processor? {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        for name in files {
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let processor = object["processor"] as? [String: Any] else { continue }
            let llc = ((object["caches"] as? [String: Any])?["llc_bytes"] as? NSNumber)?.doubleValue
            return Processor(id: id, vendor: (processor["vendor"] as? String) ?? "", microarchitecture: (processor["microarchitecture"] as? String) ?? "unknown",
                             isas: (processor["isas"] as? [String]) ?? [], llcBytes: llc)
        }
        return nil
    }

    /// The microarchitecture whose claims a processor is held to, and why; nil when none applies.
    static func heldTo(_ p: Processor, file: File) -> (microarchitecture: String, basis: String)? {
        let measured = Set(file.claims.flatMap(\.microarchitectures))
        if measured.contains(p.microarchitecture) { return (p.microarchitecture, "the paper measured \(p.microarchitecture)") }
        let vendor = p.vendor.lowercased().contains("intel") ? "intel" : p.vendor.lowercased().contains("amd") ? "amd" : p.vendor.lowercased()
        for rule in file.heldTo where rule.vendor == vendor && (rule.requiresISA.map { p.isas.contains($0) } ?? true) {
            return (rule.as, "our choice, not the paper's: \(p.microarchitecture) is held to \(rule.as)'s claims as \(rule.why)")
        }
        return nil
    }

    static func judge(processor p: Processor, folder: URL, file: File) -> [Finding] {
        guard let (stand, basis) = heldTo(p, file: file) else { return [] }
        let softmax = try? ResultTable(path: folder.appendingPathComponent("softmax.csv").path)
        let passes = try? ResultTable(path: folder.appendingPathComponent("passes.csv").path)
        var out: [Finding] = []
        for claim in file.claims where claim.microarchitectures.contains(stand) {
            func finding(_ measured: String, _ verdict: Verdict, _ reason: String, against: String? = nil) -> Finding {
                Finding(processorID: p.id, claimID: claim.id + (against.map { " vs \($0)" } ?? ""), claim: claim.text, basis: basis,
                        measured: measured, verdict: verdict, reason: reason)
            }
            switch claim.test {
            case "speedup-up-to", "faster":
                for variant in claim.against ?? [] {
                    let (measured, verdict, reason) = judgeSpeedup(claim, variant: variant, table: softmax, processor: p, file: file)
                    out.append(finding(measured, verdict, reason, against: variant))
                }
            case "memory-bound":
                let (measured, verdict, reason) = judgeMemoryBound(claim, table: passes, processor: p)
                out.append(finding(measured, verdict, reason))
            default:
                out.append(finding("-", .inconclusive, "unknown test '\(claim.test)' in the claims file"))
            }
        }
        return out
    }

    static func judgeSpeedup(_ claim: Claim, variant: String, table: ResultTable?, processor p: Processor, file: File) -> (String, Verdict, String) {
        guard let table else { return ("-", .inconclusive, "no softmax.csv for this processor: run `softmax-repro run softmax`") }
        guard let isa = claim.isa, p.isas.contains(isa) else { return ("-", .inconclusive, "this processor lacks \(claim.isa ?? "the ISA")") }
        guard let llc = p.llcBytes else { return ("-", .inconclusive, "the metadata does not give the last-level cache, so out of cache is undefined") }
        let threshold = file.outOfCacheLLCFactor * llc / 4
        let rows = table.rows.filter { $0["status"] == "ok" && $0["kind"] == "softmax" && $0["isa"] == isa && $0["preset"] == file.preset }
        var perSize: [(n: Int, interval: MedianInterval)] = []
        for n in Set(rows.compactMap { Int($0["n"] ?? "") }).sorted() where Double(n) >= threshold {
            guard let two = rows.first(where: { $0["algorithm"] == "two-pass" && Int($0["n"] ?? "") == n }),
                  let other = rows.first(where: { $0["algorithm"] == variant && Int($0["n"] ?? "") == n }),
                  let interval = ResultTable.pairedSpeedup(other, over: two)?.interval else { continue }
            perSize.append((n, interval))
        }
        let rule = "out of cache: x at least \(formatCount(file.outOfCacheLLCFactor)) x the LLC, n >= \(decimalCount(Int(threshold.rounded(.up)))), preset \(file.preset)"
        guard !perSize.isEmpty else {
            let largest = rows.compactMap { Int($0["n"] ?? "") }.max().map(decimalCount) ?? "none"
            return ("-", .inconclusive, "no paired two-pass / \(variant) measurement out of cache (\(rule); largest n measured: \(largest))")
        }
        func show(_ s: (n: Int, interval: MedianInterval)) -> String {
            String(format: "%.3f [%.3f, %.3f] at n = %@", s.interval.median, s.interval.low, s.interval.high, decimalCount(s.n))
        }
        if claim.test == "faster" {
            let measured = perSize.map(show).joined(separator: "; ")
            if perSize.allSatisfy({ $0.interval.low > 1 }) { return (measured, .reproduced, "two-pass faster at every out-of-cache size, the whole 95% CI above 1 (\(rule))") }
            if perSize.contains(where: { $0.interval.high < 1 }) { return (measured, .notReproduced, "two-pass slower at some out-of-cache size, the whole 95% CI below 1 (\(rule))") }
            return (measured, .inconclusive, "a 95% CI includes 1 (\(rule))")
        }
        guard let value = claim.value else { return ("-", .inconclusive, "the claim has no value") }
        let best = perSize.max { $0.interval.median < $1.interval.median }!
        let measured = "largest: " + show(best)
        if best.interval.high >= value {
            // A CI that holds the claimed value and 1 alike cannot tell the claim from no speedup at all.
            guard best.interval.low > 1 else {
                return (measured, .inconclusive, String(format: "the largest out-of-cache speedup's 95%% CI holds the claimed %.2f but also 1 (%@)", value, rule))
            }
            let how = best.interval.low > value ? "exceeds" : "includes"
            return (measured, .reproduced, String(format: "the largest out-of-cache speedup's 95%% CI %@ the claimed %.2f and lies above 1 (%@)", how, value, rule))
        }
        if best.interval.high < 1 { return (measured, .notReproduced, "two-pass is slower out of cache (\(rule))") }
        return (measured, .notReproduced, String(format: "the largest out-of-cache speedup's whole 95%% CI lies below the claimed %.2f (%@)", value, rule))
    }

    static func judgeMemoryBound(_ claim: Claim, table: ResultTable?, processor p: Processor) -> (String, Verdict, String) {
        guard let table else { return ("-", .inconclusive, "no passes.csv for this processor: run `softmax-repro run passes`") }
        guard let llc = p.llcBytes else { return ("-", .inconclusive, "the metadata does not give the last-level cache") }
        let rows = table.rows.filter { $0["status"] == "ok" }
        // The largest size beyond the LLC: the passes experiment stops at 10^8, short of 4 x LLC on large caches.
        guard let n = rows.filter({ $0["kind"] == "pass" }).compactMap({ Int($0["n"] ?? "") }).filter({ Double($0) * 4 > llc }).max() else {
            return ("-", .inconclusive, "no pass measured beyond the last-level cache")
        }
        let families = Set(claim.passes ?? [])
        var parts: [String] = []
        var verdicts: [Verdict] = []
        for isa in ["avx2", "avx512f"] where p.isas.contains(isa) {
            // "Well-optimised": per pass family, the fastest kernel measured at n (the presets' variants).
            let passRows = rows.filter { $0["kind"] == "pass" && $0["isa"] == isa && Int($0["n"] ?? "") == n && families.contains($0["pass_family"] ?? "") }
            let fastest = Dictionary(grouping: passRows, by: { $0["pass_family"] ?? "" }).values.compactMap { family in
                family.min { (Double($0["median_s"] ?? "") ?? .infinity) < (Double($1["median_s"] ?? "") ?? .infinity) }
            }
            for pass in fastest.sorted(by: { ($0["pass_family"] ?? "") < ($1["pass_family"] ?? "") }) {
                guard let ratio = boundRatio(pass, rows: rows) else { continue }
                let verdict: Verdict = ratio.low > 1 ? .reproduced : ratio.high < 1 ? .notReproduced : .inconclusive
                verdicts.append(verdict)
                parts.append(String(format: "%@ %@ %.2f [%.2f, %.2f]", isa, pass["kernel"] ?? "", ratio.median, ratio.low, ratio.high))
            }
        }
        guard !verdicts.isEmpty else { return ("-", .inconclusive, "no pass row at n = \(decimalCount(n)) has paired bounds") }
        let measured = "memory bound / compute bound at n = \(decimalCount(n)): " + parts.joined(separator: "; ")
        let why = "per pass family, the fastest kernel at n; a pass is memory-bound when its memory bound (its bytes at the matching reference loop's speed) exceeds its compute bound (its arithmetic on L2-resident data), paired per round"
        if verdicts.allSatisfy({ $0 == .reproduced }) { return (measured, .reproduced, "every three-pass pass is memory-bound, each 95% CI above 1; \(why)") }
        if verdicts.contains(.notReproduced) { return (measured, .notReproduced, "some pass is compute-bound, its whole 95% CI below 1; \(why)") }
        return (measured, .inconclusive, "some pass's 95% CI includes 1; \(why)")
    }

    /// Per round, a pass's memory bound over its compute bound: its reference's time scaled to its bytes,
    /// over its peak row's time (already scaled to n), both timed in the pass's rounds.
    static func boundRatio(_ pass: [String: String], rows: [[String: String]]) -> MedianInterval? {
        guard let kernel = KernelRegistry.named(pass["kernel"] ?? "") else { return nil }
        let referenceName = Rooflines.referenceName(for: pass["pass_family"] ?? "", nonTemporalStores: kernel.nonTemporalStores)
        let arithmetic = KernelRegistry.withOrdinaryStores(kernel).name
        func sameSize(_ r: [String: String]) -> Bool { r["isa"] == pass["isa"] && r["n"] == pass["n"] }
        guard let reference = rows.first(where: { $0["kind"] == "reference" && $0["reference"] == referenceName && sameSize($0) }),
              let peak = rows.first(where: { $0["kind"] == "peak" && $0["kernel"] == arithmetic && sameSize($0) }),
              let passBytes = Double(pass["bytes_per_element"] ?? ""), let referenceBytes = Double(reference["bytes_per_element"] ?? ""),
              referenceBytes > 0 else { return nil }
        let memory = (ResultTable.samples(of: reference) ?? []).map { $0 * passBytes / referenceBytes }
        return pairedRatio(memory, over: ResultTable.samples(of: peak) ?? [])
    }

    public static func markdown(_ findings: [Finding], file: File) -> String {
        var out = "# The paper's claims, decided per processor\n\n"
        out += "Written by `softmax-repro claims` from the results under this folder and `claims/paper.json`; do not edit by hand.\n"
        out += "Speedups are medians of paired per-round time ratios (three-pass / two-pass, preset `\(file.preset)`) with 95% confidence intervals from order statistics; "
        out += "out of cache means n >= \(formatCount(file.outOfCacheLLCFactor)) x the last-level cache. An \"up to X\" claim is reproduced when the 95% CI of the largest out-of-cache speedup reaches X and lies above 1 (inconclusive when it holds both X and 1); "
        out += "a \"faster\" claim when every out-of-cache speedup's CI lies above 1 (not reproduced when one lies below, inconclusive otherwise).\n"
        out += "An interval describes the noise within one run; between runs on one VM the paired speedups moved further (docs/protocol.md, \"How sure the numbers are\": scripts/stability.py), so a verdict near its threshold deserves a second run.\n"
        for (processor, rows) in Dictionary(grouping: findings, by: \.processorID).sorted(by: { $0.key < $1.key }) {
            out += "\n## \(processor)\n\n\(rows[0].basis).\n\n| claim | measured | verdict | why |\n|---|---|---|---|\n"
            for f in rows {
                out += "| \(f.claimID): \(f.claim) | \(f.measured) | **\(f.verdict.rawValue)** | \(f.reason) |\n"
            }
        }
        if findings.isEmpty { out += "\nNo processor under this folder has results a claim applies to.\n" }
        return out
    }

    public static func text(_ findings: [Finding]) -> String {
        var out = ""
        for (processor, rows) in Dictionary(grouping: findings, by: \.processorID).sorted(by: { $0.key < $1.key }) {
            out += "\n\(processor): the paper's claims (\(rows[0].basis))\n"
            for f in rows {
                out += "  \(f.verdict.rawValue.uppercased()): \(f.claimID): \(f.measured)\n    \(f.reason)\n"
            }
        }
        return out
    }
}

private func formatCount(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }

/// 100000000 -> "100M", 3000 -> "3K" (decimal, as the paper's sizes); other counts in full.
private func decimalCount(_ n: Int) -> String {
    if n >= 1_000_000 && n % 1_000_000 == 0 { return "\(n / 1_000_000)M" }
    if n >= 1000 && n % 1000 == 0 { return "\(n / 1000)K" }
    return String(n)
}
