"""A built wheel, installed in a fresh venv, works from any directory: configs and schemas travel
inside it (setup.py, pipeline/resources.py), `pipeline --version` answers, `pipeline run` converts,
and the Python API returns records without writing a file.

The fresh venv gets the wheel itself (no editable checkout anywhere on its path) and reaches the
test venv's dependencies through a .pth line, so nothing is downloaded but the build backend."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLES


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The python of a fresh venv holding the wheel built from this checkout."""
    root = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(root / "dist"),
                            str(REPO)], capture_output=True, text=True, cwd=root)
    assert built.returncode == 0, built.stderr[-2000:]
    [wheel] = (root / "dist").glob("formpipe-*.whl")
    venv.create(root / "venv", with_pip=False)
    python = root / "venv" / "bin" / "python"
    site = Path(subprocess.check_output([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip())
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")  # numpy, onnxruntime, … only
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site),
                           str(wheel)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    shutil.rmtree(REPO / "build", ignore_errors=True)  # what the build left in the checkout
    return python


def _run(python: Path, code: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=cwd, env=env)


def test_the_installed_wheel_converts_from_anywhere(installed, tmp_path):
    shutil.copy(SAMPLES / "falv_yuanzhu_2026.pdf", tmp_path / "a.pdf")
    where = _run(installed, "import pipeline; print(pipeline.__file__); print(pipeline.__version__)", tmp_path)
    assert where.returncode == 0, where.stderr
    path, version = where.stdout.split()
    assert not Path(path).resolve().is_relative_to(REPO) and version == "0.1.0"  # the wheel's, not the checkout's
    cli = _run(installed, "import sys; from pipeline.cli import app; sys.argv = ['pipeline', '--version']; app()",
               tmp_path)
    assert cli.stdout.strip() == "formpipe 0.1.0", cli.stderr
    run = _run(installed, "import sys; from pipeline.cli import app; "
                          "sys.argv = ['pipeline', 'run', 'a.pdf', '--out', 'out', '-q']; app()", tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    [record] = [json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "out" / "a").glob("*.json")]
    assert record["project_name"] == "法律援助专项"
    schema = _run(installed, "from pipeline.resources import data_dir; import json; "
                             "print(json.load(open(data_dir('schema') / 'corrections.schema.json'))['$id'])", tmp_path)
    assert schema.stdout.strip() == "corrections-1", schema.stderr


def test_the_api_returns_records_and_writes_nothing(installed, tmp_path):
    data = (SAMPLES / "justice_department_2026.pdf").read_bytes()
    (tmp_path / "in.pdf").write_bytes(data)
    code = ("from pipeline import convert\n"
            "r = convert('in.pdf')\n"
            "b = convert(open('in.pdf', 'rb').read(), name='部门.pdf')\n"
            "print(r.status, len(r.forms), r.forms[0]['department_name'], b.forms[0]['source']['file'],"
            " b.forms[0]['form_id'] == r.forms[0]['form_id'])\n")
    out = _run(installed, code, tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["ok", "1", "株洲市渌口区司法局", "部门.pdf", "True"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.pdf"]  # nothing written beside it
