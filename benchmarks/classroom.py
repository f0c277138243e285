"""A class of simulated students, no browsers: Streamlit's own websocket protocol
(benchmarks/st_client.py), all students in one asyncio process.

Pages scenario (the default; issue 11, section 3). N students join over 20 s; each opens the
home page (HTML, the static files a browser fetches, the websocket), opens the expectation page
and moves its sample-count slider up twice, opens CartPole, sets the speed to "as fast as
possible", presses Start, follows the live updates for 60 s (the fragment's auto-reruns, as a
browser sends them) and moves the learning rate one notch mid-run, then closes the tab. A short
think time (1-2 s, seeded) separates the steps.

Printed per deployment and N: interaction latency p50/p95/max (user action -> its script run
finished; page loads, navigations, slider moves, Start), the share of students whose Start
trained, chart refreshes per second per training student, server / worker / nginx CPU,
server CPU-seconds per student outside training, the class's training throughput against the
headless CLI's (measured in the same run, on the same work: a fresh default policy trained until
solved, as each student's run is; a run going on past solved, whose long episodes step faster,
is printed beside it), default runs solved within the 60 s, RSS before /
peak / 30 s after everyone left, exceptions; then the issue's targets and each figure's ratio
to its target.

Room scenario (issue 16, ``--scenario room``). A teacher opens the class room page, presses
"Open a room" and keeps the screen open (its part refreshes by itself, a fragment's
``run_every``); N students (default 30) open the join link the screen shows over 20 s, type a
nickname, join, each pick a learning rate (spread evenly over the offered values, which are
log-spaced, in a seeded order), press "Start a run" and follow it for 60 s, then close the
tab. Printed: the teacher's refresh interval p50/p95/max (between completed runs of the
refreshing part while the class is in), the delay from each post (the student's page saying
what the room received) to the teacher's runs table showing it, Start to the run on the
teacher's screen, the runs on the teacher's screen at the end against N, students' interaction
latency, CPU, exceptions; then the targets (refresh p95 < 2 s, every run visible). The
deployments it starts get a fresh rooms database: one SQLite file that all the app processes
share, or --database-url.

    python -m benchmarks.classroom                       # single and class, N=30 and 100
    python -m benchmarks.classroom --students 10 --deployments single
    python -m benchmarks.classroom --url http://teacher-box:8080 --students 30
    python -m benchmarks.classroom --scenario room       # 30 students in one room, both

With --url, the benchmark drives a deployment it did not start (see docs/deploy.md): it
reports what the students see, and the CPU and memory of local processes given with --pid.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import re
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import psutil
from streamlit.proto.Element_pb2 import Element

from benchmarks.st_client import (
    FINISHED,
    FRAGMENT_FINISHED,
    Run,
    StreamlitClient,
    eager_assets,
)
from benchmarks.stats import percentile
from core.rooms.store import DATA_DIR_ENV, DATABASE_URL_ENV
from deploy.serve_class import (
    ClassDeployment,
    free_port,
    nginx_binary,
    replica_command,
    replica_env,
    start_class,
    stop,
    wait_healthy,
)

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Scenario:
    join_s: float = 20.0
    """Students join evenly spread over this many seconds."""
    follow_s: float = 60.0
    """Seconds each student follows the live training after Start (learning rate at half)."""


SCENARIO = Scenario()
COOLDOWN_S = 30.0
ACTION_TIMEOUT_S = 180.0
SAMPLE_S = 0.5
EPISODES = re.compile(r"([\d][\d,]*)\s+episodes?\s*·")
STEPS = re.compile(r"([\d][\d,]*)\s+env steps")
SOLVED = re.compile(r"solved in (\d+)/(\d+)")
REFUSED = re.compile(r"busy|capacity|try again|too many", re.I)
QUEUE = re.compile(r"(?:number|position|place)\s+(\d+)\s+in\s+(?:the\s+)?(?:queue|line)"
                   r"|(?:queue|line)\D{0,20}?(?:position|number|place)\s+(\d+)", re.I)
"""A queue position as a page may word it ("you are number 3 in the queue")."""
UNCAUGHT = "Uncaught app execution"

TARGETS = {
    30: {"trained": 1.0, "p95": 1.0, "refresh": 1.0, "throughput": 0.70, "solved": 0.80,
         "cpu_per_student": 0.5},
    100: {"p95": 2.0, "rss_growth_mb": 150.0},
}


# ---------------------------------------------------------------------- one student
@dataclass
class Student:
    """What one simulated student did and saw."""

    index: int
    actions: list[tuple[str, float, float | None]] = field(default_factory=list)
    """(kind, start time, seconds until the run finished or None if it never did)."""
    start_at: float | None = None
    trained_at: float | None = None
    refused: bool = False
    queue: list[int] = field(default_factory=list)
    solved_at: float | None = None
    steps: list[tuple[float, int]] = field(default_factory=list)
    refreshes: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    left_at: float | None = None
    asset_bytes: int = 0
    unfinished: int = 0
    """Full runs of its page that ended without a finish message (see st_client)."""
    _chart_in_run: set[str] = field(default_factory=set)

    def on_element(self, run: Run, element: Element) -> None:
        kind = element.WhichOneof("type")
        if kind == "markdown":
            self._read_status(element.markdown.body)
        elif kind == "alert":
            body = element.alert.body
            if self.start_at is not None and REFUSED.search(body):
                self.refused = True
            self._read_queue(body)
        elif kind == "plotly_chart" and run.fragment_ids:
            self._chart_in_run.add(run.run_id)

    def on_run_finished(self, run: Run) -> None:
        if run.run_id in self._chart_in_run:
            self._chart_in_run.discard(run.run_id)
            if self.start_at is not None:
                self.refreshes.append(time.perf_counter())

    def _read_status(self, text: str) -> None:
        episodes = EPISODES.search(text)
        if episodes is None:
            self._read_queue(text)
            return
        now = time.perf_counter()
        if self.start_at is None:
            return
        if int(episodes[1].replace(",", "")) > 0 and self.trained_at is None:
            self.trained_at = now
        steps = STEPS.search(text)
        if steps:
            self.steps.append((now, int(steps[1].replace(",", ""))))
        if SOLVED.search(text) and self.solved_at is None:
            self.solved_at = now

    def _read_queue(self, text: str) -> None:
        match = QUEUE.search(text)
        if match and self.start_at is not None:
            self.queue.append(int(match[1] or match[2]))


async def act(student: Student | Teacher, kind: str, action: Awaitable[float | None]
              ) -> float | None:
    """Run one user action, recording its latency (None: it never finished)."""
    t0 = time.perf_counter()
    try:
        seconds: float | None = await asyncio.wait_for(action, ACTION_TIMEOUT_S)
    except TimeoutError as error:
        student.errors.append(f"{kind}: {error!r}")
        student.actions.append((kind, t0, None))  # never finished: counted as timed out
        return None
    except (ConnectionError, aiohttp.ClientError, KeyError, ValueError, IndexError) as error:
        student.errors.append(f"{kind}: {error!r}")
        return None
    if seconds is not None:
        student.actions.append((kind, t0, seconds))
    return seconds


async def one_step(client: StreamlitClient, label: str, up: bool) -> float | None:
    """Move a select-slider one notch (up or down) as a user drags it."""
    widget = client.find(label)
    index = widget.options.index(widget.value[0]) + (1 if up else -1)
    index = min(max(index, 0), len(widget.options) - 1)
    return await client.set_widget(label, [widget.options[index]])


async def student_session(student: Student, url: str, join_at: float, assets: list[str],
                          eager: list[str], rng: random.Random) -> None:
    await asyncio.sleep(max(0.0, join_at - time.perf_counter()))
    jar = aiohttp.CookieJar(unsafe=True)
    connector = aiohttp.TCPConnector(limit=8, force_close=False)
    async with aiohttp.ClientSession(cookie_jar=jar, connector=connector,
                                     auto_decompress=False,
                                     timeout=aiohttp.ClientTimeout(total=None)) as http:
        client = StreamlitClient(url, http, assets=assets, eager_assets=eager,
                                 on_element=student.on_element,
                                 on_run_finished=student.on_run_finished)

        async def think() -> None:
            await asyncio.sleep(rng.uniform(1.0, 2.0))

        try:
            if await act(student, "open home", client.open("/")) is None:
                return
            await think()
            if await act(student, "open expectation", client.navigate("expectation")) is None:
                return
            for _ in range(2):
                await think()
                await act(student, "slider", one_step(client, "ev_n", up=True))
            await think()
            if await act(student, "open cartpole", client.navigate("cartpole")) is None:
                return
            await think()
            await act(student, "speed", client.set_widget("cp_speed", ["as fast as possible"]))
            await think()
            student.start_at = time.perf_counter()
            await act(student, "start", client.click("Start"))
            follow_until = student.start_at + SCENARIO.follow_s
            await asyncio.sleep(max(0.0, student.start_at + SCENARIO.follow_s / 2
                                    - time.perf_counter()))
            await act(student, "learning rate", one_step(client, "cp_lr", up=False))
            await asyncio.sleep(max(0.0, follow_until - time.perf_counter()))
        finally:
            await leave(student, client)


async def leave(student: Student, client: StreamlitClient) -> None:
    """Close the student's tab, keeping what its client saw."""
    student.exceptions = list(client.exceptions)
    student.errors += client.errors
    student.asset_bytes = client.asset_bytes
    student.unfinished = client.full_unfinished
    await client.close()
    student.left_at = time.perf_counter()


