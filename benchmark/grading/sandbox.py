"""The grading sandbox, root side: run a child as a dedicated unprivileged uid in its own session, stream its output
into bounded buffers, and kill every process of that uid before anything is read or scored.

Layers (each covers a hole the others leave; see assignments/INSTRUCTOR.md, "What the sandbox guarantees and what
it does not"):
1. a uid/gid that nothing else on the machine uses, no supplementary groups, no_new_privs: file modes keep the gold,
   the grader's configuration and `results/` out of its reach (`lock_down`) even while it runs;
2. after the child exits, times out or crashes, `kill_uid` kills every process of the uid (`kill(-1, SIGKILL)`
   sent *as* the uid from a forked helper: it reaches processes in other sessions and process groups, which
   `killpg` does not) and reaps them, before the grader reads the child's output;
3. resource limits (set by `child.py` on itself before any student code runs, soft = hard) and output streamed into
   head+tail buffers (`HeadTail`), so the child cannot exhaust the grader's memory;
4. what the child wrote is read with `safe_read`/`safe_copy`: regular files only, never through a symlink, size
   capped, from the folder the child owned.

Root is required (Popen's user=/group=/extra_groups=[] and the kill helper's setresuid). The uid: the user
`kr-student` when it exists (setup.sh creates it on Gradescope), else AUTOGRADER_UID / AUTOGRADER_GID (default
64123, no passwd entry needed). Never root, never `nobody`, never a uid that another passwd entry names, and it must
have no running process when a run starts (another grading run, or another program, uses it: refused rather than
killed).
"""
from __future__ import annotations

import ctypes
import grp
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field

USER_NAME = "kr-student"
DEFAULT_UID = 64123
NOBODY = 65534
HEAD_BYTES = TAIL_BYTES = 32 << 10        # of each of stdout and stderr
READ_CHUNK = 64 << 10
PR_SET_CHILD_SUBREAPER = 36
KILL_ROUNDS = 200                          # kill(-1) rounds before giving up (one was always enough in practice)
LEFTOVER_DIRS = ("/tmp", "/var/tmp", "/dev/shm")


class SandboxError(Exception):
    """The sandbox cannot run safely here: a problem of the autograder's set-up, not of the student's code."""


# ----------------------------------------------------------------------------------------------------------------
# who runs the child

@dataclass(frozen=True)
class Identity:
    uid: int
    gid: int
    name: str = USER_NAME


