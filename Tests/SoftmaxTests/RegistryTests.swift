import XCTest

@testable import Softmax

final class RegistryTests: XCTestCase {
    func testNamesStateFamilyISATileAccumulatorsAndVariant() {
        for kernel in KernelRegistry.all {
            let expected = "\(kernel.family.rawValue)_\(kernel.isa.rawValue)_x\(kernel.elementsPerIteration)"
                + (kernel.accumulators > 1 ? "_acc\(kernel.accumulators)" : "")
                + (kernel.variant.isEmpty ? "" : "_\(kernel.variant)")
                + (kernel.expMethod.isEmpty ? "" : "_\(kernel.expMethod)")
            XCTAssertEqual(kernel.name, expected)
        }
        XCTAssertEqual(Set(KernelRegistry.all.map(\.name)).count, KernelRegistry.all.count, "kernel names are unique")
    }

    /// Variants change how memory is moved, not the arithmetic: each has a plain twin to be compared with
    /// (the roofline takes a streaming kernel's compute bound from it).
    func testEveryVariantHasAPlainTwin() {
        for kernel in KernelRegistry.all where !kernel.variant.isEmpty {
            let twin = KernelRegistry.plainTwin(of: kernel)
            XCTAssertNotNil(twin, "\(kernel.name) has no plain kernel with its tile and accumulators")
            XCTAssertEqual(kernel.nonTemporalStores, kernel.variant.contains("nt"), kernel.name)
            XCTAssertEqual(kernel.prefetchBytes > 0, kernel.variant.contains("pf"), kernel.name)
            if kernel.nonTemporalStores { XCTAssertTrue(kernel.family.writesOutput, "\(kernel.name) streams an output it does not have") }
        }
        XCTAssertTrue(KernelRegistry.all.contains { $0.nonTemporalStores }, "the registry should list streaming-store variants")
    }

    /// A table exp method is checked bit for bit between AVX2 and AVX512F (CrossISATests, DenormalTests):
    /// each family that has one has it for both, and only the exp families have one. The one variant a
    /// method takes is `perm` (lut64p2's table read by permutes, AVX512F), which VariantTests compare with
    /// its plain twin bit for bit; memory variants are not combined with methods.
    func testEveryExpMethodExistsForBothSIMDISAs() {
        let methods = KernelRegistry.all.filter { !$0.expMethod.isEmpty }
        XCTAssertFalse(methods.isEmpty, "the registry should list table exp kernels")
        for kernel in methods {
            XCTAssertNotEqual(kernel.isa, .portable, kernel.name)
            XCTAssertTrue(kernel.variant.isEmpty || kernel.variant == "perm", "\(kernel.name): an exp method is not a memory variant")
            if kernel.variant == "perm" {
                XCTAssertEqual(kernel.expMethod, "lut64p2", "\(kernel.name): only lut64p2 has a permute lookup")
                XCTAssertEqual(kernel.isa, .avx512f, "\(kernel.name): two-table permutes are AVX512F's")
                XCTAssertFalse(kernel.nonTemporalStores || kernel.prefetchBytes != 0, "\(kernel.name) moves memory as its twin does")
            }
            XCTAssertFalse([.rmax, .vscale].contains(kernel.family), "\(kernel.name) computes no exp")
            for isa in [ISA.avx2, .avx512f] {
                XCTAssertTrue(KernelRegistry.kernels(family: kernel.family, isa: isa).contains { $0.expMethod == kernel.expMethod },
                              "\(kernel.name) has no \(isa.rawValue) kernel of its method")
            }
        }
    }

    /// Instructions per element are the deterministic measure the exp methods are compared by (issue 16):
    /// every kernel has a count from scripts/count-instructions.py, a plausible one (at least one
    /// instruction per vector of the tile, fewer than 100 per element).
    func testEveryKernelHasAnInstructionCount() {
        for kernel in KernelRegistry.all {
            guard let perElement = kernel.instructionsPerElement else {
                XCTFail("\(kernel.name) has no instruction count: run scripts/count-instructions.py after swift build")
                continue
            }
            XCTAssertGreaterThanOrEqual(perElement, 1 / Double(lanes(of: kernel.isa)), kernel.name)
            XCTAssertLessThan(perElement, 100, kernel.name)
        }
        XCTAssertFalse(KernelBuild.instructionCountsCompiler.isEmpty)
    }

    /// PassFamily and ISA are the C lists (families.def, isas.def), in their order: a family or an ISA
    /// added on one side only fails here.
    func testSwiftCasesAreTheCLists() {
        XCTAssertEqual(PassFamily.allCases.map(\.rawValue), PassFamily.cListNames)
        XCTAssertEqual(ISA.allCases.map(\.rawValue), ISA.cListNames)
    }

