#ifndef ORACLED_SYSTEM_SHIM_H
#define ORACLED_SYSTEM_SHIM_H
#include <sys/types.h>

// struct ucred needs _GNU_SOURCE, which Swift's Glibc import does not define:
// this returns the peer's pid/uid/gid of a connected Unix socket. 0 on success, -1 + errno.
int shim_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid);
// syncfs(2) (flush one filesystem and wait) is a GNU extension Swift's Glibc import does not show.
int shim_syncfs(int fd);
#endif