# ---------------------------------------------------------------------- processes
def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of all cores since boot (idle and I/O wait are not busy)."""
    times = psutil.cpu_times()
    total = sum(times)
    return total - times.idle - times.iowait, total


@dataclass
class Sampler:
    """Samples CPU and RSS of the deployment's processes (and their children) in a thread."""

    groups: dict[str, list[int]]
    """Role -> root pids ("server", "nginx", ...); descendants of a server are "worker"."""
    samples: list[tuple[float, dict[int, tuple[str, float, float]], tuple[float, float]]] = \
        field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True, name="sampler").start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.perf_counter(), self.snapshot(), machine_busy()))
            self._stop.wait(SAMPLE_S)

    def snapshot(self) -> dict[int, tuple[str, float, float]]:
        """pid -> (role, user + system CPU seconds, RSS MB) of every process of the groups'
        trees; a server's descendants (and theirs) are "worker"."""
        roles: dict[int, tuple[str, float, float]] = {}
        for role, roots in self.groups.items():
            child_role = "worker" if role in ("server", "worker") else role
            for root in roots:
                try:
                    tree = psutil.Process(root)
                    members = [(tree, role)] + [(child, child_role)
                                                for child in tree.children(recursive=True)]
                except psutil.NoSuchProcess:
                    continue
                for process, process_role in members:
                    try:
                        with process.oneshot():
                            cpu = process.cpu_times()
                            rss = process.memory_info().rss
                    except psutil.NoSuchProcess:
                        continue
                    roles[process.pid] = (process_role, cpu.user + cpu.system, rss / 2**20)
        return roles

    def cpu(self, role: str, start: float, end: float) -> float:
        """CPU seconds that processes of ``role`` used between two times (processes that
        appeared later count from zero)."""
        first = self._at(start)
        last = self._at(end)
        if first is None or last is None:
            return float("nan")
        total = 0.0
        for pid, (pid_role, cpu, _rss) in last[1].items():
            if pid_role == role:
                before = first[1].get(pid)
                total += cpu - (before[1] if before else 0.0)
        return total

    def machine_cpu(self, start: float, end: float) -> float:
        """Cores busy on average between two times, whoever used them."""
        first, last = self._at(start), self._at(end)
        if first is None or last is None or last[2][1] == first[2][1]:
            return float("nan")
        cores = os.cpu_count() or 1
        return (last[2][0] - first[2][0]) / (last[2][1] - first[2][1]) * cores

    def rss(self, role: str, at: float) -> dict[int, float]:
        sample = self._at(at)
        return {} if sample is None else {pid: rss for pid, (r, _c, rss) in sample[1].items()
                                          if r == role}

    def peak_rss(self, role: str, start: float, end: float) -> float:
        return max((sum(rss for r, _c, rss in snap.values() if r == role)
                    for t, snap, _m in self.samples if start <= t <= end), default=float("nan"))

    def _at(self, when: float) -> tuple[float, dict[int, tuple[str, float, float]],
                                        tuple[float, float]] | None:
        best = None
        for sample in self.samples:
            if best is None or abs(sample[0] - when) < abs(best[0] - when):
                best = sample
        return best


# ---------------------------------------------------------------------- deployments
@dataclass
class Deployment:
    name: str
    url: str
    groups: dict[str, list[int]]
    logs: list[Path]
    stop_all: object = None
    backends: list[str] = field(default_factory=list)
    """Each app process's own address (warmed up before the class arrives)."""

    def stop(self) -> None:
        if callable(self.stop_all):
            self.stop_all()


def database_env(folder: Path, url: str | None) -> dict[str, str]:
    """The rooms database of a deployment the benchmark starts: the PostgreSQL database at
    ``url`` if given, else one SQLite file in a fresh data folder that all the deployment's app
    processes share (WAL mode; they run on one machine)."""
    if url:
        return {DATABASE_URL_ENV: url}
    folder.mkdir(parents=True, exist_ok=True)
    return {DATA_DIR_ENV: str(folder), DATABASE_URL_ENV: ""}


