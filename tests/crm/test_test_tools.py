"""`make test` sets up its own system packages or says in one line what to run (issue 7.13)."""

import os
import subprocess
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
SCRIPT = BASE_DIR / "scripts" / "test_tools.sh"


def _run(tmp_path, *, uid: str, chromium: str):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (bin_dir / "id").chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "CHROMIUM_BIN": chromium}
    return subprocess.run(
        ["/bin/sh", str(SCRIPT)], env=env, capture_output=True, text=True, check=False
    )


def test_a_user_without_root_gets_one_line_saying_what_to_install(tmp_path):
    result = _run(tmp_path, uid="1000", chromium=str(tmp_path / "no-chromium"))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "apt-get install chromium" in lines[0]


def test_nothing_happens_when_everything_is_there(tmp_path):
    assert os.access("/usr/bin/chromium", os.X_OK)  # the machine the suite runs on has it
    result = _run(tmp_path, uid="1000", chromium="/usr/bin/chromium")
    assert result.returncode == 0, result.stderr
    assert result.stdout == result.stderr == ""


def test_make_test_runs_the_check_first():
    makefile = (BASE_DIR / "Makefile").read_text()
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert recipe.splitlines()[1].strip() == "@sh scripts/test_tools.sh"
