"""Settings: production refuses unsafe configuration; deploy checks pass."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    full_env.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_without_a_secret_key():
    res = run_manage("check", SIG_ENV="production", ALLOWED_HOSTS="sig.example.go.id")
    assert res.returncode != 0
    assert "needs SECRET_KEY" in res.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    res = run_manage("check", SIG_ENV="production", SECRET_KEY="x" * 60)
    assert res.returncode != 0
    assert "needs ALLOWED_HOSTS" in res.stderr


def test_check_deploy_is_clean_in_production_settings():
    res = run_manage("check", "--deploy", "--fail-level", "WARNING", SIG_ENV="production",
                     SECRET_KEY="k" + "Zq9!x2Lm#Pw7@rT4vB8&nC1$yH6^dF3*jK0" * 2,
                     ALLOWED_HOSTS="sig.example.go.id")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "no issues" in res.stdout


def test_time_zone_defaults_to_wib_and_is_configurable():
    res = run_manage("shell", "--no-imports", "-c",
                     "from django.conf import settings; print(settings.TIME_ZONE)",
                     SIG_TIME_ZONE="Asia/Makassar")
    assert res.stdout.strip() == "Asia/Makassar"
    from django.conf import settings

    assert os.environ.get("SIG_TIME_ZONE", "Asia/Jakarta") == settings.TIME_ZONE
    assert settings.LANGUAGE_CODE == "id"