def start_single(prefix: Path, database: dict[str, str] | None = None) -> Deployment:
    """One plain `streamlit run app.py` process, as one user (or a host) starts it."""
    port = free_port()
    log = prefix / "single.log"
    proc = subprocess.Popen(replica_command(port), cwd=ROOT,
                            env={**replica_env(), **(database or {})},
                            stdout=log.open("w"), stderr=subprocess.STDOUT)
    wait_healthy(proc, f"http://127.0.0.1:{port}/_stcore/health", 90, f"server (see {log})")
    url = f"http://127.0.0.1:{port}"
    return Deployment("single process", url, {"server": [proc.pid]}, [log],
                      lambda: stop([proc]), [url])


def start_class_deployment(prefix: Path, replicas: int,
                           database: dict[str, str] | None = None) -> Deployment:
    if nginx_binary() is None:
        raise SystemExit("the class deployment needs nginx (apt-get install nginx)")
    ports = [free_port() for _ in range(replicas)]
    env = {**replica_env(secrets.token_hex(32), replicas), **(database or {})}
    deployment: ClassDeployment = start_class(replicas, free_port(), ports, prefix / "class",
                                              env=env)
    return Deployment(f"class: {replicas} processes + nginx", deployment.url,
                      {"server": [p.pid for p in deployment.replicas],
                       "nginx": [deployment.nginx.pid]}, deployment.logs, deployment.stop,
                      [f"http://127.0.0.1:{port}" for port in ports])


WARM_S = 15.0


async def warm_up(backends: list[str], pages: Iterable[str] = ("cartpole",)) -> None:
    """What a teacher's own visit does before class: one session on every app process opens
    the home page and then ``pages`` (the CartPole page; the class room page too for the room
    scenario, which opens and migrates the rooms database), one process after the other, so
    each has loaded its libraries (and its background warm-up) before the RSS "before" is
    read."""
    for url in backends:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            client = StreamlitClient(url, http)
            await client.open("/")
            for page in pages:
                await client.navigate(page)
            await client.close()
    await asyncio.sleep(WARM_S)


def record_assets(url: str, pages: Iterable[str] = ("/", "/expectation", "/cartpole")
                  ) -> list[str] | None:
    """The static files a real browser fetches on the scenario's pages (home, expectation,
    CartPole; for the room scenario the class room page and CartPole's, whose live chart a
    student's room page shows), recorded once with headless Chromium; None without a
    browser."""
    if not Path("/usr/bin/chromium").exists():
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    paths: list[str] = []
    idle = "[data-testid='stApp'][data-test-script-state='notRunning']"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})

        def seen(request: Any) -> None:
            path = "/" + str(request.url).split("/", 3)[3].split("?")[0]
            if path.startswith("/static/") or path in ("/favicon.png", "/manifest.json"):
                paths.append(path)

        page.on("request", seen)
        for path in pages:
            page.goto(url + path, wait_until="networkidle", timeout=120_000)
            page.wait_for_selector(idle, timeout=120_000)
        browser.close()
    return list(dict.fromkeys(paths))


# ---------------------------------------------------------------------- the headless CLI
CLI_SEEDS = (0, 1, 2)
"""Seeds of the like-for-like baseline runs (the students train seed 0, the page's default)."""


@dataclass(frozen=True)
class CliRates:
    """The headless CLI's training speed on one core, in env steps per CPU-second."""

    same_run: float
    """The run a student makes: the default preset from a fresh policy until solved (the page
    stops a run once it is solved), averaged over CLI_SEEDS. The class is measured against
    this: the same work, early short episodes included."""
    past_solved: float
    """A run that goes on past solved for --cli-seconds: mostly 500-step episodes, the
    fastest steps a policy makes (shown beside it, for comparison)."""


def _cli_run(*flags: str) -> tuple[float, float]:
    """(env steps, CPU seconds) of one headless CLI run of the default preset."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-m", "core.reinforce.train", "--preset", "default",
                          "--no-progress", *flags], cwd=ROOT,
                         capture_output=True, text=True, check=True,
                         env={**os.environ, "OMP_NUM_THREADS": "1"}).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return float(json.loads(out.strip().splitlines()[-1])["env_steps"]), cpu


def cli_rates(seconds: float) -> CliRates:
    """The headless CLI's speed on one core. CPU time, not wall time, so that other programs
    on the machine do not lower it; start-up (imports, environments) is measured by a run of
    no training and taken off each run's CPU time."""
    _steps, start_cpu = _cli_run("--max-seconds", "0")
    solved = [_cli_run("--until-solved", "--seed", str(seed)) for seed in CLI_SEEDS]
    same_run = sum(s for s, _c in solved) / max(sum(c - start_cpu for _s, c in solved), 1e-9)
    long_steps, long_cpu = _cli_run("--max-seconds", str(seconds))
    return CliRates(same_run, long_steps / max(long_cpu - start_cpu, 1e-9))


# ---------------------------------------------------------------------- one class
@dataclass
class Result:
    deployment: str
    students: int
    figures: dict[str, float]
    notes: list[str]


def class_throughput(students: list[Student]) -> tuple[float, int, list[int]]:
    """(env steps/s summed over students, students training at once, the plateau) over the
    plateau: the 1 s bins (whole seconds of the benchmark's clock) in which at least 90 % of
    the most students ever training at once were training (a student trains from its first
    step count to the last one that grew)."""
    rates: dict[int, float] = {}
    active: dict[int, int] = {}
    for student in students:
        points = student.steps
        if len(points) < 2:
            continue
        for (t0, s0), (t1, s1) in itertools.pairwise(points):
            if s1 <= s0 or t1 <= t0:
                continue
            for second in range(int(t0), int(t1) + 1):
                overlap = min(t1, second + 1) - max(t0, second)
                if overlap > 0:
                    rates[second] = rates.get(second, 0.0) + (s1 - s0) * overlap / (t1 - t0)
        for second in range(int(points[0][0]), int(_last_increase(points)) + 1):
            active[second] = active.get(second, 0) + 1
    if not active:
        return 0.0, 0, []
    most = max(active.values())
    plateau = sorted(s for s, n in active.items() if n >= 0.9 * most)
    return statistics.fmean(rates.get(s, 0.0) for s in plateau), most, plateau


def redraw_cpu(students: list[Student], plateau: list[int],
               server_cpu: Callable[[float, float], float]) -> float:
    """Server CPU-seconds per live-chart redraw, measured over the plateau, when nearly every
    student follows a training run and little else happens (an upper bound: the plateau's
    few clicks and the workers' news are counted as redraw work). NaN without a plateau."""
    seconds = set(plateau)
    redraws = sum(1 for s in students for t in s.refreshes if int(t) in seconds)
    if redraws == 0:
        return float("nan")
    cpu = sum(server_cpu(second, second + 1) for second in plateau)
    return cpu / redraws


