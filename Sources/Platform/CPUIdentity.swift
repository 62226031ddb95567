import CPlatform
import Foundation

/// Which processor this is, as CPUID describes it, plus the names the results are filed under.
///
/// Results from several machines are merged by folder name, so `id` must be stable across runs on
/// the same CPU model and distinct across microarchitectures; it is derived only from CPUID data,
/// never from the host name or the OS. JSON keys follow the results schema (`model_name`).
public struct CPUIdentity: Codable, Sendable, Equatable {
    /// CPUID leaf 0 vendor string, e.g. "AuthenticAMD", "GenuineIntel"; "unknown" off x86.
    public let vendor: String
    /// Brand string from leaves 0x80000002-4, trimmed, e.g. "AMD EPYC 7763 64-Core Processor".
    public let modelName: String
    /// Display family, model and stepping (extended fields already folded in).
    public let family: Int
    public let model: Int
    public let stepping: Int
    /// Kebab-case microarchitecture from `microarchitecture(vendor:family:model:)`, or "unknown".
    public let microarchitecture: String
    /// Filesystem-safe slug `<vendor-short>-<microarchitecture>-<model slug>`, e.g. "amd-zen4-epyc".
    public let id: String

    enum CodingKeys: String, CodingKey {
        case vendor
        case modelName = "model_name"
        case family, model, stepping, microarchitecture, id
    }

    /// Builds an identity from raw facts, deriving `microarchitecture` and `id`.
    public init(vendor: String, modelName: String, family: Int, model: Int, stepping: Int) {
        self.vendor = vendor
        self.modelName = modelName
        self.family = family
        self.model = model
        self.stepping = stepping
        let uarch = CPUIdentity.microarchitecture(vendor: vendor, family: family, model: model)
        self.microarchitecture = uarch
        self.id = CPUIdentity.makeID(vendor: vendor, microarchitecture: uarch, modelName: modelName)
    }

    /// The identity of the CPU this code runs on. Cheap (a handful of CPUID instructions); on a
    /// non-x86 build every field is "unknown"/0.
    public static func current() -> CPUIdentity {
        var regs: [UInt32] = [0, 0, 0, 0]
        guard plat_cpuid(0, 0, &regs) == 1 else {
            return CPUIdentity(vendor: "unknown", modelName: "unknown", family: 0, model: 0, stepping: 0)
        }
        // The vendor string is spread over EBX, EDX, ECX, in that order.
        let vendor = asciiString(fromRegisters: [regs[1], regs[3], regs[2]])

        var family = 0, model = 0, stepping = 0
        if plat_cpuid(1, 0, &regs) == 1 {
            (family, model, stepping) = decodeSignature(regs[0])
        }

        var brandRegs: [UInt32] = []
        for leaf: UInt32 in 0x8000_0002...0x8000_0004 {
            guard plat_cpuid(leaf, 0, &regs) == 1 else { brandRegs = []; break }
            brandRegs += regs
        }
        var brand = brandRegs.isEmpty ? "" : asciiString(fromRegisters: brandRegs)
        brand = brand.trimmingSpaces()
        return CPUIdentity(vendor: vendor, modelName: brand.isEmpty ? "unknown" : brand,
                           family: family, model: model, stepping: stepping)
    }

    /// Decodes CPUID leaf 1 EAX into display family/model/stepping.
    ///
    /// The extended family is added only when the base family is 0xF and the extended model is
    /// prepended only for base families 0x6 and 0xF; that is the rule both vendors document, and
    /// it is why Zen 4 (base 0xF + ext 0xA) reads as family 0x19.
    public static func decodeSignature(_ eax: UInt32) -> (family: Int, model: Int, stepping: Int) {
        let stepping = Int(eax & 0xF)
        let baseModel = Int((eax >> 4) & 0xF)
        let baseFamily = Int((eax >> 8) & 0xF)
        let extModel = Int((eax >> 16) & 0xF)
        let extFamily = Int((eax >> 20) & 0xFF)
        let family = baseFamily == 0xF ? baseFamily + extFamily : baseFamily
        let model = (baseFamily == 0x6 || baseFamily == 0xF) ? (extModel << 4) + baseModel : baseModel
        return (family, model, stepping)
    }

    /// The microarchitecture of a (vendor, display family, display model), or "unknown".
    ///
    /// A pure table, so results are filed identically on every machine with the same CPU. Where
    /// several products share a model number the core design wins: Cascade Lake and Cooper Lake
    /// report 0x55 and are filed as "skylake-x"; Kaby/Coffee/Comet Lake are Skylake cores.
    public static func microarchitecture(vendor: String, family: Int, model: Int) -> String {
        switch vendor {
        case "AuthenticAMD": return amdMicroarchitecture(family: family, model: model)
        case "GenuineIntel": return intelMicroarchitecture(family: family, model: model)
        default: return "unknown"
        }
    }

    private static func amdMicroarchitecture(family: Int, model: Int) -> String {
        switch (family, model) {
        case (0x15, 0x00...0x01): return "bulldozer"
        case (0x15, 0x02), (0x15, 0x10...0x1F): return "piledriver"
        case (0x15, 0x30...0x3F): return "steamroller"
        case (0x15, 0x60...0x7F): return "excavator"
        case (0x17, 0x08), (0x17, 0x18): return "zen-plus"
        case (0x17, 0x00...0x2F): return "zen"
        case (0x17, 0x30...0x7F), (0x17, 0x90...0xAF): return "zen2"  // Rome..Renoir, Van Gogh, Mendocino
        case (0x19, 0x00...0x0F), (0x19, 0x20...0x5F): return "zen3"
        case (0x19, 0x10...0x1F), (0x19, 0x60...0x7F), (0x19, 0xA0...0xAF): return "zen4"
        case (0x1A, _): return "zen5"
        default: return "unknown"
        }
    }

