"""Run web, Celery worker and beat together, and stop the three on Ctrl-C (``make run`` / ``make demo``).

A shell ``trap 'kill 0' INT TERM EXIT`` signals its own process group, itself included: the trap ran
again and again, the worker received a stream of signals (its shutdown handler ended in a RecursionError)
and, started in the background of a non-interactive shell, worker and beat ignored SIGINT. Here each
process runs in its own session, so a Ctrl-C reaches only this supervisor, which sends one SIGTERM to
each, waits a few seconds and kills what is left.

The three see ``SITE_URL=http://localhost:<port>`` unless SITE_URL is already set, so that the links of
the emails (built in requests and in Celery tasks alike) point to the port the product is served on.

    python -m plie.supervisor --port 8000
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

GRACE_SECONDS = 6


def environment(port: int, environ=None) -> dict[str, str]:
    env = dict(os.environ if environ is None else environ)
    if not env.get("SITE_URL", "").strip():
        env["SITE_URL"] = f"http://localhost:{port}"
    return env


def commands(port: int, bin_dir: Path, schedule: Path) -> list[list[str]]:
    python = str(bin_dir / "python")
    celery = [python, "-m", "celery", "-A", "plie"]
    return [
        [*celery, "worker", "--loglevel=warning", "--concurrency=2"],
        [*celery, "beat", "--loglevel=warning", "--schedule", str(schedule)],
        [python, "manage.py", "runserver", f"0.0.0.0:{port}", "--noreload"],
    ]


def stop(processes: list[subprocess.Popen], grace: float = GRACE_SECONDS) -> None:
    """One SIGTERM to each process group, a bounded wait, then SIGKILL to whatever remains."""
    for process in processes:
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
    for process in processes:
        # The group, not only the leader: the worker's pool children go with it.
        _signal_group(process, signal.SIGKILL)
        if process.poll() is None:
            process.wait()


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def run(port: int, bin_dir: Path, schedule: Path) -> int:
    env = environment(port)
    stopping = False

    def request_stop(signum, frame):
        nonlocal stopping
        stopping = True

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, request_stop)
    processes = [
        subprocess.Popen(command, env=env, start_new_session=True) for command in commands(port, bin_dir, schedule)
    ]
    try:
        while not stopping:
            if any(process.poll() is not None for process in processes):
                break  # one of the three died: stop the others rather than run half a product
            time.sleep(0.2)
    finally:
        print("\nArrêt du serveur web, du worker et de beat…", file=sys.stderr, flush=True)
        stop(processes)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Lance web, worker Celery et beat ; Ctrl-C les arrête tous.")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--bin", type=Path, default=Path(sys.executable).parent)
    parser.add_argument("--schedule", type=Path, default=Path("var/celerybeat-schedule"))
    args = parser.parse_args(argv)
    return run(args.port, args.bin, args.schedule)


if __name__ == "__main__":
    sys.exit(main())