def _last_increase(points: list[tuple[float, int]]) -> float:
    last = points[0][0]
    for (_t0, s0), (t1, s1) in itertools.pairwise(points):
        if s1 > s0:
            last = t1
    return last


def refresh_rate(student: Student) -> float | None:
    """Chart refreshes per second while the student's run trained (Start -> last refresh that
    showed more steps, or the end of the follow window)."""
    if student.trained_at is None or student.start_at is None:
        return None
    end = (_last_increase(student.steps) if student.steps
           else student.start_at + SCENARIO.follow_s)
    end = min(end, student.start_at + SCENARIO.follow_s)
    span = end - student.trained_at
    if span < 2.0:
        return None
    count = sum(1 for t in student.refreshes if student.trained_at <= t <= end)
    return count / span


def uncaught(logs: Iterable[Path]) -> int:
    return sum(log.read_text(errors="replace").count(UNCAUGHT) for log in logs if log.exists())


async def run_class(url: str, n: int, assets: list[str], eager: list[str], seed: int
                    ) -> tuple[list[Student], float, float]:
    rng = random.Random(seed)
    t0 = time.perf_counter() + 1.0
    students = [Student(i) for i in range(n)]
    joins = [t0 + SCENARIO.join_s * i / max(1, n - 1) for i in range(n)]
    await asyncio.gather(*(student_session(s, url, at, assets, eager,
                                           random.Random(rng.random()))
                           for s, at in zip(students, joins, strict=True)))
    return students, t0, time.perf_counter()


def measure(deployment: Deployment, n: int, assets: list[str], eager: list[str],
            cli: CliRates, seed: int, cooldown: float) -> Result:
    sampler = Sampler(deployment.groups)
    sampler.start()
    time.sleep(2 * SAMPLE_S)
    before_at = time.perf_counter()
    client_cpu0 = time.process_time()
    students, start, end = asyncio.run(run_class(deployment.url, n, assets, eager, seed))
    client_cpu = time.process_time() - client_cpu0
    time.sleep(cooldown)
    after_at = time.perf_counter()
    time.sleep(2 * SAMPLE_S)
    sampler.stop()

    latencies = [s for st in students for _k, _t, s in st.actions if s is not None]
    timeouts = sum(1 for st in students for _k, _t, s in st.actions if s is None)
    pressed = [s for s in students if s.start_at is not None]
    trained = [s for s in pressed if s.trained_at is not None]
    queued = [s for s in pressed if s.trained_at is None and len(set(s.queue)) > 1]
    rates = [r for s in students if (r := refresh_rate(s)) is not None]
    throughput, concurrent, plateau = class_throughput(students)
    solved = [s for s in pressed if s.solved_at is not None
              and s.solved_at - (s.start_at or 0.0) <= SCENARIO.follow_s]
    steps_total = sum(max((v for _t, v in s.steps), default=0) for s in students)
    span = end - start
    server_cpu = sampler.cpu("server", start, end)
    worker_cpu = sampler.cpu("worker", start, end)
    nginx_cpu = sampler.cpu("nginx", start, end) if "nginx" in deployment.groups else 0.0
    training_cpu = steps_total / cli.same_run
    in_server_training = max(0.0, training_cpu - worker_cpu)
    outside = max(0.0, server_cpu - in_server_training) / max(1, n)
    # Outside training: the pages (loads, clicks) and the live charts' redraws, split with
    # the cost of one redraw measured on the plateau.
    per_redraw = redraw_cpu(students, plateau, lambda a, b: sampler.cpu("server", a, b))
    redraws = sum(len(s.refreshes) for s in students)
    redraw_share = min(outside, per_redraw * redraws / max(1, n)) if per_redraw == per_redraw \
        else float("nan")
    rss_before = {**sampler.rss("server", before_at), **sampler.rss("worker", before_at)}
    rss_after = {**sampler.rss("server", after_at), **sampler.rss("worker", after_at)}
    growth = [rss_after[pid] - rss_before.get(pid, rss_after[pid]) for pid in rss_after]
    exceptions = sum(len(s.exceptions) for s in students) + uncaught(deployment.logs)
    errors = sum(len(s.errors) for s in students)
    by_kind: dict[str, list[float]] = {}
    for st in students:
        for kind, _t, seconds in st.actions:
            if seconds is not None:
                by_kind.setdefault(kind, []).append(seconds)
    figures = {
        "p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95),
        "max": max(latencies, default=float("nan")), "timeouts": float(timeouts),
        "trained": len(trained) / max(1, len(pressed)), "trained_n": float(len(trained)),
        "pressed_n": float(len(pressed)), "queued_n": float(len(queued)),
        "refused_n": float(sum(1 for s in pressed if s.refused and s.trained_at is None)),
        "refresh_median": statistics.median(rates) if rates else float("nan"),
        "refresh_min": min(rates) if rates else float("nan"),
        "server_cores": server_cpu / span, "worker_cores": worker_cpu / span,
        "nginx_cores": nginx_cpu / span, "client_cores": client_cpu / span,
        "machine_cores": sampler.machine_cpu(start, end),
        "cpu_per_student": outside,
        "cpu_redraws_per_student": redraw_share,
        "cpu_pages_per_student": outside - redraw_share,
        "cpu_per_redraw": per_redraw,
        "throughput": throughput, "concurrent": float(concurrent),
        "throughput_share": throughput / (2 * cli.same_run),
        "throughput_share_past": throughput / (2 * cli.past_solved),
        "solved": len(solved) / max(1, len(pressed)),
        "rss_before": sum(rss_before.values()),
        "rss_peak": sampler.peak_rss("server", start, end)
        + sampler.peak_rss("worker", start, end),
        "rss_after": sum(rss_after.values()),
        "rss_growth_max": max(growth, default=float("nan")),
        "exceptions": float(exceptions), "errors": float(errors),
        "asset_mb": statistics.fmean(s.asset_bytes for s in students) / 2**20,
        "span": span,
    }
    for kind, values in by_kind.items():
        figures[f"median {kind}"] = statistics.median(values)
        figures[f"p95 {kind}"] = percentile(values, 0.95)
    notes = [f"{s.index}: {e}" for s in students for e in s.errors][:5]
    notes += unfinished_note(students)
    return Result(deployment.name, n, figures, notes)


def unfinished_note(students: list[Student]) -> list[str]:
    """A note on the full runs that ended without a finish message, if any."""
    count = sum(s.unfinished for s in students)
    if not count:
        return []
    return [f"all: {count} full runs on {sum(1 for s in students if s.unfinished)} students' "
            "pages ended without a finish message (a later run started; counted as finished "
            "then)"]


