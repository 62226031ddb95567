import Foundation

/// A small JSON reader for experiment files that keeps what JSONSerialization drops: where each value
/// starts (so an error can name the line and column), a number's text as written (so 1000.5 or 1e20 can
/// be told from a whole number), and duplicate keys (JSONSerialization keeps the last one silently, so a
/// file that sets `samples` twice would run with whichever came last).
struct StrictJSON {
    struct Node {
        indirect enum Value {
            case object([(key: String, value: Node)])
            case array([Node])
            case string(String)
            /// The number as written in the file.
            case number(String)
            case bool(Bool)
            case null
        }

        var value: Value
        var line: Int
        var column: Int

        var position: String { "line \(line), column \(column)" }

        /// How the value reads in a message: a number or string as written, else its type.
        var written: String {
            switch value {
            case let .number(text): return text
            case let .string(text): return "\"\(text)\""
            case let .bool(b): return String(b)
            case .null: return "null"
            case .array: return "a list"
            case .object: return "an object"
            }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var message: String
        var line: Int
        var column: Int
        var description: String { "\(message) (line \(line), column \(column))" }
    }

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0

    /// Parses a whole document; throws a Failure naming the position for malformed JSON and for a key that
    /// appears twice in one object.
    static func parse(_ data: Data) throws -> Node {
        var reader = StrictJSON(bytes: [UInt8](data))
        reader.skipWhitespace()
        let node = try reader.value(path: "")
        reader.skipWhitespace()
        guard reader.index == reader.bytes.count else { throw reader.failure("unexpected text after the end of the JSON value") }
        return node
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private var column: Int { index - lineStart + 1 }

    private func failure(_ message: String) -> Failure { Failure(message: "not valid JSON: \(message)", line: line, column: column) }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\n"):
                index += 1
                line += 1
                lineStart = index
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): index += 1
            default: return
            }
        }
    }

    private mutating func value(path: String) throws -> Node {
        guard index < bytes.count else { throw failure("the file ends where a value should be") }
        let (startLine, startColumn) = (line, column)
        func node(_ v: Node.Value) -> Node { Node(value: v, line: startLine, column: startColumn) }
        switch bytes[index] {
        case UInt8(ascii: "{"): return node(try object(path: path))
        case UInt8(ascii: "["): return node(try array(path: path))
        case UInt8(ascii: "\""): return node(.string(try string()))
        case UInt8(ascii: "t"): try literal("true"); return node(.bool(true))
        case UInt8(ascii: "f"): try literal("false"); return node(.bool(false))
        case UInt8(ascii: "n"): try literal("null"); return node(.null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return node(.number(try number()))
        default: throw failure("unexpected character '\(Character(Unicode.Scalar(bytes[index])))'")
        }
    }

    private mutating func literal(_ word: String) throws {
        let expected = Array(word.utf8)
        guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected else {
            throw failure("expected '\(word)'")
        }
        index += expected.count
    }

    private mutating func object(path: String) throws -> Node.Value {
        index += 1  // {
        var members: [(key: String, value: Node)] = []
        var seen: [String: Int] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a key in double quotes") }
            let keyLine = line, keyColumn = column
            let key = try string()
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            if let first = seen[key] {
                throw Failure(message: "key '\(keyPath)' appears twice (first on line \(first)): keep one", line: keyLine, column: keyColumn)
            }
            seen[key] = keyLine
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':' after key '\(keyPath)'") }
            index += 1
            skipWhitespace()
            members.append((key, try value(path: keyPath)))
            skipWhitespace()
            guard index < bytes.count else { throw failure("the file ends inside an object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw failure("expected ',' or '}' after the value of key '\(keyPath)'")
        }
    }

    private mutating func array(path: String) throws -> Node.Value {
        index += 1  // [
        var elements: [Node] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try value(path: "\(path)[\(elements.count)]"))
            skipWhitespace()
            guard index < bytes.count else { throw failure("the file ends inside a list") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            throw failure("expected ',' or ']' in a list")
        }
    }

    private mutating func string() throws -> String {
        index += 1  // opening quote
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        func flushRaw() throws {
            guard !raw.isEmpty else { return }
            guard let text = String(validating: raw, as: UTF8.self) else { throw failure("a string is not valid UTF-8") }
            scalars.append(contentsOf: text.unicodeScalars)
            raw.removeAll()
        }
        while true {
            guard index < bytes.count else { throw failure("the file ends inside a string") }
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                try flushRaw()
                return String(scalars)
            }
            if b < 0x20 { throw failure("a control character (or line break) inside a string") }
            if b != UInt8(ascii: "\\") {
                raw.append(b)
                index += 1
                continue
            }
            try flushRaw()
            index += 1
            guard index < bytes.count else { throw failure("the file ends inside a string") }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800..<0xDC00).contains(code) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw failure("a lone surrogate \\u escape")
                    }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw failure("a lone surrogate \\u escape") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw failure("an invalid \\u escape") }
                scalars.append(scalar)
            default: throw failure("an unknown escape '\\\(Character(Unicode.Scalar(escape)))' in a string")
            }
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
            throw failure("\\u must be followed by 4 hexadecimal digits")
        }
        index += 4
        return code
    }

    private mutating func number() throws -> String {
        let start = index
        func digits() -> Int {
            let from = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - from
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        guard digits() > 0 else { throw failure("a number needs digits") }
        if bytes[integerStart] == UInt8(ascii: "0") && index - integerStart > 1 { throw failure("a number must not start with 0") }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw failure("a number needs digits after '.'") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw failure("a number needs digits in its exponent") }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }
}

