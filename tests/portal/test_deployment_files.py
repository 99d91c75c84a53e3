"""The Deployment section of the README: `docker compose up -d` with the repository's Dockerfile
and docker-compose.yml. No Docker daemon runs in the tests, so the files are read as Docker reads
them and the settings are computed with the environment each step would have."""

import fnmatch
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _dockerfile_steps() -> list[tuple[str, str]]:
    """(instruction, arguments) per step, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    steps = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, arguments = line.partition(" ")
            steps.append((instruction.upper(), arguments.strip()))
    return steps


def _assignments(words: list[str]) -> dict[str, str]:
    return dict(word.split("=", 1) for word in words if re.match(r"^[A-Z_][A-Z0-9_]*=", word))


def _build_and_run_environments() -> tuple[dict[str, str], dict[str, str]]:
    """The environment of the image's collectstatic step, and of the running web service."""
    build, final = None, {}
    for instruction, arguments in _dockerfile_steps():
        if instruction == "ENV":
            final.update(_assignments(shlex.split(arguments)))
        elif instruction == "RUN" and "collectstatic" in arguments and build is None:
            step = arguments.split("collectstatic")[0].split("&&")[-1]
            build = {**final, **_assignments(shlex.split(step))}
    assert build is not None, "the Dockerfile no longer collects the static files"
    return build, {**final, **_compose_environment("web")}


def _substitute(value: str) -> str:
    """Compose's ${NAME:-default} and ${NAME:?message}: the default, or a stand-in value."""
    return re.sub(r"\$\{([A-Z_]+)(?::?[-?]([^}]*))?\}",
                  lambda m: m.group(2) if "-" in m.group(0) else f"set-{m.group(1).lower()}",
                  str(value))


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _compose_environment(service: str) -> dict[str, str]:
    environment = _compose()["services"][service].get("environment", {})
    return {name: _substitute(value) for name, value in environment.items()}


def _settings(env: dict[str, str], *names: str) -> list[str]:
    """The settings' values with exactly this environment (and the test's PATH)."""
    code = ("import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings'; "
            "from django.conf import settings; "
            f"print('\\n'.join(str(getattr(settings, n)) for n in {names!r}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT,
                            env={"PATH": os.environ["PATH"], **env},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_the_image_serves_the_static_files_it_collected():
    # The build collected them where the settings of that step put STATIC_ROOT; the running
    # container looks for the manifest where its own settings put it. Apart, every page is a
    # 500 ("Missing staticfiles manifest entry for 'css/portal.css'").
    # The same goes for the storage: only the manifest storage writes the manifest that the
    # running one (DEBUG off) reads.
    build, run = _build_and_run_environments()
    built = _settings(build, "STATIC_ROOT", "STORAGES")
    served = _settings(run, "STATIC_ROOT", "STORAGES")
    assert served == built
    assert "Manifest" in served[1]
    served = served[0]
    # A volume mounted there would hide what the image holds (and keep a stale copy).
    for volume in _compose()["services"]["web"].get("volumes", []):
        mount = volume.split(":")[1]
        assert not Path(served).is_relative_to(mount), (served, volume)


def _docker_ignores(path: str) -> bool:
    """Whether `COPY . .` leaves `path` out (.dockerignore: a pattern that matches a folder
    leaves out all it holds; a later `!pattern` takes a path back)."""
    ignore_file = ROOT / ".dockerignore"
    lines = ignore_file.read_text().splitlines() if ignore_file.exists() else []
    parts = path.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    ignored = False
    for line in lines:
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        keep = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        if pattern.startswith("**/"):  # any depth: compare with each folder's own name
            matches = any(fnmatch.fnmatchcase(prefix.split("/")[-1], pattern[3:])
                          for prefix in prefixes)
        else:
            matches = any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes)
        if matches:
            ignored = not keep
    return ignored


def test_the_image_holds_no_local_data_virtualenv_or_history():
    # `COPY . .` copies the build context: without .dockerignore the developer's demo database,
    # mails, applicants' CVs (var/), their virtualenv (.venv, built for another Python) and the
    # git history end up in an image that is pushed to a registry.
    for path in ["var/portal.sqlite3", "var/private/cv/abc.pdf", "var/mail/1.log",
                 ".venv/bin/python", ".git/config", "staticfiles/css/portal.css",
                 "billing/__pycache__/models.cpython-311.pyc", "build/lib/x.py"]:
        assert _docker_ignores(path), path
    for path in ["manage.py", "portal/settings.py", "locale/nl/LC_MESSAGES/django.po",
                 "static/css/portal.css", "templates/base.html", "requirements.lock"]:
        assert not _docker_ignores(path), path


def _app_services() -> dict[str, dict]:
    return {name: spec for name, spec in _compose()["services"].items() if "build" in spec}


def test_the_web_app_worker_and_beat_start_after_the_migrations():
    # Beat reads its schedule from tables that migrations create (portal/schedules.py); started
    # beside a `migrate` that has not finished, it stopped for good on the first deployment, and a
    # worker ran new code against the old schema on every upgrade.
    services = _app_services()
    migrating = [name for name, spec in services.items()
                 if "manage.py migrate" in str(spec.get("command", ""))]
    assert len(migrating) == 1, migrating
    [migrate] = migrating
    for name in ["web", "worker", "beat"]:
        depends_on = services[name].get("depends_on", {})
        assert isinstance(depends_on, dict), name
        assert depends_on.get(migrate) == {"condition": "service_completed_successfully"}, name
        assert "migrate" not in str(services[name].get("command", "")), name


def test_the_long_running_services_come_back_after_a_crash_or_a_reboot():
    for name, spec in _compose()["services"].items():
        if "manage.py migrate" not in str(spec.get("command", "")):
            assert spec.get("restart") in {"unless-stopped", "always"}, name


def test_the_public_address_has_no_placeholder_default():
    # PORTAL_BASE_URL is printed in every certificate's QR code and in the links of e-mails:
    # a forgotten one must stop `docker compose up`, as a forgotten SECRET_KEY does, rather
    # than print https://portal.example.org on certificates that cannot be reissued.
    environment = _compose()["x-portal-env"]
    for name in ["SECRET_KEY", "PORTAL_BASE_URL"]:
        assert environment[name].startswith("${" + name + ":?"), name


def test_only_the_proxy_on_the_host_reaches_gunicorn():
    # The portal trusts X-Forwarded-For from one proxy (TRUSTED_PROXY_COUNT=1): published on every
    # interface, a client talking to port 8000 directly would choose its own address and
    # sidestep the per-client rate limits (log-in, password reset, certificate verification).
    for name, spec in _compose()["services"].items():
        for published in spec.get("ports", []):
            assert str(published).startswith("127.0.0.1:"), (name, published)