# ---------------------------------------------------------------------- report
def fmt(value: float, digits: int = 2) -> str:
    return "n/a" if value != value else f"{value:.{digits}f}"


def row(r: Result) -> str:
    """One line of the main table."""
    f = r.figures
    timeouts = f" ({int(f['timeouts'])} timed out)" if f["timeouts"] else ""
    queued = f" ({int(f['queued_n'])} queued)" if f["queued_n"] else ""
    refused = f" ({int(f['refused_n'])} refused)" if f["refused_n"] else ""
    errors = f" (+{int(f['errors'])} client errors)" if f["errors"] else ""
    cells = [
        r.deployment, str(r.students),
        f"{fmt(f['p50'])} / {fmt(f['p95'])} / {fmt(f['max'])}{timeouts}",
        f"{int(f['trained_n'])} of {int(f['pressed_n'])}{queued}{refused}",
        f"{fmt(f['refresh_median'])} / {fmt(f['refresh_min'])}",
        f"{fmt(f['server_cores'])} / {fmt(f['worker_cores'])} / {fmt(f['nginx_cores'])}",
        f"{fmt(f['cpu_per_student'])} (pages {fmt(f['cpu_pages_per_student'])}, live redraws "
        f"{fmt(f['cpu_redraws_per_student'])} at {fmt(1000 * f['cpu_per_redraw'], 0)} ms each)",
        f"{f['throughput']:,.0f} ({fmt(100 * f['throughput_share'], 0)} % of the same run; "
        f"{fmt(100 * f['throughput_share_past'], 0)} % past solved; "
        f"{int(f['concurrent'])} at once)",
        f"{fmt(100 * f['solved'], 0)} %",
        f"{f['rss_before']:,.0f} / {f['rss_peak']:,.0f} / {f['rss_after']:,.0f} "
        f"({fmt(f['rss_growth_max'], 0)})",
        f"{int(f['exceptions'])}{errors}",
    ]
    return "| " + " | ".join(cells) + " |"


def machine_note(r: Result) -> str:
    f = r.figures
    ours = f["server_cores"] + f["worker_cores"] + f["nginx_cores"] + f["client_cores"]
    return (f"{r.deployment} N={r.students}: {fmt(f['machine_cores'])} in all, this "
            f"benchmark's client {fmt(f['client_cores'])}, other programs "
            f"{fmt(f['machine_cores'] - ours)}")


def print_results(results: list[Result], cli: CliRates) -> None:
    print()
    print(f"Headless CLI, default preset, one core, env steps per CPU-second: the students' run "
          f"(fresh policy until solved, seeds {', '.join(map(str, CLI_SEEDS))}) "
          f"{cli.same_run:,.0f}, two cores {2 * cli.same_run:,.0f} steps/s; a run going on "
          f"past solved {cli.past_solved:,.0f}, two cores {2 * cli.past_solved:,.0f} steps/s.")
    print()
    print("| deployment | N | interaction p50 / p95 / max (s) | Start trained | chart refreshes/s "
          "per training student (median / min) | server / worker / nginx CPU (cores) | "
          "server CPU-s per student outside training | class steps/s (share of 2 CLI cores) | "
          "solved in 60 s | RSS MB before / peak / 30 s after (max growth) | exceptions |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print_rows_and_actions(results, row)
    print("Static files per new student: " + ", ".join(
        f"{fmt(r.figures['asset_mb'], 1)} MB" for r in results[:1]))
    for r in results:
        for note in r.notes:
            print(f"  {r.deployment} N={r.students} student {note}")
    print()
    print("| target (2 cores, class deployment) | N | deployment | measured | target | "
          "ratio to target |")
    print("|---|---|---|---|---|---|")
    for r in results:
        goals = TARGETS.get(r.students)
        if not goals:
            continue
        f = r.figures
        rows: list[tuple[str, float, float, bool]] = []
        if "trained" in goals:
            rows.append(("every student trains (share)", f["trained"], goals["trained"], True))
        rows.append((f"p95 interaction < {goals['p95']:g} s", f["p95"], goals["p95"], False))
        if "refresh" in goals:
            rows.append(("chart refreshes/s, slowest training student", f["refresh_min"],
                         goals["refresh"], True))
        if "throughput" in goals:
            rows.append(("class steps/s / two CLI cores (the students' run)",
                         f["throughput_share"],
                         goals["throughput"], True))
        if "solved" in goals:
            rows.append(("default runs solved within 60 s", f["solved"], goals["solved"], True))
        if "cpu_per_student" in goals:
            rows.append(("server CPU-s per student outside training, pages (live redraws "
                         "apart)", f["cpu_pages_per_student"], goals["cpu_per_student"], False))
        if "rss_growth_mb" in goals:
            rows.append(("RSS growth 30 s after, worst process (MB)", f["rss_growth_max"],
                         goals["rss_growth_mb"], False))
            rows.append(("exceptions", f["exceptions"], 0.0, False))
            rows.append(("trained or saw a moving queue (share)",
                         (f["trained_n"] + f["queued_n"]) / max(1.0, f["pressed_n"]), 1.0, True))
        for name, value, target, higher_better in rows:
            if target == 0:
                ratio = "met" if value == 0 else "missed"
            else:
                ratio_value = value / target
                ok = ratio_value >= 1 if higher_better else ratio_value <= 1
                ratio = f"{fmt(ratio_value)} ({'met' if ok else 'missed'})"
            print(f"| {name} | {r.students} | {r.deployment} | {fmt(value)} | "
                  f"{'≥' if higher_better else '≤'} {target:g} | {ratio} |")


# ---------------------------------------------------------------------- the room scenario
ROOM_PAGE = "class_room"
JOIN_LINK = re.compile(r"https?://[^\s?#]+?(/class_room)\?room=([0-9A-Za-z]+)")
"""The join link the teacher's screen shows, in large type."""
POSTED = re.compile(r"Posted to the room:\s+([\d,]+)\s+episodes?")
"""The student's line saying what the room has received of their run."""
COUNTS_LABEL = "Students"
"""Label of the first count of the teacher's refreshing part (one per refresh)."""
RUNS_LABEL = re.compile(r"^Runs\b")
TAIL_REFRESHES = 3
"""The teacher's screen stays open this many refresh intervals after the last student left."""
ROOM_TARGETS = {"refresh_p95": 2.0, "visible": 1.0}


def join_path(text: str) -> str | None:
    """The path and query of a join link in ``text`` (``/class_room?room=ABC123``), else
    None."""
    match = JOIN_LINK.search(text)
    return f"{match[1]}?room={match[2]}" if match else None


def posted_episodes(text: str) -> int | None:
    """Episodes the room has received, from the student's posting line, else None."""
    match = POSTED.search(text)
    return int(match[1].replace(",", "")) if match else None


def table_rows(arrow: bytes) -> dict[str, int]:
    """Nickname -> episodes (the most of that nickname's runs) of the teacher's runs table, from
    the Arrow IPC bytes Streamlit sends for a data frame."""
    import pyarrow as pa

    table = pa.ipc.open_stream(arrow).read_all()
    if "nickname" not in table.column_names or "episodes" not in table.column_names:
        return {}
    rows: dict[str, int] = {}
    for nickname, episodes in zip(table.column("nickname").to_pylist(),
                                  table.column("episodes").to_pylist(), strict=True):
        if nickname is not None:
            rows[nickname] = max(rows.get(nickname, -1), int(episodes or 0))
    return rows


def spread_positions(n: int, rng: random.Random) -> list[float]:
    """Where in the range of offered values each of ``n`` students picks (0 = the lowest,
    1 = the highest): evenly spread over the whole range (log-spaced for the learning rate,
    whose offered values are), in an order shuffled by ``rng`` so that the joining order says
    nothing about the value."""
    if n <= 0:
        return []
    if n == 1:
        return [0.5]
    picks = [i / (n - 1) for i in range(n)]
    rng.shuffle(picks)
    return picks


@dataclass
class Refresh:
    """One completed run of the teacher's refreshing part, as the teacher's screen showed it."""

    at: float
    rows: dict[str, int]
    """Nickname -> episodes in the runs table."""
    runs: int | None
    """The "Runs" count shown."""


@dataclass
class Teacher:
    """What the simulated teacher did and saw."""

    actions: list[tuple[str, float, float | None]] = field(default_factory=list)
    join_path: str | None = None
    interval: float | None = None
    """The refresh interval the page asked for (its fragment's ``run_every``)."""
    refreshes: list[Refresh] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    _seen: dict[str, Refresh] = field(default_factory=dict)

    def on_element(self, run: Run, element: Element) -> None:
        kind = element.WhichOneof("type")
        if kind == "text" and self.join_path is None:
            self.join_path = join_path(element.text.body)
        elif kind == "metric":
            if element.metric.label == COUNTS_LABEL:
                self._seen[run.run_id] = Refresh(0.0, {}, None)
            elif RUNS_LABEL.search(element.metric.label) and run.run_id in self._seen:
                body = element.metric.body.replace(",", "")
                self._seen[run.run_id].runs = int(body) if body.isdigit() else None
        elif kind == "dataframe" and run.run_id in self._seen:
            data = element.dataframe.arrow_data.data or \
                element.dataframe.lazy_data.initial_chunk.data
            self._seen[run.run_id].rows = table_rows(data) if data else {}

    def on_run_finished(self, run: Run) -> None:
        seen = self._seen.pop(run.run_id, None)
        if seen is not None and run.status in (FINISHED, FRAGMENT_FINISHED):
            seen.at = run.finished or time.perf_counter()
            self.refreshes.append(seen)


@dataclass
class RoomStudent(Student):
    """A student in the room: Student's readings plus what the room received of the run."""

    nickname: str = ""
    lr: str | None = None
    posted: list[tuple[float, int]] = field(default_factory=list)
    """(time the student's page first said so, episodes the room has received)."""

    def on_element(self, run: Run, element: Element) -> None:
        super().on_element(run, element)
        if element.WhichOneof("type") == "markdown":
            episodes = posted_episodes(element.markdown.body)
            if episodes is not None and (not self.posted or episodes > self.posted[-1][1]):
                self.posted.append((time.perf_counter(), episodes))


def _client(url: str, http: aiohttp.ClientSession, assets: list[str], eager: list[str],
            who: Student | Teacher) -> StreamlitClient:
    return StreamlitClient(url, http, assets=assets, eager_assets=eager,
                           on_element=who.on_element, on_run_finished=who.on_run_finished)


def _http() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                 connector=aiohttp.TCPConnector(limit=8),
                                 auto_decompress=False,
                                 timeout=aiohttp.ClientTimeout(total=None))