def _int(environ, key: str) -> int | None:
    value = environ.get(key, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise SandboxError(f"{key}={value!r}: expected a numeric id") from None


def resolve_identity(environ=os.environ) -> Identity:
    """The grading uid/gid, checked: dedicated (no other passwd/group entry names it), not root, not nobody."""
    uid, gid = _int(environ, "AUTOGRADER_UID"), _int(environ, "AUTOGRADER_GID")
    if uid is None:
        try:
            entry = pwd.getpwnam(USER_NAME)
            uid, gid = entry.pw_uid, entry.pw_gid if gid is None else gid
        except KeyError:
            uid = DEFAULT_UID
    gid = uid if gid is None else gid
    for kind, value in (("uid", uid), ("gid", gid)):
        if value <= 0 or value >= 2**31 - 1:
            raise SandboxError(f"grading {kind} {value}: must be a positive id other than root's")
        if value == NOBODY:
            raise SandboxError(f"grading {kind} {value} is nobody's: its processes belong to other programs; "
                               "use a dedicated id (AUTOGRADER_UID)")
    try:
        owner = pwd.getpwuid(uid).pw_name
    except KeyError:
        owner = None
    if owner not in (None, USER_NAME):
        raise SandboxError(f"grading uid {uid} belongs to user {owner!r}: use a dedicated uid (AUTOGRADER_UID) "
                           f"with no passwd entry, or the user {USER_NAME!r}")
    try:
        group = grp.getgrgid(gid).gr_name
    except KeyError:
        group = None
    if group not in (None, USER_NAME):
        raise SandboxError(f"grading gid {gid} belongs to group {group!r}: use a dedicated gid (AUTOGRADER_GID)")
    if uid == os.getuid():
        raise SandboxError(f"grading uid {uid} is the grader's own uid")
    return Identity(uid, gid, USER_NAME)


# ----------------------------------------------------------------------------------------------------------------
# processes of a uid

def _status(pid: str) -> dict[str, str] | None:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8", errors="replace") as f:
            return dict(line.split(":", 1) for line in f.read().splitlines() if ":" in line)
    except OSError:                                     # gone meanwhile
        return None


def procs_of_uid(uid: int, *, zombies: bool = False) -> list[int]:
    """Pids whose real, effective, saved or filesystem uid is `uid` (live ones; with zombies=True the zombies)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        fields = _status(name)
        if not fields or "Uid" not in fields:
            continue
        is_zombie = fields.get("State", "").split()[:1] == ["Z"]
        if uid in (int(x) for x in fields["Uid"].split()) and is_zombie == zombies:
            found.append(int(name))
    return sorted(found)


def _kill_as(identity: Identity) -> None:
    """Fork a helper that becomes the uid and sends SIGKILL to every process it may signal: exactly the uid's."""
    with warnings.catch_warnings():                     # 3.12+: "multi-threaded, fork() may deadlock": the helper
        warnings.simplefilter("ignore", DeprecationWarning)   # only makes system calls, then _exit
        pid = os.fork()
    if pid == 0:                                        # the helper: no exec, so the uid's RLIMIT_NPROC cannot stop it
        code = 1
        try:
            os.setgroups([])
            os.setresgid(identity.gid, identity.gid, identity.gid)
            os.setresuid(identity.uid, identity.uid, identity.uid)
            # kill(-1) as root would kill every process on the machine: only ever send it as the uid
            if os.getresuid() == (identity.uid,) * 3 and identity.uid > 0:
                try:
                    os.kill(-1, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                code = 0
        finally:
            os._exit(code)
    os.waitpid(pid, 0)


def reap_zombies(uid: int, keep: frozenset[int] = frozenset()) -> int:
    """Reap the uid's zombies that are our children (the grader is their subreaper): zombies count against
    RLIMIT_NPROC. Never waits for any other child, nor for those in `keep` (a Popen child: Popen.wait reaps it and
    needs its exit status)."""
    reaped = 0
    me = str(os.getpid())
    for pid in procs_of_uid(uid, zombies=True):
        if pid in keep:
            continue
        fields = _status(str(pid))
        if fields and fields.get("PPid", "").strip() == me:
            try:
                os.waitpid(pid, 0)
                reaped += 1
            except ChildProcessError:
                pass
    return reaped


def kill_uid(identity: Identity, rounds: int = KILL_ROUNDS, keep: frozenset[int] = frozenset()) -> int:
    """Kill every process of the uid until none is left; return the number of kill rounds (0: none was running).
    `keep`: pids whose zombies are left for their Popen to reap."""
    if identity.uid <= 0:
        raise SandboxError("refusing to kill the processes of root")
    done = 0
    while procs_of_uid(identity.uid):
        if done >= rounds:
            raise SandboxError(f"processes of uid {identity.uid} survived {rounds} rounds of SIGKILL: "
                               f"{procs_of_uid(identity.uid)[:20]}")
        _kill_as(identity)
        done += 1
        reap_zombies(identity.uid, keep)
        if procs_of_uid(identity.uid):
            time.sleep(min(0.005 * done, 0.1))           # SIGKILLed processes take a moment to exit
    reap_zombies(identity.uid, keep)
    return done


def set_subreaper() -> None:
    """Orphans of our children re-parent to us (not to PID 1), so `reap_zombies` can reap them."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def remove_leftovers(uid: int, folders=LEFTOVER_DIRS) -> int:
    """Delete what the uid left at the top of world-writable folders (files, symlink traps, folders): after
    `kill_uid` nothing can recreate them. Returns the number of entries removed."""
    removed = 0
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
                if info.st_uid != uid:
                    continue
                if stat.S_ISDIR(info.st_mode):
                    shutil.rmtree(entry.path)           # never follows symlinks (fd-based on Linux)
                else:
                    os.unlink(entry.path)
                removed += 1
            except OSError:
                pass
    return removed


# ----------------------------------------------------------------------------------------------------------------
# bounded output

class HeadTail:
    """The first `head` and the last `tail` bytes of a stream, and how many bytes it had."""

    def __init__(self, head: int = HEAD_BYTES, tail: int = TAIL_BYTES):
        self.hmax, self.tmax = head, tail
        self.head, self.tail, self.total = bytearray(), bytearray(), 0

    def feed(self, data: bytes) -> None:
        self.total += len(data)
        if len(self.head) < self.hmax:
            k = self.hmax - len(self.head)
            self.head += data[:k]
            data = data[k:]
        if data:
            self.tail += data
            if len(self.tail) > self.tmax:
                del self.tail[: len(self.tail) - self.tmax]

    @property
    def omitted(self) -> int:
        return self.total - len(self.head) - len(self.tail)

    def text(self, head: int | None = None, tail: int | None = None) -> str:
        """Decoded, with "[... N bytes omitted ...]" where bytes were dropped; optionally shorter than kept."""
        h = bytes(self.head if head is None else self.head[:head])
        rest = bytes(self.head[len(h):]) + bytes(self.tail)
        t = rest if tail is None or len(rest) <= tail else rest[len(rest) - tail:]
        omitted = self.total - len(h) - len(t)
        middle = f"\n[... {omitted} bytes omitted ...]\n" if omitted else ""
        decode = lambda b: b.decode("utf-8", errors="replace").replace("\x00", "\ufffd")  # noqa: E731
        return decode(h) + middle + decode(t)


def _pump(fd: int, sink: HeadTail) -> None:
    try:
        while chunk := os.read(fd, READ_CHUNK):
            sink.feed(chunk)
    except OSError:
        pass


# ----------------------------------------------------------------------------------------------------------------
# running the child

@dataclass
class RunResult:
    returncode: int | None
    timed_out: bool
    elapsed: float
    stdout: HeadTail = field(default_factory=HeadTail)
    stderr: HeadTail = field(default_factory=HeadTail)
    kill_rounds: int = 0          # sandboxed: rounds of kill(-1) needed after the child ended (0 = nothing left)
    sandboxed: bool = False


def run_child(argv: list[str], *, cwd: str, env: dict[str, str], timeout: float,
              identity: Identity | None) -> RunResult:
    """Run argv with stdin /dev/null, a clean `env`, its own session, output into HeadTail buffers; as `identity`
    (root only) or, with identity None, as ourselves (dry runs: then only the child's session is killed, and a
    process that started a session of its own survives). Every process of the uid is dead when this returns."""
    kwargs: dict = dict(cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, close_fds=True, start_new_session=True)
    if identity is not None:
        if os.geteuid() != 0:
            raise SandboxError("the sandbox needs root (it switches to the grading uid)")
        if sys.version_info[:3] == (3, 12, 0):
            raise SandboxError("Python 3.12.0 ignores extra_groups=[] (CVE-2023-6507): use another version")
        busy = procs_of_uid(identity.uid)
        if busy:
            raise SandboxError(f"uid {identity.uid} already has running processes ({', '.join(map(str, busy[:10]))}): "
                               "another grading run or another program uses it; set AUTOGRADER_UID to an unused uid")
        set_subreaper()
        kwargs.update(user=identity.uid, group=identity.gid, extra_groups=[])
    start = time.monotonic()
    try:
        proc = subprocess.Popen(argv, **kwargs)
    except OSError as err:
        who = f"uid {identity.uid}" if identity else "the grader"
        raise SandboxError(f"cannot start {argv[0]} as {who}: {err.strerror or err} (an interpreter under /root "
                           "cannot be run by another uid: set AUTOGRADER_CHILD_PYTHON)") from None
    result = RunResult(None, False, 0.0, sandboxed=identity is not None)
    threads = [threading.Thread(target=_pump, args=(proc.stdout.fileno(), result.stdout), daemon=True),
               threading.Thread(target=_pump, args=(proc.stderr.fileno(), result.stderr), daemon=True)]
    for t in threads:
        t.start()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        result.timed_out = True
    finally:
        if identity is not None:
            result.kill_rounds = kill_uid(identity, keep=frozenset({proc.pid}))
        else:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        proc.wait()
        result.elapsed = time.monotonic() - start
        for t in threads:                     # EOF is certain once every writer is dead (sandboxed); bounded
            t.join(timeout=10 if identity is not None else 2)
        proc.stdout.close()
        proc.stderr.close()
    result.returncode = proc.returncode
    return result


def child_env(home: str, tmp: str, name: str = USER_NAME) -> dict[str, str]:
    """A clean environment: none of the grader's variables; one thread per BLAS/OpenMP pool (threads count
    against RLIMIT_NPROC and RLIMIT_AS); offline Hugging Face libraries."""
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "TMPDIR": tmp, "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8", "USER": name, "LOGNAME": name, "PYTHONIOENCODING": "utf-8",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "NUMEXPR_NUM_THREADS": "1", "LOKY_MAX_CPU_COUNT": "1", "TOKENIZERS_PARALLELISM": "false",
            "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}


# ----------------------------------------------------------------------------------------------------------------
# files: what the child may not touch, and reading what it wrote

def lock_down(root: str) -> None:
    """Modes on the grading machine's tree, before the child runs: the bundle (gold, configuration, grader code) and
    the results folder root-only; the harness's submission metadata (earlier submissions' results) too."""
    for path, mode in ((os.path.join(root, "source"), 0o700), (os.path.join(root, "source", "data"), 0o700),
                       (os.path.join(root, "results"), 0o700),
                       (os.path.join(root, "submission_metadata.json"), 0o600)):
        try:
            if not os.path.islink(path):
                os.chmod(path, mode)
        except FileNotFoundError:
            pass


class UnsafeOutput(Exception):
    """A file the child left is not a plain regular file of reasonable size."""


def _open_child_file(folder: str, name: str, limit: int) -> int | None:
    """An fd for folder/name, or None if absent; UnsafeOutput for a symlink, FIFO, device, hard link or a file
    larger than `limit` bytes."""
    dfd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY, dir_fd=dfd)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise UnsafeOutput(f"{name}: cannot be opened safely ({err.strerror or err}; a symbolic link?)") from None
    finally:
        os.close(dfd)
    info = os.fstat(fd)
    problem = ("not a regular file" if not stat.S_ISREG(info.st_mode) else
               "has several hard links" if info.st_nlink != 1 else
               f"is larger than {limit} bytes" if info.st_size > limit else None)
    if problem:
        os.close(fd)
        raise UnsafeOutput(f"{name}: {problem}")
    return fd


def safe_read(folder: str, name: str, limit: int) -> bytes | None:
    """The bytes of folder/name (None if absent), never through a symlink, never more than `limit`."""
    fd = _open_child_file(folder, name, limit)
    if fd is None:
        return None
    with os.fdopen(fd, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise UnsafeOutput(f"{name}: is larger than {limit} bytes")
    return data


def safe_copy(folder: str, name: str, dest: str, limit: int) -> bool:
    """Copy folder/name to dest (a path only root can write) in chunks; False if absent."""
    fd = _open_child_file(folder, name, limit)
    if fd is None:
        return False
    copied = 0
    with os.fdopen(fd, "rb") as src, open(dest, "wb") as out:
        while chunk := src.read(READ_CHUNK):
            copied += len(chunk)
            if copied > limit:
                raise UnsafeOutput(f"{name}: is larger than {limit} bytes")
            out.write(chunk)
    return True
