import XCTest
@testable import Platform

final class CPUIdentityTests: XCTestCase {
    func testMicroarchitectureTable() {
        let cases: [(String, Int, Int, String)] = [
            ("AuthenticAMD", 0x19, 0x11, "zen4"),  // this VM: EPYC Genoa
            ("AuthenticAMD", 0x19, 0x01, "zen3"),
            ("AuthenticAMD", 0x19, 0x21, "zen3"),
            ("AuthenticAMD", 0x19, 0x61, "zen4"),
            ("AuthenticAMD", 0x19, 0xA0, "zen4"),
            ("AuthenticAMD", 0x17, 0x01, "zen"),
            ("AuthenticAMD", 0x17, 0x08, "zen-plus"),
            ("AuthenticAMD", 0x17, 0x18, "zen-plus"),
            ("AuthenticAMD", 0x17, 0x31, "zen2"),
            ("AuthenticAMD", 0x17, 0x71, "zen2"),
            ("AuthenticAMD", 0x1A, 0x02, "zen5"),
            ("GenuineIntel", 6, 0x4F, "broadwell"),
            ("GenuineIntel", 6, 0x3F, "haswell"),
            ("GenuineIntel", 6, 0x5E, "skylake"),
            ("GenuineIntel", 6, 0x55, "skylake-x"),
            ("GenuineIntel", 6, 0x6A, "icelake-server"),
            ("GenuineIntel", 6, 0x7E, "icelake"),
            ("GenuineIntel", 6, 0x8F, "sapphire-rapids"),
            ("GenuineIntel", 6, 0x97, "alder-lake"),
        ]
        for (vendor, family, model, expected) in cases {
            XCTAssertEqual(CPUIdentity.microarchitecture(vendor: vendor, family: family, model: model), expected,
                           "\(vendor) family \(family) model \(model)")
        }
    }

    func testUnknownMicroarchitecture() {
        XCTAssertEqual(CPUIdentity.microarchitecture(vendor: "GenuineIntel", family: 6, model: 0x01), "unknown")
        XCTAssertEqual(CPUIdentity.microarchitecture(vendor: "AuthenticAMD", family: 0x10, model: 0x02), "unknown")
        XCTAssertEqual(CPUIdentity.microarchitecture(vendor: "CentaurHauls", family: 6, model: 0x0F), "unknown")
        XCTAssertEqual(CPUIdentity.microarchitecture(vendor: "", family: 0, model: 0), "unknown")
    }

    func testSignatureDecoding() {
        // Zen 4 Genoa as this VM reports it: base family 0xF + extended 0xA, model 0x1 | 0x1 << 4.
        XCTAssertTrue(CPUIdentity.decodeSignature(0x00A1_0F11) == (0x19, 0x11, 1))
        // Skylake-SP: family 6, extended model 5, model 5, stepping 4.
        XCTAssertTrue(CPUIdentity.decodeSignature(0x0005_0654) == (6, 0x55, 4))
        // A family below 6 takes neither extension.
        XCTAssertTrue(CPUIdentity.decodeSignature(0x0015_0521) == (5, 2, 1))
    }

    func testIDSlugs() {
        XCTAssertEqual(CPUIdentity.makeID(vendor: "AuthenticAMD", microarchitecture: "zen4", modelName: "AMD EPYC"),
                       "amd-zen4-epyc")
        XCTAssertEqual(CPUIdentity.makeID(vendor: "GenuineIntel", microarchitecture: "skylake-x",
                                          modelName: "Intel(R) Xeon(R) Gold 6154 CPU @ 3.00GHz"),
                       "intel-skylake-x-xeon-gold-6154")
        XCTAssertEqual(CPUIdentity.modelSlug("AMD EPYC 7763 64-Core Processor"), "epyc-7763")
        XCTAssertEqual(CPUIdentity.modelSlug("Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz"), "xeon-e5-2680-v4")
        XCTAssertEqual(CPUIdentity.modelSlug("AMD Ryzen 7 5800H with Radeon Graphics"), "ryzen-7-5800h")
        XCTAssertEqual(CPUIdentity.modelSlug("12th Gen Intel(R) Core(TM) i7-12700K"), "12th-gen-core-i7-12700k")
        XCTAssertEqual(CPUIdentity.makeID(vendor: "CentaurHauls", microarchitecture: "unknown", modelName: ""),
                       "other-unknown-unknown")
    }

    func testSlugIsBoundedAndFilesystemSafe() {
        let long = "Some Vendor(TM) Extremely/Long  Model: Name_With*Odd+Characters and More Words 9000 Edition"
        let slug = CPUIdentity.modelSlug(long)
        XCTAssertLessThanOrEqual(slug.count, 40)
        XCTAssertFalse(slug.hasPrefix("-") || slug.hasSuffix("-") || slug.contains("--"), slug)
        XCTAssertTrue(slug.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }, slug)
    }

    func testInitDerivesMicroarchitectureAndID() {
        let id = CPUIdentity(vendor: "AuthenticAMD", modelName: "AMD EPYC", family: 0x19, model: 0x11, stepping: 1)
        XCTAssertEqual(id.microarchitecture, "zen4")
        XCTAssertEqual(id.id, "amd-zen4-epyc")
    }

    func testCodableUsesSchemaKeys() throws {
        let id = CPUIdentity(vendor: "AuthenticAMD", modelName: "AMD EPYC", family: 25, model: 17, stepping: 1)
        let json = String(decoding: try JSONEncoder().encode(id), as: UTF8.self)
        XCTAssertTrue(json.contains("\"model_name\":\"AMD EPYC\""), json)
        XCTAssertEqual(try JSONDecoder().decode(CPUIdentity.self, from: Data(json.utf8)), id)
    }

    func testCurrentMachine() {
        let cpu = CPUIdentity.current()
        print("CPUIdentity.current(): \(cpu)")
        XCTAssertFalse(cpu.vendor.isEmpty)
        XCTAssertGreaterThan(cpu.family, 0)
        XCTAssertFalse(cpu.modelName.isEmpty)
        XCTAssertEqual(cpu.modelName, cpu.modelName.trimmingCharacters(in: .whitespaces))
        XCTAssertEqual(cpu.id, CPUIdentity.makeID(vendor: cpu.vendor, microarchitecture: cpu.microarchitecture,
                                                  modelName: cpu.modelName))
    }
}