async def teacher_session(teacher: Teacher, url: str, assets: list[str], eager: list[str],
                          ready: asyncio.Event, done: asyncio.Event) -> None:
    """The teacher opens the class room page, presses "Open a room" and keeps the screen open
    (its part refreshing by itself) until the class is over, then a few refreshes more."""
    async with _http() as http:
        client = _client(url, http, assets, eager, teacher)
        try:
            if await act(teacher, "teacher opens the page", client.open(f"/{ROOM_PAGE}")) \
                    is None:
                return
            await act(teacher, "teacher opens a room", client.click("Open a room"))
            intervals = [interval for interval, _task in client.timers.values()]
            teacher.interval = min(intervals) if intervals else None
            if teacher.join_path is None:
                teacher.errors.append("no join link on the teacher's screen")
                return
            ready.set()
            await done.wait()
            await asyncio.sleep(TAIL_REFRESHES * (teacher.interval or 1.0))
        finally:
            ready.set()
            teacher.exceptions = list(client.exceptions)
            teacher.errors += client.errors
            await client.close()


async def room_student_session(student: RoomStudent, url: str, path: str, join_at: float,
                               position: float, assets: list[str], eager: list[str],
                               rng: random.Random) -> None:
    """One student: opens the join link, types a nickname, joins, picks a learning rate,
    starts a run and follows it for the follow window, then closes the tab."""
    await asyncio.sleep(max(0.0, join_at - time.perf_counter()))
    async with _http() as http:
        client = _client(url, http, assets, eager, student)

        async def think() -> None:
            await asyncio.sleep(rng.uniform(1.0, 2.0))

        try:
            if await act(student, "open join link", client.open(path)) is None:
                return
            await think()
            await act(student, "nickname", client.set_widget("nickname", student.nickname))
            await think()
            if await act(student, "join", client.click("Join the room")) is None:
                return
            await think()
            options = client.find("room_set_lr").options
            student.lr = options[round(position * (len(options) - 1))]
            await act(student, "learning rate", client.set_widget("room_set_lr", [student.lr]))
            await think()
            student.start_at = time.perf_counter()
            await act(student, "start", client.click("Start a run"))
            await asyncio.sleep(max(0.0, student.start_at + SCENARIO.follow_s
                                    - time.perf_counter()))
        except KeyError as error:  # a control the page should have shown was missing
            student.errors.append(f"page: {error}")
        finally:
            await leave(student, client)