    private static func intelMicroarchitecture(family: Int, model: Int) -> String {
        guard family == 6 else { return family == 0xF ? "netburst" : "unknown" }
        switch model {
        case 0x0F, 0x16, 0x17, 0x1D: return "core2"
        case 0x1A, 0x1E, 0x1F, 0x2E: return "nehalem"
        case 0x25, 0x2C, 0x2F: return "westmere"
        case 0x2A, 0x2D: return "sandybridge"
        case 0x3A, 0x3E: return "ivybridge"
        case 0x3C, 0x3F, 0x45, 0x46: return "haswell"
        case 0x3D, 0x47, 0x4F, 0x56: return "broadwell"
        case 0x4E, 0x5E, 0x8E, 0x9E, 0xA5, 0xA6: return "skylake"
        case 0x55: return "skylake-x"
        case 0x66: return "cannon-lake"
        case 0x6A, 0x6C: return "icelake-server"
        case 0x7D, 0x7E: return "icelake"
        case 0x8C, 0x8D: return "tiger-lake"
        case 0xA7: return "rocket-lake"
        case 0x8F: return "sapphire-rapids"
        case 0xCF: return "emerald-rapids"
        case 0xAD, 0xAE: return "granite-rapids"
        case 0x97, 0x9A: return "alder-lake"
        case 0xB7, 0xBA, 0xBF: return "raptor-lake"
        case 0xAA, 0xAC: return "meteor-lake"
        case 0xC5, 0xC6: return "arrow-lake"
        case 0xBD: return "lunar-lake"
        case 0xAF: return "sierra-forest"
        case 0x57: return "knights-landing"
        case 0x85: return "knights-mill"
        case 0x37, 0x4A, 0x4D, 0x5A, 0x5D: return "silvermont"
        case 0x4C: return "airmont"
        case 0x5C, 0x5F: return "goldmont"
        case 0x7A: return "goldmont-plus"
        case 0x86, 0x96, 0x9C: return "tremont"
        default: return "unknown"
        }
    }

    /// `<vendor-short>-<microarchitecture>-<model slug>`, e.g. "intel-skylake-x-xeon-gold-6154".
    public static func makeID(vendor: String, microarchitecture: String, modelName: String) -> String {
        let short: String
        switch vendor {
        case "AuthenticAMD": short = "amd"
        case "GenuineIntel": short = "intel"
        default: short = "other"
        }
        let slug = modelSlug(modelName)
        return "\(short)-\(microarchitecture)-\(slug.isEmpty ? "unknown" : slug)"
    }

    /// A short, lowercase, `[a-z0-9-]` rendering of a brand string that keeps what tells models
    /// apart (line, tier, number) and drops marketing noise: (R)/(TM), the vendor name (already in
    /// the id), "CPU"/"Processor", "N-Core", the "@ 3.00GHz" suffix and "with ... Graphics" tails.
    /// At most `maxLength` characters, cut at a word boundary.
    public static func modelSlug(_ modelName: String, maxLength: Int = 40) -> String {
        var s = modelName.lowercased()
        for mark in ["(r)", "(tm)", "(c)", "®", "™"] {
            s = s.replacingOccurrences(of: mark, with: " ")
        }
        // Integrated-graphics tails and the nominal frequency describe the SKU, not the core.
        for cut in [" with ", " w/ ", "@"] {
            if let r = s.range(of: cut) { s = String(s[..<r.lowerBound]) }
        }
        let noise: Set<String> = ["cpu", "processor", "amd", "intel", "with", "genuine"]
        let words = s.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init).filter { word in
            if noise.contains(word) { return false }
            if word.hasSuffix("-core") { return false }              // "64-core", "quad-core"
            if word.hasSuffix("ghz") || word.hasSuffix("mhz") {      // a stray "3.00ghz"
                return !word.dropLast(3).allSatisfy { $0.isNumber || $0 == "." }
            }
            return true
        }
        var slug = ""
        var lastWasDash = true  // suppresses a leading dash
        for ch in words.joined(separator: " ").unicodeScalars {
            if ("a"..."z").contains(ch) || ("0"..."9").contains(ch) {
                slug.unicodeScalars.append(ch)
                lastWasDash = false
            } else if !lastWasDash {
                slug.append("-")
                lastWasDash = true
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        if slug.count > maxLength {
            let cut = String(slug.prefix(maxLength))
            let cutMidWord = slug[slug.index(slug.startIndex, offsetBy: maxLength)] != "-"
            if cutMidWord, let lastDash = cut.lastIndex(of: "-") {
                slug = String(cut[..<lastDash])
            } else {
                slug = cut
            }
            while slug.hasSuffix("-") { slug.removeLast() }
        }
        return slug
    }

    private static func asciiString(fromRegisters regs: [UInt32]) -> String {
        var bytes: [UInt8] = []
        for r in regs {
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8((r >> UInt32(shift)) & 0xFF)) }
        }
        if let nul = bytes.firstIndex(of: 0) { bytes.removeSubrange(nul...) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
