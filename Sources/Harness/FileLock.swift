import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock (flock) on a file, held until released or the process ends (a killed run's
/// lock goes with it, so a stale lock never blocks). The file holds who holds it: pid, start time, command.
public final class FileLock {
    public let path: String
    private var descriptor: Int32

    /// Who holds a lock, as its file says.
    public struct Holder: Equatable, Sendable, CustomStringConvertible {
        public var pid: Int
        public var started: String
        public var command: String
        public var description: String { "pid \(pid), started \(started): \(command)" }

        static func parse(_ text: String) -> Holder? {
            var fields: [String: String] = [:]
            for line in text.split(separator: "\n") {
                guard let eq = line.firstIndex(of: "=") else { continue }
                fields[String(line[..<eq])] = String(line[line.index(after: eq)...])
            }
            guard let pid = fields["pid"].flatMap({ Int($0) }) else { return nil }
            return Holder(pid: pid, started: fields["started"] ?? "?", command: fields["command"] ?? "?")
        }
    }

    public enum Outcome {
        case acquired(FileLock)
        /// Someone holds it; nil when its file does not say who (it was being written).
        case busy(Holder?)
    }

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Tries to take the lock; with `wait`, blocks until it is free (calling `waiting` once first).
    public static func acquire(_ path: String, command: String, wait: Bool = false, waiting: (Holder?) -> Void = { _ in }) throws -> Outcome {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
        guard fd >= 0 else {
            throw HarnessError.unwritableResults(path, "the lock file cannot be opened (\(String(cString: strerror(errno))))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK else {
                close(fd)
                throw HarnessError.unwritableResults(path, "the lock cannot be taken (\(String(cString: strerror(errno))))")
            }
            let holder = readHolder(path)
            guard wait else {
                close(fd)
                return .busy(holder)
            }
            waiting(holder)
            while flock(fd, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    close(fd)
                    throw HarnessError.unwritableResults(path, "the lock cannot be taken (\(String(cString: strerror(errno))))")
                }
            }
        }
        let stamp = ISO8601DateFormatter().string(from: Date())
        let text = "pid=\(getpid())\nstarted=\(stamp)\ncommand=\(command.replacingOccurrences(of: "\n", with: " "))\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        return .acquired(FileLock(path: path, descriptor: fd))
    }

    /// Whether someone holds the lock now (takes and drops it when free).
    public static func isHeld(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }

    public static func readHolder(_ path: String) -> Holder? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap(Holder.parse)
    }

    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}

/// The command line of this process, for lock files and messages.
var currentCommandLine: String { CommandLine.arguments.joined(separator: " ") }
