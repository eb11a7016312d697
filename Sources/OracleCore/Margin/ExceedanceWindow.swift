/// The last `capacity` exceedance flags of one account, oldest first, in a ring of bits: the
/// daemon keeps one per account, so 500 observations cost 64 bytes rather than 500.
public struct ExceedanceWindow: Sendable, Equatable {
    /// Flags kept (≥ the traffic light's 250, so the tests see two Basel windows).
    public let capacity: Int
    private var words: [UInt64]
    private var start = 0
    public private(set) var count = 0

    public init(capacity: Int = 500) {
        self.capacity = max(1, capacity)
        words = [UInt64](repeating: 0, count: (self.capacity + 63) / 64)
    }

    /// Appends one observation, dropping the oldest when full.
    public mutating func append(_ exceeded: Bool) {
        let i: Int
        if count < capacity {
            i = (start + count) % capacity
            count += 1
        } else {
            i = start
            start = (start + 1) % capacity
        }
        if exceeded { words[i / 64] |= 1 << UInt64(i % 64) } else { words[i / 64] &= ~(1 << UInt64(i % 64)) }
    }

    /// The flags, oldest first.
    public var sequence: [Bool] {
        (0..<count).map { k in
            let i = (start + k) % capacity
            return words[i / 64] & (1 << UInt64(i % 64)) != 0
        }
    }
}
