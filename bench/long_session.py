"""A day of `make run` in minutes: many registrations and their mails with the mail printer on,
then whether the stack is still quick and idle.

    make stress   (or: .venv/bin/python -m bench.long_session [REGISTRATIONS])

Prints the registration latency as the table grows, how long the mails took to be printed,
then, with nothing happening, the embedded AWS's CPU use and memory, and how long an export
and one more registration take. Exit 1 if the idle stack is busy or slow to answer.
"""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.throughput import bench_event
from devstack.stack import LocalStack, free_port

CLIENTS = 8
IDLE_SECONDS = 5.0
SETTLE_SECONDS = 60.0
# What "still responsive" means here: an idle stack that is not busy, and answers in seconds.
# An export is slow in moto's response serialiser (docs/development.md, "A long `make run`").
MAX_IDLE_CPU = 0.10  # share of one core
MAX_EXPORT_SECONDS = 10.0
MAX_REGISTRATION_SECONDS = 2.0


def register(url: str) -> float:
    body = json.dumps(
        {"given_name": "Lang", "family_name": "Tag", "email": f"{uuid.uuid4().hex}@example.org", "consent": True}
    ).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 201
    return time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime, stime in clock ticks (USER_HZ = 100)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main(registrations: int = 3000) -> int:
    printed: list[str] = []
    lock = threading.Lock()

    def count(text: str) -> None:
        with lock:
            printed.append(text[:0])  # the printer formats every mail; keeping them costs memory only

    with LocalStack(free_port(), free_port(), free_port(), print_mail=count) as stack:
        event = bench_event("long-session")
        stack.store().event_rows.save([event])
        url = f"{stack.api_url}/events/{event.event_id}/registrations"
        pid = stack.aws_pid
        started = time.perf_counter()
        step = max(-(-registrations // 6), 1)  # six rounds, the last one shorter
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            for done in range(0, registrations, step):
                latencies = sorted(pool.map(lambda _: register(url), range(min(step, registrations - done))))
                p95 = latencies[int(len(latencies) * 0.95) - 1]
                print(
                    f"registrations {done + 1:>5}-{done + len(latencies):<5} "
                    f"p50 {statistics.median(latencies) * 1000:5.0f} ms  p95 {p95 * 1000:5.0f} ms  "
                    f"printed so far {len(printed)}",
                    flush=True,
                )
        wall = time.perf_counter() - started
        while len(printed) < 2 * registrations and time.perf_counter() - started < wall + 600:
            time.sleep(0.5)
        drained = time.perf_counter() - started
        print(f"{registrations} registrations in {wall:.0f} s; all {len(printed)} mails printed after {drained:.0f} s")

        # The mail function still reads the stream's last records (the mails' own rows) for a
        # few seconds after the last mail: the stack counts as idle once a window is quiet.
        settled = time.perf_counter()
        while True:
            before = cpu_seconds(pid)
            time.sleep(IDLE_SECONDS)
            idle_cpu = (cpu_seconds(pid) - before) / IDLE_SECONDS
            if idle_cpu <= MAX_IDLE_CPU or time.perf_counter() - settled > SETTLE_SECONDS:
                break
        print(
            f"idle: embedded AWS at {idle_cpu:.0%} of a core over {IDLE_SECONDS:.0f} s, "
            f"{time.perf_counter() - settled:.0f} s after the last mail; {rss_mib(pid):.0f} MiB",
            flush=True,
        )
        began = time.perf_counter()
        exported = stack.cli("export", event.event_id, "--format", "json")
        export_seconds = time.perf_counter() - began
        if exported.returncode == 0:
            print(f"export of {len(json.loads(exported.stdout))} rows: {export_seconds:.1f} s (command start included)")
        else:
            export_seconds = float("inf")
            print(f"export failed after {time.perf_counter() - began:.1f} s: {exported.stderr.strip()}")
        try:
            one_more = register(url)
            print(f"one more registration: {one_more * 1000:.0f} ms")
        except OSError as exc:
            one_more = float("inf")
            print(f"one more registration failed: {exc}")
    slow = idle_cpu > MAX_IDLE_CPU or export_seconds > MAX_EXPORT_SECONDS or one_more > MAX_REGISTRATION_SECONDS
    if slow or len(printed) < 2 * registrations:
        print("FAIL: the stack is busy or slow after a long session, or mails went missing")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*[int(a) for a in sys.argv[1:2]]))