/// The type a key of an experiment file must have, checked on the file as written so an error names the key
/// and what was expected instead of a decoder's "not valid JSON".
indirect enum ExpectedJSON {
    case string
    case bool
    /// A finite number of at most `limit` in magnitude.
    case number(limit: Double)
    /// A whole number, written as digits (no fraction, no exponent), within the range.
    case whole(ClosedRange<Int64>)
    case unsigned64
    case list(of: ExpectedJSON)
    /// An object whose every value has this type.
    case map(of: ExpectedJSON)

    var name: String {
        switch self {
        case .string: return "a string"
        case .bool: return "true or false"
        case let .number(limit): return limit == .greatestFiniteMagnitude ? "a finite number" : "a number of magnitude at most \(limit)"
        case let .whole(range): return "a whole number from \(range.lowerBound) to \(range.upperBound), written as digits"
        case .unsigned64: return "a whole number from 0 to \(UInt64.max), written as digits"
        case let .list(element): return "a list of \(element.pluralName)"
        case let .map(element): return "an object whose values are \(element.pluralName)"
        }
    }

    private var pluralName: String {
        switch self {
        case .string: return "strings"
        case .bool: return "true or false values"
        case .number: return "numbers"
        case .whole, .unsigned64: return "whole numbers"
        case let .list(element): return "lists of \(element.pluralName)"
        case .map: return "objects"
        }
    }

    /// Throws a message naming `key` (with list indices and object keys, e.g. sizes[2]) when `node` does not fit.
    func check(_ node: StrictJSON.Node, key: String) throws {
        func mismatch(_ detail: String = "") -> HarnessErrorMessage {
            HarnessErrorMessage("key '\(key)' is \(node.written): expected \(name)\(detail) (\(node.position))")
        }
        switch (self, node.value) {
        case (.string, .string), (.bool, .bool): return
        case let (.number(limit), .number(text)):
            guard let v = Double(text), v.isFinite, Swift.abs(v) <= limit else { throw mismatch() }
        case let (.whole(range), .number(text)):
            guard text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }), let v = Int64(text), range.contains(v) else { throw mismatch() }
        case let (.unsigned64, .number(text)):
            guard text.allSatisfy({ $0.isASCII && $0.isNumber }), UInt64(text) != nil else { throw mismatch() }
        case let (.list(element), .array(nodes)):
            for (i, n) in nodes.enumerated() { try element.check(n, key: "\(key)[\(i)]") }
        case let (.map(element), .object(members)):
            for (k, n) in members { try element.check(n, key: "\(key).\(k)") }
        default: throw mismatch()
        }
    }
}

/// A message that already names what is wrong and where; the caller adds the file.
struct HarnessErrorMessage: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
