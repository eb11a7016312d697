#if canImport(Glibc)
import Glibc
#endif

/// The identity of the process on the other end of an accepted Unix-socket connection.
///
/// Read once per connection with `SO_PEERCRED`, so the kernel, not the client, vouches for it:
/// mutating routes compare `uid` with the daemon's allow-list instead of trusting a header.
public struct PeerCredentials: Sendable, Equatable, Hashable {
    /// Process id of the peer at the time it connected.
    public var pid: Int32
    /// Effective user id of the peer at the time it connected.
    public var uid: UInt32
    /// Effective group id of the peer at the time it connected.
    public var gid: UInt32

    /// Creates credentials from their three ids (tests build these by hand).
    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }
}

/// Byte-for-byte mirror of Linux's `struct ucred { pid_t pid; uid_t uid; gid_t gid; }`.
///
/// Swift's Glibc import hides `struct ucred` behind `_GNU_SOURCE`, and NIO does not hand out a
/// channel's file descriptor, so the server reads `SO_PEERCRED` through NIO's
/// `SocketOptionProvider.unsafeGetSocketOption` into this layout-identical struct (12 bytes,
/// three 32-bit fields; the kernel ABI for this struct has been fixed since Linux 2.2).
struct RawUcred: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}
