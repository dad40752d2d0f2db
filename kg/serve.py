"""`kg serve`: a SPARQL 1.1 Protocol endpoint over the built graph.

    client ──HTTP──▶ gatekeeper (waitress, kg.gatekeeper) ──127.0.0.1──▶ oxigraph serve-read-only
                     checks, prefixes, time limit                        evaluation, negotiation

Read-only by default: Oxigraph serves a snapshot of the published store (hard links made by
Oxigraph's backup, so it costs nothing), which `kg build` cannot pull from under it; when a new
build is published the endpoint switches to it (a new Oxigraph process on a new snapshot,
started before the old one stops). ``--writable`` serves the store folder itself, read-write.
The in-process specs (``memory``, ``rdflib``) are built now into a temporary folder.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.errors import KGError
from kg.gatekeeper import Gatekeeper, Policy
from kg.oxserver import OxigraphServer
from kg.remote import is_remote
from kg.store import store_path

FOLLOW_SECONDS = 2.0  # how often a read-only endpoint looks for a newer build


@dataclass
class Served:
    """The folder Oxigraph serves, and where it came from."""

    folder: Path
    source: Path | None  # the published store (a symbolic link), followed for new builds
    temporary: bool  # the folder is ours to delete
    label: str  # what the banner calls it


def _remove_stale_snapshots(store: Path) -> None:
    """Snapshots left by a `kg serve` that was killed."""
    for folder in store.parent.glob(f".{store.name}-serve-*"):
        pid = folder.name.removeprefix(f".{store.name}-serve-").split("-")[0]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def snapshot(store: Path) -> Path:
    """A private copy of a published store, made of hard links (Oxigraph's backup)."""
    _remove_stale_snapshots(store)
    target = Path(tempfile.mkdtemp(prefix=f".{store.name}-serve-{os.getpid()}-",
                                   dir=store.parent))
    target.rmdir()  # backup wants to create it
    try:
        ox.Store.read_only(str(store.resolve())).backup(str(target))
    except OSError as error:
        shutil.rmtree(target, ignore_errors=True)
        raise KGError(f"cannot read the store at {store}: {error}") from None
    return target


def prepare(spec: str | None, writable: bool) -> Served:
    """The folder to serve for ``spec`` (see :mod:`kg.store`)."""
    if is_remote(spec):
        raise KGError("--store names a SPARQL endpoint already: query it directly")
    path = store_path(spec)
    if path is None:  # memory or rdflib: build the graph now
        from kg.build import build_graph

        folder = Path(tempfile.mkdtemp(prefix="kg-serve-"))
        target = ox.Store(str(folder))
        target.bulk_load(input=build_graph().store.dump_ntriples(),
                         format=ox.RdfFormat.N_TRIPLES)
        target.flush()
        del target
        return Served(folder, None, True, f"built now (--store {spec})")
    if not path.exists():
        raise KGError(f"no knowledge graph at {path}: run `kg build` first "
                      f"(or pass --store memory to build one in memory)")
    if writable:
        return Served(path.resolve(), None, False, str(path))
    return Served(snapshot(path), path, True, str(path))


def _follow(served: Served, upstream: OxigraphServer, stop: threading.Event,
            log: Callable[[str], None]) -> None:
    """Serve each new build of ``served.source`` as it is published."""
    assert served.source is not None
    current = served.source.resolve()
    while not stop.wait(FOLLOW_SECONDS):
        with suppress(OSError):
            published = served.source.resolve()
            if published == current or not published.exists():
                continue
            current = published
            try:
                fresh = snapshot(served.source)
                upstream.relocate(fresh)
            except KGError as error:
                log(f"still serving the previous build: {error}")
                continue
            old, served.folder = served.folder, fresh
            shutil.rmtree(old, ignore_errors=True)
            log(f"now serving the new build {published.name}")


def _listening_line(host: str, port: int, policy: Policy, served: Served) -> str:
    shown = f"[{host}]" if ":" in host else host
    mode = "read-write" if policy.writable else "read-only"
    allowed = (f"SERVICE only to {', '.join(sorted(policy.allow_service))}"
               if policy.allow_service else "SERVICE refused")
    return (f"kg serve: SPARQL endpoint listening at http://{shown}:{port}/query "
            f"({mode}; {allowed}; LOAD and FROM refused; queries stopped after "
            f"{policy.timeout_s:g} s; graph {served.label}). Ctrl-C to stop.")


def serve(spec: str | None, host: str = "127.0.0.1", port: int = 7878, writable: bool = False,
          timeout_s: float = 30.0, allow_service: tuple[str, ...] = (), threads: int = 16,
          out: Callable[[str], None] = print) -> None:
    """Run the endpoint in the foreground until Ctrl-C (or SIGTERM)."""
    import waitress

    for iri in allow_service:
        if not iri.startswith(("http://", "https://")):
            raise KGError(f"--allow-service takes absolute http(s) IRIs, not {iri!r}")
    policy = Policy(writable=writable, timeout_s=timeout_s, allow_service=frozenset(allow_service))
    served = prepare(spec, writable)
    upstream = OxigraphServer(served.folder, read_only=not writable,
                              timeout_s=max(1, math.ceil(timeout_s)))
    stop = threading.Event()
    server = None
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        upstream.start()
        app = Gatekeeper(upstream, policy)
        try:
            server = waitress.create_server(app, host=host, port=port, threads=threads,
                                            ident="kg-serve", connection_limit=256,
                                            max_request_body_size=policy.max_request_bytes)
        except OSError as error:
            raise KGError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
        if served.source is not None:
            threading.Thread(target=_follow, args=(served, upstream, stop, app.log),
                             daemon=True).start()
        if host not in ("127.0.0.1", "localhost", "::1"):
            out(f"kg serve: warning: listening on {host}: anyone who can reach this machine "
                f"can query the graph")
        out(_listening_line(host, server.effective_port, policy, served))
        sys.stdout.flush()
        server.run()  # returns on Ctrl-C (waitress catches KeyboardInterrupt)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if server is not None:
            server.close()
        upstream.stop()
        if served.temporary:
            shutil.rmtree(served.folder, ignore_errors=True)
    out("kg serve: stopped")


@dataclass
class ServeProcess:
    """A `kg serve` running in a child process (see :func:`running`)."""

    process: subprocess.Popen
    url: str  # the /query URL
    output: list[str]  # every line it printed so far, standard output and error


def _drain(stream: IO[str], output: list[str]) -> None:
    for line in stream:
        output.append(line.rstrip("\n"))


@contextmanager
def running(args: list[str], startup_seconds: float = 60.0) -> Iterator[ServeProcess]:
    """Run ``kg serve ARGS`` in a child process until the block ends, then stop it with Ctrl-C
    (SIGINT); for tests and benchmarks. Pass ``--port 0`` to get a free port."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", *args], stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, cwd=Path(__file__).resolve().parent.parent)
    output: list[str] = []
    assert process.stdout is not None
    threading.Thread(target=_drain, args=(process.stdout, output), daemon=True).start()
    try:
        deadline = time.monotonic() + startup_seconds
        while process.poll() is None and time.monotonic() < deadline:
            match = next((re.search(r"listening at (\S+/query)", line) for line in output
                          if "listening at" in line), None)
            if match:
                break
            time.sleep(0.05)
        else:
            process.kill()
            process.wait()
            raise KGError("kg serve did not start: " + " / ".join(output[-5:]))
        yield ServeProcess(process, match[1], output)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _interrupt(signum: int, frame: object) -> None:
    """Ctrl-C and SIGTERM stop the server (even if started with SIGINT ignored)."""
    raise KeyboardInterrupt

