"""Confinement the child applies to itself before it runs a single line of the submission.

Four layers, each reported by name so a result can say what held:

- ``rlimits``: address space, CPU seconds, file size, open files and core dumps; soft and hard
  limits are set equal, and the seccomp layer denies raising them again (root could).
- ``landlock``: the filesystem becomes read-only and only the standard library (without its
  site-packages), NumPy and a few device files stay readable, so torch cannot even be read,
  let alone imported, and nothing of the user's can be read or written.
- ``seccomp``: a kernel filter denies creating processes (fork, vfork, clone without
  CLONE_THREAD, clone3, execve), signalling any other process, ptrace and process_vm_*,
  sockets, opening files for writing, changing files and directories, raising limits, and the
  privileged calls a root process could otherwise use. No process can undo a filter.
- ``parent-death``: the kernel kills the child when the grader dies.

Linux only; elsewhere (or on old kernels, or without libseccomp) the missing layers are
reported and the grader says the isolation is ``basic``. Standard library only at import:
the child loads this file by path, before numpy is on its path.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import resource
import signal
import sys
import sysconfig
from typing import Any

PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38

# Landlock (linux/landlock.h): syscalls 444-446 on every architecture.
LANDLOCK_CREATE_RULESET, LANDLOCK_ADD_RULE, LANDLOCK_RESTRICT_SELF = 444, 445, 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FS_ABI1 = (1 << 13) - 1  # execute .. make_sym: every right of ABI 1
FS_REFER, FS_TRUNCATE, FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15  # ABI 2, 3, 5
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1  # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6

# seccomp: what the submission may not do. Unknown names on this architecture are skipped.
DENIED_SYSCALLS = (
    # processes and programs
    "fork", "vfork", "execve", "execveat", "setsid", "setpgid",
    # other processes: signals, tracing, memory, handles
    "tkill", "pidfd_open", "pidfd_send_signal", "pidfd_getfd", "ptrace",
    "process_vm_readv", "process_vm_writev", "process_madvise", "kcmp",
    # network and other side channels out of the box
    "socket", "socketpair", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "memfd_create", "memfd_secret", "userfaultfd", "bpf", "perf_event_open",
    # changing files and directories
    "creat", "truncate", "ftruncate", "fallocate", "rename", "renameat", "renameat2",
    "unlink", "unlinkat", "rmdir", "mkdir", "mkdirat", "link", "linkat", "symlink",
    "symlinkat", "mknod", "mknodat", "chmod", "fchmod", "fchmodat", "fchmodat2", "chown",
    "fchown", "lchown", "fchownat", "utime", "utimes", "futimesat", "utimensat",
    "setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr",
    "name_to_handle_at", "open_by_handle_at",
    # limits, namespaces and what only root may do
    "setrlimit", "unshare", "setns", "mount", "umount2", "pivot_root", "chroot",
    "mount_setattr", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick",
    "reboot", "kexec_load", "kexec_file_load", "init_module", "finit_module",
    "delete_module", "swapon", "swapoff", "acct", "quotactl", "settimeofday",
    "clock_settime", "clock_adjtime", "adjtimex", "sethostname", "setdomainname", "iopl",
    "ioperm", "keyctl", "add_key", "request_key", "fanotify_init", "personality",
    "syslog", "vhangup", "lookup_dcookie",
)  # fmt: skip
CLONE_THREAD = 0x00010000
WRITE_FLAGS = (os.O_WRONLY, os.O_RDWR, os.O_CREAT, os.O_TRUNC, os.O_APPEND)


def kill_with_parent() -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux)."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return False
    return os.getppid() != 1  # the parent may already be gone: then do not go on at all


def limit_resources(memory_bytes: int, cpu_seconds: int, open_files: int = 64) -> list[str]:
    """Soft = hard limits on memory, CPU, file size, files and core dumps; the ones set."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, not kills
    wanted = {
        "RLIMIT_AS": memory_bytes,
        "RLIMIT_CPU": cpu_seconds,
        "RLIMIT_FSIZE": 0,
        "RLIMIT_NOFILE": open_files,
        "RLIMIT_CORE": 0,
    }
    applied = []
    for name, value in wanted.items():
        limit = getattr(resource, name, None)
        if limit is None:
            continue
        try:
            resource.setrlimit(limit, (value, value))
            applied.append(name)
        except (ValueError, OSError):
            pass
    return applied


SYSTEM_LIB_DIRS = ("/lib64", "/usr/lib64")  # and /lib/<multiarch>, /usr/lib/<multiarch>
PACKAGE_DIRS = ("site-packages", "dist-packages")


def readable_paths(numpy_dir: str) -> list[str]:
    """What stays readable: the standard library without site-packages, NumPy, the folders of
    shared libraries (so `import sqlite3` or `ctypes` still load theirs), device files.

    No folder that holds a site-packages (or dist-packages) below it is ever granted whole:
    the standard library is granted entry by entry instead, so torch stays unreadable.
    """
    packages = _package_dirs(numpy_dir)
    paths: list[str] = []
    for key in ("stdlib", "platstdlib"):
        root = sysconfig.get_path(key)
        if not root or not os.path.isdir(root):
            continue
        for entry in sorted(os.listdir(root)):
            if entry not in PACKAGE_DIRS:
                paths.append(os.path.join(root, entry))
    for entry in (numpy_dir, numpy_dir.rstrip(os.sep) + ".libs"):
        if os.path.isdir(entry):
            paths.append(entry)
    for folder in _library_dirs():
        if not any(_is_within(package, folder) for package in packages) and not _holds_python(folder):
            paths.append(folder)
    return [*dict.fromkeys(paths), "/etc/ld.so.cache", "/dev/null", "/dev/urandom", "/dev/zero"]


