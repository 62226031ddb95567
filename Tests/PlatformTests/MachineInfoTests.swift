import XCTest
@testable import Platform

final class MachineInfoTests: XCTestCase {
    func testMemory() {
        let total = MachineInfo.memoryBytes()
        let available = MachineInfo.availableMemoryBytes()
        XCTAssertGreaterThan(total, 0)
        XCTAssertGreaterThan(available, 0)
        XCTAssertLessThanOrEqual(available, total)
    }

    func testMeminfoParsing() {
        let text = "MemTotal:        4417596 kB\nMemFree:          123 kB\nMemAvailable:    3900000 kB\n"
        XCTAssertEqual(MachineInfo.parseMeminfo(text, key: "MemTotal"), 4_417_596 * 1024)
        XCTAssertEqual(MachineInfo.parseMeminfo(text, key: "MemAvailable"), 3_900_000 * 1024)
        XCTAssertNil(MachineInfo.parseMeminfo(text, key: "SwapTotal"))
    }

    func testOSReleaseParsing() {
        XCTAssertEqual(MachineInfo.parseOSRelease("NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"),
                       "Debian GNU/Linux 12 (bookworm)")
        XCTAssertEqual(MachineInfo.parseOSRelease("NAME=Alpine\n"), "Alpine")
        XCTAssertNil(MachineInfo.parseOSRelease("ID=x\n"))
    }

    func testOSAndKernel() {
        XCTAssertNotEqual(MachineInfo.osName(), "unknown")
        XCTAssertFalse(MachineInfo.kernelRelease().isEmpty)
        XCTAssertNotEqual(MachineInfo.kernelRelease(), "unknown")
    }

    func testFrequencyControlsGiveValueOrReason() {
        // On this VM neither exists; on bare metal both usually do. Either way exactly one is set.
        let (governor, governorReason) = MachineInfo.cpufreqGovernor()
        let (boost, boostReason) = MachineInfo.boostState()
        print("governor: \(governor ?? "nil") (\(governorReason ?? "-")); boost: \(boost ?? "nil") (\(boostReason ?? "-"))")
        XCTAssertTrue((governor == nil) != (governorReason == nil))
        XCTAssertTrue((boost == nil) != (boostReason == nil))
        if let boost { XCTAssertTrue(["enabled", "disabled"].contains(boost)) }
    }
}