async def run_room(url: str, n: int, assets: list[str], eager: list[str], seed: int
                   ) -> tuple[Teacher, list[RoomStudent], float, float]:
    """The teacher opens a room; then n students join it over the join window and train."""
    rng = random.Random(seed)
    teacher = Teacher()
    ready, done = asyncio.Event(), asyncio.Event()
    screen = asyncio.create_task(teacher_session(teacher, url, assets, eager, ready, done))
    await ready.wait()
    students = [RoomStudent(i, nickname=f"student {i + 1:02d}") for i in range(n)]
    t0 = time.perf_counter() + 1.0
    path = teacher.join_path
    if path is not None:
        picks = spread_positions(n, random.Random(rng.random()))
        joins = [t0 + SCENARIO.join_s * i / max(1, n - 1) for i in range(n)]
        await asyncio.gather(*(room_student_session(s, url, path, at, pick, assets, eager,
                                                    random.Random(rng.random()))
                               for s, at, pick in zip(students, joins, picks, strict=True)))
    end = time.perf_counter()
    done.set()
    await screen
    return teacher, students, t0, end


def post_delays(teacher: Teacher, students: list[RoomStudent]) -> tuple[list[float], int]:
    """(seconds from each post, as the student's page reported it, to the first teacher refresh
    showing at least that many episodes of the student's run; posts never shown). A refresh that
    read the database before the student's page reported the write counts as 0 s."""
    delays: list[float] = []
    missing = 0
    for student in students:
        for at, episodes in student.posted:
            shown = next((r.at for r in teacher.refreshes
                          if r.rows.get(student.nickname, -1) >= episodes), None)
            if shown is None:
                missing += 1
            else:
                delays.append(max(0.0, shown - at))
    return delays, missing


def measure_room(deployment: Deployment, n: int, assets: list[str], eager: list[str],
                 seed: int, cooldown: float) -> Result:
    sampler = Sampler(deployment.groups)
    sampler.start()
    time.sleep(2 * SAMPLE_S)
    client_cpu0 = time.process_time()
    teacher, students, start, end = asyncio.run(run_room(deployment.url, n, assets, eager,
                                                         seed))
    client_cpu = time.process_time() - client_cpu0
    time.sleep(cooldown)
    sampler.stop()

    during = [r.at for r in teacher.refreshes if start <= r.at <= end]
    intervals = [b - a for a, b in itertools.pairwise(during)]
    delays, missing = post_delays(teacher, students)
    pressed = [s for s in students if s.start_at is not None]
    trained = [s for s in pressed if s.trained_at is not None]
    on_screen = [next((r.at - (s.start_at or 0.0) for r in teacher.refreshes
                       if s.nickname in r.rows and r.at >= (s.start_at or 0.0)), None)
                 for s in pressed]
    last = teacher.refreshes[-1] if teacher.refreshes else Refresh(0.0, {}, None)
    visible = sum(1 for s in students if s.nickname in last.rows)
    latencies = [sec for st in students for _k, _t, sec in st.actions if sec is not None]
    everyone: list[Teacher | RoomStudent] = [teacher, *students]
    timeouts = sum(1 for who in everyone for _k, _t, sec in who.actions if sec is None)
    span = end - start
    exceptions = (sum(len(s.exceptions) for s in students) + len(teacher.exceptions)
                  + uncaught(deployment.logs))
    by_kind: dict[str, list[float]] = {}
    for who in everyone:
        for kind, _t, seconds in who.actions:
            if seconds is not None:
                by_kind.setdefault(kind, []).append(seconds)
    figures = {
        "refresh_p50": percentile(intervals, 0.5), "refresh_p95": percentile(intervals, 0.95),
        "refresh_max": max(intervals, default=float("nan")),
        "refresh_n": float(len(intervals)), "refresh_asked": teacher.interval or float("nan"),
        "post_p50": percentile(delays, 0.5), "post_p95": percentile(delays, 0.95),
        "post_max": max(delays, default=float("nan")), "post_n": float(len(delays)),
        "post_missing": float(missing),
        "on_screen_p50": percentile([d for d in on_screen if d is not None], 0.5),
        "on_screen_max": max((d for d in on_screen if d is not None), default=float("nan")),
        "visible_n": float(visible), "visible": visible / max(1, n),
        "runs_count": float(last.runs) if last.runs is not None else float("nan"),
        "posted_n": float(sum(1 for s in students if s.posted)),
        "p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95),
        "max": max(latencies, default=float("nan")), "timeouts": float(timeouts),
        "trained_n": float(len(trained)), "pressed_n": float(len(pressed)),
        "server_cores": sampler.cpu("server", start, end) / span,
        "worker_cores": sampler.cpu("worker", start, end) / span,
        "nginx_cores": (sampler.cpu("nginx", start, end) / span
                        if "nginx" in deployment.groups else 0.0),
        "client_cores": client_cpu / span, "machine_cores": sampler.machine_cpu(start, end),
        "exceptions": float(exceptions),
        "errors": float(sum(len(s.errors) for s in students) + len(teacher.errors)),
        "span": span,
    }
    for kind, values in by_kind.items():
        figures[f"median {kind}"] = statistics.median(values)
        figures[f"p95 {kind}"] = percentile(values, 0.95)
    lrs = sorted({s.lr for s in students if s.lr is not None}, key=float)
    notes = ([f"learning rates picked: {', '.join(lrs)}"] if lrs else []) + \
        [f"teacher: {e}" for e in teacher.errors][:3] + \
        [f"student {s.index + 1}: {e}" for s in students for e in s.errors][:5] + \
        [note.removeprefix("all: ") for note in unfinished_note(list(students))]
    return Result(deployment.name, n, figures, notes)


def room_row(r: Result) -> str:
    f = r.figures
    timeouts = f" ({int(f['timeouts'])} timed out)" if f["timeouts"] else ""
    missing = f" ({int(f['post_missing'])} never shown)" if f["post_missing"] else ""
    errors = f" (+{int(f['errors'])} client errors)" if f["errors"] else ""
    cells = [
        r.deployment, str(r.students),
        f"{fmt(f['refresh_p50'])} / {fmt(f['refresh_p95'])} / {fmt(f['refresh_max'])} "
        f"({int(f['refresh_n'])} intervals, asked {fmt(f['refresh_asked'], 1)})",
        f"{fmt(f['post_p50'])} / {fmt(f['post_p95'])} / {fmt(f['post_max'])}{missing}",
        f"{fmt(f['on_screen_p50'], 1)} / {fmt(f['on_screen_max'], 1)}",
        f"{int(f['visible_n'])} of {r.students} (count shown: {fmt(f['runs_count'], 0)}; "
        f"{int(f['posted_n'])} posted)",
        f"{fmt(f['p50'])} / {fmt(f['p95'])} / {fmt(f['max'])}{timeouts}",
        f"{int(f['trained_n'])} of {int(f['pressed_n'])}",
        f"{fmt(f['server_cores'])} / {fmt(f['worker_cores'])} / {fmt(f['nginx_cores'])}",
        f"{int(f['exceptions'])}{errors}",
    ]
    return "| " + " | ".join(cells) + " |"


