#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What identifies an unchanged file without reading it: device, inode, size, modification and
/// status-change times (git's index uses the same fields).
public struct FileStamp: Equatable, Sendable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var modifiedSeconds: Int
    public var modifiedNanoseconds: Int
    public var changedSeconds: Int
    public var changedNanoseconds: Int
    public var isDirectory: Bool

    public init(
        device: UInt64, inode: UInt64, size: Int64, modifiedSeconds: Int, modifiedNanoseconds: Int,
        changedSeconds: Int, changedNanoseconds: Int, isDirectory: Bool = false
    ) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modifiedSeconds = modifiedSeconds
        self.modifiedNanoseconds = modifiedNanoseconds
        self.changedSeconds = changedSeconds
        self.changedNanoseconds = changedNanoseconds
        self.isDirectory = isDirectory
    }

    /// The stamp of the file at `path` (following symlinks), nil when it does not exist.
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.init(info)
    }

    public init(_ info: stat) {
        isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modifiedSeconds = info.st_mtim.tv_sec
        modifiedNanoseconds = info.st_mtim.tv_nsec
        changedSeconds = info.st_ctim.tv_sec
        changedNanoseconds = info.st_ctim.tv_nsec
    }

    /// Whether a later write within the same timestamp tick could go unnoticed (git's "racy"
    /// rule): a stamp taken less than two seconds after the file's last change is not trusted.
    public func isRacy(now: Int) -> Bool {
        now - max(modifiedSeconds, changedSeconds) < 2
    }

    public static func nowSeconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return now.tv_sec
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(device)
        writer.write(inode)
        writer.write(Int(size))
        writer.write(modifiedSeconds)
        writer.write(modifiedNanoseconds)
        writer.write(changedSeconds)
        writer.write(changedNanoseconds)
    }

    static func read(from reader: inout BinaryReader) throws(BinaryReader.Malformed) -> FileStamp {
        FileStamp(
            device: try reader.readUInt64(), inode: try reader.readUInt64(), size: Int64(try reader.readInt()),
            modifiedSeconds: try reader.readInt(), modifiedNanoseconds: try reader.readInt(),
            changedSeconds: try reader.readInt(), changedNanoseconds: try reader.readInt())
    }
}

extension BinaryWriter {
    public mutating func write(_ stamp: FileStamp) { stamp.write(to: &self) }
}

extension BinaryReader {
    public mutating func readStamp() throws(BinaryReader.Malformed) -> FileStamp { try FileStamp.read(from: &self) }
}
