/// A small map from symbol ids to values in manually managed memory: looking a name up touches
/// no reference counts (arrays stored in classes are retained around every access).
final class SymbolSlots<Element> {
    private var keys: UnsafeMutablePointer<Int32>
    private var values: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 8) {
        self.capacity = capacity
        keys = .allocate(capacity: capacity)
        values = .allocate(capacity: capacity)
    }

    deinit {
        values.deinitialize(count: count)
        values.deallocate()
        keys.deallocate()
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
        let newKeys = UnsafeMutablePointer<Int32>.allocate(capacity: newCapacity)
        let newValues = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newKeys.update(from: keys, count: count)
        newValues.moveInitialize(from: values, count: count)
        keys.deallocate()
        values.deallocate()
        keys = newKeys
        values = newValues
        capacity = newCapacity
    }
}