def _package_dirs(numpy_dir: str) -> list[str]:
    """Every site-packages this interpreter could import from, the numpy one included."""
    import site

    found = [os.path.dirname(os.path.realpath(numpy_dir))]
    found += [p for p in sys.path if os.path.basename(p.rstrip(os.sep)) in PACKAGE_DIRS]
    with contextlib.suppress(AttributeError):  # virtualenv's old site.py has none
        found += site.getsitepackages()
    return [os.path.realpath(p) for p in found]


def _library_dirs() -> list[str]:
    """Folders of the shared libraries this process has loaded, plus the system's own."""
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    system = [*SYSTEM_LIB_DIRS, *(f"{root}/{multiarch}" for root in ("/lib", "/usr/lib") if multiarch)]
    folders = [os.path.realpath(d) for d in system if os.path.isdir(d)]
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                path = line.split(maxsplit=5)[-1].strip() if line.count(" ") >= 5 else ""
                if path.startswith("/") and ".so" in os.path.basename(path):
                    folders.append(os.path.dirname(os.path.realpath(path)))
    except OSError:
        pass
    return list(dict.fromkeys(folders))


def _holds_python(folder: str) -> bool:
    """True when a folder has a python* or *-packages folder in it (Fedora's /usr/lib64 does)."""
    try:
        return any(e.startswith("python") or e.endswith("-packages") for e in os.listdir(folder))
    except OSError:
        return True


def _is_within(path: str, folder: str) -> bool:
    """True when `path` is `folder` or lies below it."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def landlock_abi() -> int:
    """The kernel's Landlock ABI version; 0 when there is none."""
    if not sys.platform.startswith("linux"):
        return 0
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    version = libc.syscall(LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                           ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))  # fmt: skip
    return max(int(version), 0)


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def restrict_filesystem(readable: list[str]) -> str | None:
    """Landlock: read-only access below `readable`, nothing else. None on success, else why not."""
    abi = landlock_abi()
    if abi < 1:
        return "the kernel has no Landlock"
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    handled = FS_ABI1 | (FS_REFER if abi >= 2 else 0) | (FS_TRUNCATE if abi >= 3 else 0)
    handled |= FS_IOCTL_DEV if abi >= 5 else 0
    attr = _RulesetAttr(
        handled,
        (NET_BIND_TCP | NET_CONNECT_TCP) if abi >= 4 else 0,
        (SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL) if abi >= 6 else 0,
    )
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8  # the struct grew with the ABI
    ruleset = libc.syscall(LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size),
                           ctypes.c_uint32(0))  # fmt: skip
    if ruleset < 0:
        return f"Landlock refused the ruleset ({os.strerror(ctypes.get_errno())})"
    try:
        for path in readable:
            _allow_reading(libc, int(ruleset), path)
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return "cannot set no_new_privs"
        if libc.syscall(LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            return f"Landlock could not be enforced ({os.strerror(ctypes.get_errno())})"
    finally:
        os.close(int(ruleset))
    return None


def _allow_reading(libc: Any, ruleset: int, path: str) -> None:
    """Add one read-only rule; a path that vanished is simply not readable."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        is_dir = os.path.isdir(path)
        access = FS_READ_FILE | (FS_READ_DIR if is_dir else 0)
        rule = _PathBeneath(access, fd)
        libc.syscall(LANDLOCK_ADD_RULE, ctypes.c_int(ruleset),
                     ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH), ctypes.byref(rule),
                     ctypes.c_uint32(0))  # fmt: skip
    finally:
        os.close(fd)


def install_seccomp(seccomp: Any) -> str | None:
    """The seccomp deny-list (see the module docstring). None on success, else why not."""
    if seccomp is None:
        return "libseccomp (pyseccomp) is not available"
    deny = seccomp.ERRNO(errno.EPERM)
    own = os.getpid()
    try:
        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        for name in DENIED_SYSCALLS:
            with contextlib.suppress(OSError, ValueError, RuntimeError):  # no such call here
                rules.add_rule(deny, name)
        # Threads may be created; processes may not (clone without CLONE_THREAD).
        rules.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
        rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")  # glibc falls back to clone
        # Signals only to this very process.
        rules.add_rule(deny, "kill", seccomp.Arg(0, seccomp.NE, own))
        for name in ("tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo"):
            rules.add_rule(deny, name, seccomp.Arg(0, seccomp.NE, own))
        # Limits may be read, never set.
        rules.add_rule(deny, "prlimit64", seccomp.Arg(2, seccomp.NE, 0))
        # Files open for reading only.
        for flag in WRITE_FLAGS:
            rules.add_rule(deny, "openat", seccomp.Arg(2, seccomp.MASKED_EQ, flag, flag))
            with contextlib.suppress(OSError, ValueError, RuntimeError):  # aarch64: openat only
                rules.add_rule(deny, "open", seccomp.Arg(1, seccomp.MASKED_EQ, flag, flag))
        rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "openat2")  # its flags sit in a struct
        rules.load()
    except (OSError, ValueError, RuntimeError) as error:
        return f"the seccomp filter could not be loaded ({error})"
    return None