def print_rows_and_actions(results: list[Result], row_of: Callable[[Result], str]) -> None:
    """A table's rows, the machine's load while each class ran, and the seconds per kind of
    action (median / p95)."""
    for r in results:
        print(row_of(r))
    print()
    print(f"Machine while the class ran (cores busy on average, of {os.cpu_count()}): "
          + "; ".join(machine_note(r) for r in results))
    kinds = sorted({k for r in results for k in r.figures if k.startswith("median ")})
    print()
    print("Seconds per action, median / p95: " + "; ".join(
        f"{r.deployment} N={r.students}: " + ", ".join(
            f"{k.removeprefix('median ')} {fmt(r.figures[k])} / "
            f"{fmt(r.figures['p95 ' + k.removeprefix('median ')])}"
            for k in kinds if k in r.figures)
        for r in results))


def print_room_results(results: list[Result]) -> None:
    print()
    print("| deployment | N | teacher refresh interval p50 / p95 / max (s) | post → teacher's "
          "screen p50 / p95 / max (s) | Start → on teacher's screen median / max (s) | runs "
          "on the teacher's screen at the end | student interaction p50 / p95 / max (s) | "
          "Start trained | server / worker / nginx CPU (cores) | exceptions |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print_rows_and_actions(results, room_row)
    for r in results:
        for note in r.notes:
            print(f"  {r.deployment} N={r.students}: {note}")
    print()
    print("| target (issue 16) | N | deployment | measured | target | ratio to target |")
    print("|---|---|---|---|---|---|")
    for r in results:
        f = r.figures
        goal = ROOM_TARGETS["refresh_p95"]
        ratio = f["refresh_p95"] / goal
        print(f"| teacher refresh interval p95 < {goal:g} s | {r.students} | {r.deployment} | "
              f"{fmt(f['refresh_p95'])} | ≤ {goal:g} | "
              f"{fmt(ratio)} ({'met' if ratio <= 1 else 'missed'}) |")
        share = f["visible"] / ROOM_TARGETS["visible"]
        print(f"| every run on the teacher's screen (share of N) | {r.students} | "
              f"{r.deployment} | {int(f['visible_n'])} of {r.students} | all | "
              f"{fmt(share)} ({'met' if share >= 1 else 'missed'}) |")
        print(f"| exceptions | {r.students} | {r.deployment} | {int(f['exceptions'])} | 0 | "
              f"{'met' if f['exceptions'] == 0 else 'missed'} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", choices=["pages", "room"], default="pages",
                        help="pages: each student tours the home, expectation and CartPole "
                             "pages (issue 11, the default); room: a teacher opens a class "
                             "room and the students train in it, the teacher's screen open "
                             "(issue 16)")
    parser.add_argument("--students", type=int, nargs="+", default=None,
                        help="class sizes (default: 30 and 100; 30 for the room scenario)")
    parser.add_argument("--deployments", nargs="+", choices=["single", "class"],
                        default=["single", "class"])
    parser.add_argument("--replicas", type=int, default=os.cpu_count() or 2,
                        help="app processes of the class deployment (default: one per core)")
    parser.add_argument("--url", help="drive this running deployment instead of starting one")
    parser.add_argument("--pid", type=int, nargs="*", default=[],
                        help="with --url: local server processes to measure")
    parser.add_argument("--database-url",
                        help="rooms database of the deployments started here (a SQLAlchemy "
                             "URL, e.g. postgresql+psycopg://...); default: one SQLite file "
                             "in a fresh data folder, shared by all app processes")
    parser.add_argument("--cooldown", type=float, default=COOLDOWN_S)
    parser.add_argument("--cli-seconds", type=float, default=8.0,
                        help="length of the headless CLI run past solved, shown beside the "
                             "like-for-like baseline (pages scenario)")
    parser.add_argument("--assets", choices=["browser", "html", "none"], default="browser",
                        help="static files each student fetches: those a real browser fetched "
                             "on the scenario's pages (recorded once), only those the HTML "
                             "names, or none")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--join", type=float, default=SCENARIO.join_s,
                        help="seconds over which the students join (the issue's: 20)")
    parser.add_argument("--follow", type=float, default=SCENARIO.follow_s,
                        help="seconds each follows its training (the issue's: 60)")
    args = parser.parse_args(argv)
    SCENARIO.join_s, SCENARIO.follow_s = args.join, args.follow
    room = args.scenario == "room"
    sizes = args.students or ([30] if room else [30, 100])

    cli = CliRates(float("nan"), float("nan"))
    if not room:
        print("Headless CLI baselines ...", flush=True)
        cli = cli_rates(args.cli_seconds)
    results: list[Result] = []
    prefix = Path(tempfile.mkdtemp(prefix="pgs-classroom-"))
    plans: list[tuple[str, int]] = ([("url", n) for n in sizes] if args.url else
                                    [(d, n) for d in args.deployments for n in sizes])
    for number, (kind, n) in enumerate(plans):
        database = database_env(prefix / f"data{number}", args.database_url)
        if kind == "url":
            deployment = Deployment(args.url, args.url, {"server": args.pid}, [])
        elif kind == "single":
            deployment = start_single(prefix, database)
        else:
            deployment = start_class_deployment(prefix / f"n{n}", args.replicas, database)
        try:
            assets: list[str] = []
            eager: list[str] = []
            if args.assets != "none":
                import urllib.request

                with urllib.request.urlopen(deployment.url + "/", timeout=60) as response:
                    eager = eager_assets(response.read().decode())
                recorded = (record_assets(deployment.url, *([(f"/{ROOM_PAGE}", "/cartpole")]
                                                           if room else []))
                            if args.assets == "browser" else None)
                assets = [p for p in (recorded or []) if p not in eager]
            asyncio.run(warm_up(deployment.backends,
                                ("cartpole", ROOM_PAGE) if room else ("cartpole",)))
            where = (f"one room, {'PostgreSQL' if args.database_url else 'SQLite'}"
                     if room else "")
            print(f"{deployment.name}: {n} students at {deployment.url} "
                  f"({len(eager) + len(assets)} static files each{', ' if where else ''}"
                  f"{where}) ...", flush=True)
            if room:
                results.append(measure_room(deployment, n, assets, eager, args.seed,
                                            args.cooldown))
            else:
                results.append(measure(deployment, n, assets, eager, cli, args.seed,
                                       args.cooldown))
        finally:
            deployment.stop()
        if room:
            print_room_results(results[-1:])
        else:
            print_results(results[-1:], cli)
    print("\n== All runs")
    if room:
        print_room_results(results)
    else:
        print_results(results, cli)
    return 0


if __name__ == "__main__":
    sys.exit(main())
