import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The metadata JSON beside a results CSV, read and written as a whole. What goes in it is Metadata's;
/// where it lives is ResultsLayout's.
public enum MetadataFile {
    /// The metadata at `path` as a JSON object; nil when there is none or it cannot be read.
    public static func read(_ path: String) -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// Writes to a temporary file beside `path` and renames it over `path`, so a reader (or a killed run)
    /// never sees half a file.
    static func write(_ metadata: [String: Any], to path: String) throws {
        let data = try JSONSerialization.data(withJSONObject: metadata, options: [.prettyPrinted, .sortedKeys])
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: data + Data("\n".utf8)) else {
            throw HarnessError.unwritableResults(path, "the metadata file cannot be written")
        }
        guard rename(temporary, path) == 0 else {
            let why = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw HarnessError.unwritableResults(path, "the metadata file cannot be replaced (\(why))")
        }
    }
}
