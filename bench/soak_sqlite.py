"""Soak the embedded database: a `make demo`-like server and worker on a temporary
SQLite file, register saves and consent records in tight loops while the worker
refreshes the rollups. Every request must succeed.

    .venv/bin/python bench/soak_sqlite.py [--registers 100 --consents 100 --port 8765]

It migrates a fresh SQLite file in a temporary folder, loads the demo, starts
``manage.py run_worker`` and ``manage.py runserver`` on 127.0.0.1 (loopback only),
signs in as the demo Liverpool tutor (registers, JSON like the phone register)
and the demo Liverpool manager (consent records, the HTML form), and runs both
loops at once. Every register save queues a rollup refresh for the worker, and
the script also queues a full ``rebuild_rollups`` every second. At the end it
waits for the queue to drain and reports errors (must be 0), request timings
(median, p95, max) and the worker's tasks (failed must be 0). Exit status 1 if
anything failed. Everything stops by itself; the temporary folder is removed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "harmonia-demo"  # noqa: S105 — the demo's published password
TUTOR = "tutor.liverpool@inharmony.demo"
MANAGER = "manager.liverpool@inharmony.demo"
CENTRE = "In Harmony Liverpool"


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if values else 0


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One signed-in person: cookies, CSRF token, no automatic redirects."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def request(self, path, data=None, *, json_body=None, timeout=60):
        headers = {"Referer": self.base + path}
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers |= {"Content-Type": "application/json", "X-CSRFToken": self.csrf()}
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310
        try:
            with self.opener.open(req, timeout=timeout) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")
        except OSError as error:  # no answer in time, connection reset: an error too
            return 0, f"{type(error).__name__}: {error}"

    def login(self, email: str) -> None:
        status, page = self.request("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _ = self.request(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": email, "password": PASSWORD},
        )
        if status != 302:
            raise SystemExit(f"Could not sign in as {email} (HTTP {status}).")


def _title(body: str) -> str:
    """The error's name from Django's error page, or the start of the answer."""
    found = re.search(r"<title>(.*?)</title>", body, re.S)
    return " ".join((found.group(1) if found else body[:120]).split())


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"The server did not start on port {port}.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registers", type=int, default=100)
    parser.add_argument("--consents", type=int, default=100)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep-logs", metavar="DIR", help="keep the server's and worker's logs")
    args = parser.parse_args()

    folder = tempfile.TemporaryDirectory(prefix="harmonia-soak-")
    database = Path(folder.name) / "soak.sqlite3"
    env = {
        **os.environ,
        "HARMONIA_MODE": "demo",
        "DATABASE_URL": f"sqlite:///{database}",
        "HARMONIA_TASK_BACKEND": "database",
        "HARMONIA_MEDIA_ROOT": str(Path(folder.name) / "media"),
        "PYTHONUNBUFFERED": "1",
    }
    python = sys.executable
    manage = [python, str(ROOT / "manage.py")]
    started = time.monotonic()
    for command in (["migrate", "--noinput", "-v0"], ["load_demo"]):
        subprocess.run([*manage, *command], env=env, cwd=ROOT, check=True, capture_output=True)  # noqa: S603
    print(f"fresh demo on {database.name}: {time.monotonic() - started:.1f}s")

    # This process reads the demo's ids and queues full rebuilds, through Django.
    os.environ.update(
        {k: env[k] for k in ("HARMONIA_MODE", "DATABASE_URL", "HARMONIA_TASK_BACKEND")}
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harmonia.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connections
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from harmonia.accounts.models import User
    from harmonia.children.models import Child, ChildGuardian
    from harmonia.children.services import current_forms
    from harmonia.ensembles.models import Occurrence
    from harmonia.ensembles.register import roster
    from harmonia.programmes.models import Centre
    from harmonia.reports.tasks import rebuild_rollups

    centre = Centre.objects.get(name=CENTRE)
    tutor = User.objects.get(email=TUTOR)
    today = timezone.localdate()
    # The roster as the tutor sees it (a joint ensemble shows only their centre's children).
    occurrences = [
        (o.pk, list(roster(o, user=tutor).values_list("child_id", flat=True)))
        for o in Occurrence.objects.filter(
            centre=centre, date__lte=today, date__gte=today - dt.timedelta(days=120)
        )
        .exclude(status=Occurrence.Status.CANCELLED)
        .order_by("-date")[:40]
    ]
    occurrences = [(pk, kids) for pk, kids in occurrences if kids]
    forms = list(current_forms(centre.programme).values())
    links = list(
        ChildGuardian.objects.filter(child__centre=centre, child__anonymised_at__isnull=True)
        .order_by("child_id")
        .values_list("child_id", "guardian_id")[:50]
    )
    assert occurrences and forms and links, "the demo has no registers, forms or guardians"
    assert Child.objects.filter(centre=centre).exists()
    connections.close_all()

    # Their logs go to files (a full pipe would stall them), kept with --keep-logs.
    logs = Path(args.keep_logs or folder.name)
    logs.mkdir(parents=True, exist_ok=True)
    worker_log, server_log = open(logs / "worker.log", "w"), open(logs / "server.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(  # noqa: S603
        [*manage, "run_worker", "--interval", "1", "--no-startup-delay", "--no-reload"],
        env=env, cwd=ROOT, stdout=worker_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    server = subprocess.Popen(  # noqa: S603
        [*manage, "runserver", f"127.0.0.1:{args.port}", "--noreload"],
        env=env, cwd=ROOT, stdout=server_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    results = {"register": [], "consent": []}
    errors: list[str] = []
    try:
        wait_for_port(args.port)
        base = f"http://127.0.0.1:{args.port}"
        tutor, manager = Browser(base), Browser(base)
        tutor.login(TUTOR)
        manager.login(MANAGER)
        done = threading.Event()

        def registers():
            for i in range(args.registers):
                pk, kids = occurrences[i % len(occurrences)]
                marks = [
                    {"child": c, "status": "present" if (i + j) % 5 else "absent_authorised"}
                    for j, c in enumerate(kids)
                ]
                t0 = time.perf_counter()
                status, body = tutor.request(
                    f"/registers/{pk}/marks/", json_body={"key": str(uuid.uuid4()), "marks": marks}
                )
                results["register"].append(time.perf_counter() - t0)
                if status != 200:
                    errors.append(f"register {i}: HTTP {status} {_title(body)}")

        def consents():
            for i in range(args.consents):
                child, guardian = links[i % len(links)]
                form = forms[i % len(forms)]
                data = {
                    "csrfmiddlewaretoken": manager.csrf(),
                    "form": form.pk,
                    "decision": "given" if i % 4 else "refused",
                    "guardian": guardian,
                    "method": "paper",
                    "decided_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                }
                t0 = time.perf_counter()
                status, body = manager.request(f"/children/{child}/consents/record/", data)
                results["consent"].append(time.perf_counter() - t0)
                if status != 302:
                    errors.append(f"consent {i}: HTTP {status} {_title(body)}")

        def rebuilds():
            while not done.is_set():
                rebuild_rollups.enqueue()
                connections.close_all()
                done.wait(1.0)

        queuer = threading.Thread(target=rebuilds)
        loops = [threading.Thread(target=registers), threading.Thread(target=consents)]
        t_start = time.perf_counter()
        queuer.start()
        for t in loops:
            t.start()
        for t in loops:
            t.join(timeout=600)
        elapsed = time.perf_counter() - t_start
        done.set()
        queuer.join(timeout=30)

        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            pending = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()
            if not pending or worker.poll() is not None:
                break
            time.sleep(1)
        tasks = dict(
            (s, DBTaskResult.objects.filter(status=s).count())
            for s in ("SUCCESSFUL", "FAILED", "READY", "RUNNING")
        )
        connections.close_all()
    finally:
        worker_alive = worker.poll() is None  # still running at the end: it never died
        for process in (server, worker):
            process.terminate()
        for process in (server, worker):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        worker_log.close()
        server_log.close()
    print(f"{args.registers} register saves and {args.consents} consent records in {elapsed:.1f}s")
    for name, times in results.items():
        ms = [t * 1000 for t in times]
        print(
            f"  {name:9s} n={len(ms):3d}  median {statistics.median(ms):7.1f} ms  "
            f"p95 {percentile(ms, 95):7.1f} ms  max {max(ms):7.1f} ms"
        )
    print(f"  errors: {len(errors)}")
    for e in errors[:10]:
        print("   ", e)
    print(
        f"  worker tasks: {tasks['SUCCESSFUL']} successful, {tasks['FAILED']} failed, "
        f"{tasks['READY'] + tasks['RUNNING']} left; worker "
        + ("ran to the end" if worker_alive else "DIED")
    )
    folder.cleanup()
    ok = not errors and not tasks["FAILED"] and not (tasks["READY"] + tasks["RUNNING"])
    return 0 if ok and worker_alive else 1


if __name__ == "__main__":
    sys.exit(main())
