import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP server on 127.0.0.1 for webhook tests: answers each request with the next
/// status of `statuses` (the last one repeats) and keeps the request bodies.
final class LocalHTTPServer: @unchecked Sendable {
    let port: UInt16
    private let socket: Int32
    private let lock = NSLock()
    private var statuses: [Int]
    private var _bodies: [Data] = []

    private var _heads: [String] = []
    var bodies: [Data] { lock.lock(); defer { lock.unlock() }; return _bodies }
    /// Each request's head (request line and headers), lowercased.
    var heads: [String] { lock.lock(); defer { lock.unlock() }; return _heads }
    var url: URL { URL(string: "http://\(ipv6 ? "[::1]" : "127.0.0.1"):\(port)/hooks/secret-token?key=do-not-print")! }
    /// Seconds to wait, after reading a whole request, before answering (a slow receiver).
    private let delay: Double
    private let ipv6: Bool

    /// Sent as `Location` with a 3xx status.
    private let location: String?
    /// Decides the status from the body (a service that validates what it is sent), instead of `statuses`.
    private let judge: (@Sendable (Data) -> Int)?

    init(statuses: [Int], location: String? = nil, judge: (@Sendable (Data) -> Int)? = nil, delay: Double = 0, ipv6: Bool = false) throws {
        self.statuses = statuses
        self.location = location
        self.judge = judge
        self.delay = delay
        self.ipv6 = ipv6
        if ipv6 {   // on ::1, for a webhook URL with an IPv6 literal host
            let fd = Glibc.socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
            var yes: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_addr = in6addr_loopback
            var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
            guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw POSIXError(.EADDRNOTAVAIL) }
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
            socket = fd
            port = UInt16(bigEndian: address.sin6_port)
            Thread.detachNewThread { [self] in serve() }
            return
        }
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        socket = fd
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in serve() }
    }

    deinit { close(socket) }

    private func serve() {
        while true {
            let client = accept(socket, nil, nil)
            guard client >= 0 else { return }
            var received = Data()
            var buffer = [UInt8](repeating: 0, count: 65536)
            var expected: Int?
            while true {
                let n = read(client, &buffer, buffer.count)
                guard n > 0 else { break }
                received.append(contentsOf: buffer[0..<n])
                if expected == nil, let end = received.range(of: Data("\r\n\r\n".utf8)) {
                    let head = String(decoding: received[..<end.lowerBound], as: UTF8.self).lowercased()
                    let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                        .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                    expected = end.upperBound + length
                }
                if let expected, received.count >= expected { break }
            }
            let status: Int
            lock.lock()
            let body = received.range(of: Data("\r\n\r\n".utf8)).map { Data(received[$0.upperBound...]) }
            if let body { _bodies.append(body) }
            if let end = received.range(of: Data("\r\n\r\n".utf8)) { _heads.append(String(decoding: received[..<end.lowerBound], as: UTF8.self).lowercased()) }
            status = judge.map { $0(body ?? Data()) } ?? (statuses.count > 1 ? statuses.removeFirst() : statuses[0])
            lock.unlock()
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            let redirect = (300..<400).contains(status) ? location.map { "Location: \($0)\r\n" } ?? "" : ""
            let response = "HTTP/1.1 \(status) X\r\n\(redirect)Content-Length: 0\r\nConnection: close\r\n\r\n"
            _ = response.withCString { write(client, $0, strlen($0)) }
            close(client)
        }
    }
}
