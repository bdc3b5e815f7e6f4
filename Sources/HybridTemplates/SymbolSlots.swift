/// A small map from symbol ids to values in manually managed memory: looking a name up touches
/// no reference counts (arrays stored in classes are retained around every access).
final class SymbolSlots<Element> {
    /// One allocation per map: the values, then the keys.
    private var storage: UnsafeMutableRawPointer
    private var keys: UnsafeMutablePointer<Int32>
    private var values: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 8) {
        self.capacity = capacity
        (storage, values, keys) = SymbolSlots.allocate(capacity: capacity)
    }

    deinit {
        values.deinitialize(count: count)
        storage.deallocate()
    }

    /// Room for `capacity` values and keys in one block (every render makes a few of these maps).
    private static func allocate(capacity: Int) -> (
        UnsafeMutableRawPointer, UnsafeMutablePointer<Element>, UnsafeMutablePointer<Int32>
    ) {
        let valueBytes = MemoryLayout<Element>.stride * capacity
        let storage = UnsafeMutableRawPointer.allocate(
            byteCount: valueBytes + MemoryLayout<Int32>.stride * capacity,
            alignment: Swift.max(MemoryLayout<Element>.alignment, MemoryLayout<Int32>.alignment))
        let values = storage.bindMemory(to: Element.self, capacity: capacity)
        let keys = (storage + valueBytes).bindMemory(to: Int32.self, capacity: capacity)
        return (storage, values, keys)
    }

    /// The slot of `id`, searching the most recently added first.
    @inline(__always)
    func index(of id: Int32) -> Int? {
        var index = count - 1
        while index >= 0 {
            if keys[index] == id { return index }
            index -= 1
        }
        return nil
    }

    @inline(__always)
    func value(at index: Int) -> Element { values[index] }

    func set(_ id: Int32, _ value: Element) {
        if let index = index(of: id) {
            values[index] = value
            return
        }
        if count == capacity { grow() }
        keys[count] = id
        (values + count).initialize(to: value)
        count += 1
    }

    func key(at index: Int) -> Int32 { keys[index] }

    private func grow() {
        let newCapacity = capacity * 2
        let (newStorage, newValues, newKeys) = SymbolSlots.allocate(capacity: newCapacity)
        newKeys.update(from: keys, count: count)
        newValues.moveInitialize(from: values, count: count)
        storage.deallocate()
        storage = newStorage
        keys = newKeys
        values = newValues
        capacity = newCapacity
    }
}
