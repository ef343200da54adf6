import Dispatch

/// SHA-256 computed on a serial background queue. At most `maxInFlight` chunks wait, so a
/// slow hash cannot make memory grow with the file.
final class BackgroundHasher: @unchecked Sendable {
    private let queue = DispatchQueue(label: "tokentrail.sha256")
    private let slots: DispatchSemaphore
    private let hasher = SHA256()   // touched only on `queue`

    init(maxInFlight: Int = 8) { slots = DispatchSemaphore(value: maxInFlight) }

    func update(_ bytes: UnsafeRawBufferPointer) {
        let chunk = [UInt8](bytes)
        slots.wait()
        queue.async {
            chunk.withUnsafeBytes { self.hasher.update($0) }
            self.slots.signal()
        }
    }

    func finalize() -> [UInt8] {
        queue.sync { hasher.finalize() }
    }
}
