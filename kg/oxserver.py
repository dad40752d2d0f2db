"""Run Oxigraph's own SPARQL server (the ``oxigraph`` package's CLI) as a child process.

The child listens on 127.0.0.1 at a free port. :meth:`OxigraphServer.recycle` replaces it when
a query outlives the time limit: Oxigraph stops some endless queries itself (``--timeout-s``)
but not all (a cross join under COUNT or ORDER BY goes on, holding a CPU and growing in
memory), so the process boundary is what really stops them. A read-only child is replaced
without a gap (the new one starts before the old one is stopped); a writable one holds the
store's lock, so it is stopped first.
"""

from __future__ import annotations

import ctypes
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from shutil import which

from kg.errors import KGError

STARTUP_SECONDS = 20.0


def oxigraph_executable() -> str:
    """The ``oxigraph`` command installed beside this Python (a venv's bin), or on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else which("oxigraph")
    if not found:
        raise KGError("the `oxigraph` command is missing: pip install 'oxigraph>=0.5.13,<0.6'")
    return found


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _death_signal() -> Callable[[], None] | None:
    """Linux: a function for the forked child that makes it get SIGTERM when `kg serve` dies
    without stopping it (prctl PR_SET_PDEATHSIG; strictly, when the thread that started it ends,
    which for the server's threads is at shutdown); loaded here, before forking."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return lambda: prctl(1, signal.SIGTERM)


class _Child:
    """One running ``oxigraph serve`` process and the last lines it wrote."""

    def __init__(self, argv: list[str], port: int):
        self.port = port
        self.lines: deque[str] = deque(maxlen=20)
        self.ready = threading.Event()
        self.process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True, errors="replace", start_new_session=True,
            preexec_fn=_death_signal())
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip())
            if line.startswith("Listening for requests"):
                self.ready.set()

    def wait_ready(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.ready.wait(0.05):
                return True
            if self.process.poll() is not None:
                return False
        return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(3)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class OxigraphServer:
    """``oxigraph serve`` (or ``serve-read-only``) on 127.0.0.1, restartable.

    ``location`` None means an in-memory writable store (for tests and as a remote store).
    """

    def __init__(self, location: Path | None, read_only: bool = True,
                 timeout_s: int | None = None):
        if read_only and location is None:
            raise KGError("a read-only Oxigraph server needs a store folder")
        self.location, self.read_only, self.timeout_s = location, read_only, timeout_s
        self.generation = 0
        self._child: _Child | None = None
        self._lock = threading.Lock()

    def _argv(self, port: int) -> list[str]:
        argv = [oxigraph_executable(), "serve-read-only" if self.read_only else "serve",
                "--bind", f"127.0.0.1:{port}"]
        if self.location is not None:
            argv += ["--location", str(self.location)]
        if self.timeout_s:
            argv += ["--timeout-s", str(self.timeout_s)]
        return argv

    def _spawn(self) -> _Child:
        last: list[str] = []
        for _ in range(3):  # a free port can be taken between picking and binding it
            port = free_port()
            child = _Child(self._argv(port), port)
            if child.wait_ready(STARTUP_SECONDS):
                return child
            child.stop()
            last = list(child.lines)
        raise KGError(f"the Oxigraph server did not start: {' / '.join(last[-3:]) or 'no output'}")

    def start(self) -> OxigraphServer:
        """Start the child; return self."""
        with self._lock:
            if self._child is None:
                self._child = self._spawn()
                self.generation += 1
        return self

    @property
    def url(self) -> str:
        """The base URL of the running child (``http://127.0.0.1:PORT``)."""
        return f"http://127.0.0.1:{self.current()[0]}"

    def current(self) -> tuple[int, int]:
        """The port of the running child and its generation (which recycling increments)."""
        child = self._child
        if child is None:
            raise KGError("the Oxigraph server is not running")
        return child.port, self.generation

    def pid(self) -> int:
        """The process id of the running child."""
        assert self._child is not None
        return self._child.process.pid

    def recycle(self, generation: int) -> None:
        """Replace the child of ``generation`` by a fresh one (no-op if already replaced)."""
        with self._lock:
            if generation != self.generation or self._child is None:
                return
            old = self._child
            if not self.read_only:
                old.stop()  # it holds the store's lock
            self._child = self._spawn()
            self.generation += 1
            old.stop()

    def relocate(self, location: Path) -> None:
        """Serve another store folder from now on (a fresh child is started there)."""
        with self._lock:
            self.location = location
        self.recycle(self.generation)

    def alive(self) -> bool:
        """True if the child process is running."""
        return self._child is not None and self._child.process.poll() is None

    def stop(self) -> None:
        """Stop the child (idempotent)."""
        with self._lock:
            if self._child is not None:
                self._child.stop()
                self._child = None

    def __enter__(self) -> OxigraphServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