    /// A kernel's traffic is its family's, and every family's memory reference is a loop the library has.
    func testKernelsHaveTheirFamilysTrafficAndFamiliesAnExistingReference() {
        for kernel in KernelRegistry.all {
            XCTAssertEqual(kernel.bytesReadPerElement, kernel.family.bytesReadPerElement, kernel.name)
            XCTAssertEqual(kernel.bytesWrittenPerElement, kernel.family.bytesWrittenPerElement, kernel.name)
        }
        for family in PassFamily.allCases {
            XCTAssertEqual(family.bytesReadPerElement, 4, "\(family) reads each input once")
            for streaming in [false, true] {
                let name = family.memoryReference(nonTemporalStores: streaming)
                XCTAssertNotNil(MemoryReference.named(name, isa: .portable), "\(family): no memory reference '\(name)'")
                let reference = MemoryReference.named(name, isa: .portable)
                XCTAssertEqual(reference?.bytesWrittenPerElement ?? -1 > 0, family.writesOutput, "\(family) and \(name) write alike")
            }
        }
        XCTAssertEqual(PassFamily.vscaleexpminusmax.memoryReference(nonTemporalStores: true), "copy_nt")
        XCTAssertEqual(PassFamily.vscale.memoryReference(nonTemporalStores: true), "scale", "in-place vscale reads y anyway")
        XCTAssertEqual(PassFamily.rmax.memoryReference(), "read")
    }

    func testEveryFamilyExistsForEveryISA() {
        for family in PassFamily.allCases {
            for isa in ISA.allCases {
                XCTAssertFalse(KernelRegistry.kernels(family: family, isa: isa).isEmpty, "\(family) \(isa)")
            }
        }
    }

    func testTilesAreWholeVectors() {
        for kernel in KernelRegistry.all {
            XCTAssertEqual(kernel.elementsPerIteration % lanes(of: kernel.isa), 0, kernel.name)
            XCTAssertEqual((kernel.elementsPerIteration / lanes(of: kernel.isa)) % kernel.accumulators, 0,
                           "\(kernel.name): vectors per iteration should split evenly among accumulators")
        }
    }

    /// The paper's traffic: 12, 16 and 20 bytes per element.
    func testTrafficPerAlgorithmIsThePapers() throws {
        let preset = try blendPreset()
        let expected: [Algorithm: Int] = [.twoPass: 12, .threePassRecompute: 16, .threePassReload: 20, .online: 12]
        for isa in ISA.supported {
            for algorithm in Algorithm.allCases {
                XCTAssertEqual(try preset.plan(algorithm, isa: isa).bytesPerElement, expected[algorithm], "\(algorithm) \(isa)")
            }
        }
    }

    func testPortableIsAlwaysSupportedAndDetectionMatchesCPUInfo() throws {
        XCTAssertTrue(ISA.portable.isSupported)
        // Cross-check CPUID against the kernel's view in /proc/cpuinfo where it exists.
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else {
            throw XCTSkip("no /proc/cpuinfo flags to compare with")
        }
        let set = Set(flags.split(separator: " ").map(String.init))
        XCTAssertEqual(ISA.avx2.isSupported, set.contains("avx2") && set.contains("fma"))
        XCTAssertEqual(ISA.avx512f.isSupported, set.contains("avx512f"))
        print("note: this CPU runs \(ISA.supported.map(\.rawValue).joined(separator: ", "))")
    }

    func testBadPlansAreRejectedWithClearMessages() {
        XCTAssertThrowsError(try SoftmaxPlan(algorithm: .twoPass, kernelNames: ["raddextexp_avx2_x95", "vscaleextexp_avx2_x40"])) {
            XCTAssert("\($0)".contains("did you mean"), "\($0)")
        }
        XCTAssertThrowsError(try SoftmaxPlan(algorithm: .twoPass, kernelNames: ["rmax_avx2_x32_acc4", "vscaleextexp_avx2_x40"])) {
            XCTAssert("\($0)".contains("raddextexp"), "\($0)")
        }
        XCTAssertThrowsError(try SoftmaxPlan(algorithm: .twoPass, kernelNames: ["raddextexp_portable_x4_acc4", "vscaleextexp_avx2_x40"])) {
            XCTAssert("\($0)".contains("mixes ISAs"), "\($0)")
        }
        if !ISA.avx512f.isSupported {
            XCTAssertThrowsError(try SoftmaxPlan(algorithm: .twoPass, kernelNames: ["raddextexp_avx512f_x144_acc3", "vscaleextexp_avx512f_x16"])) {
                XCTAssert("\($0)".contains("supports"), "\($0)")
            }
        }
    }

    func testMalformedPresetNamesTheKey() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bad-preset-\(getpid()).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try #"{"name": "x", "description": "", "kernels": {"avx2": {"two-pass": ["raddextexp_avx2_x96"]}}}"#.write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Preset.load(from: url)) { XCTAssert("\($0)".contains("two-pass lists 1 kernels"), "\($0)") }
        try #"{"name": "x", "kernels": {}}"#.write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Preset.load(from: url)) { XCTAssert("\($0)".contains("description"), "\($0)") }
    }
}
