"""Types: the typing program (tests/typing/public_api.py, every public name) passes
`mypy --strict` and pyright (strict), and both catch the wrong argument types planted in
tests/typing/planted_error.py, which they could not if the decorators lost the signatures."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

TYPING = Path(__file__).parent / "typing"
PLANTED = [(19, "fetch", "int", "str"), (20, "poll", "str", "int")]


def mypy(program):
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", os.devnull,
                           "--no-error-summary", program],
                          capture_output=True, text=True, timeout=300, cwd=TYPING)


def pyright(program):
    executable = shutil.which("pyright", path=str(Path(sys.executable).parent))
    assert executable, "pyright (pip install pyright[nodejs]) is needed beside this Python"
    return subprocess.run([executable, "--pythonpath", sys.executable, str(TYPING / program)],
                          capture_output=True, text=True, timeout=300)


def test_mypy_strict_accepts_the_public_api():
    done = mypy("public_api.py")
    assert (done.returncode, done.stdout) == (0, "")


def test_mypy_strict_catches_the_planted_errors():
    done = mypy("planted_error.py")
    expected = [f'planted_error.py:{line}: error: Argument 1 to "{name}" has '
                f'incompatible type "{given}"; expected "{wanted}"  [arg-type]'
                for line, name, given, wanted in PLANTED]
    assert (done.returncode, done.stdout.splitlines()) == (1, expected)


def test_pyright_accepts_the_public_api():
    done = pyright("public_api.py")
    assert done.returncode == 0, done.stdout
    assert "0 errors, 0 warnings, 0 informations" in done.stdout


def test_pyright_catches_the_planted_errors():
    done = pyright("planted_error.py")
    errors = [line.strip() for line in done.stdout.splitlines() if " - error: " in line]
    assert done.returncode == 1
    assert errors == [
        f'{TYPING / "planted_error.py"}:19:7 - error: Argument of type "Literal[42]" cannot be '
        'assigned to parameter "url" of type "str" in function "fetch"',
        f'{TYPING / "planted_error.py"}:20:18 - error: Argument of type "Literal[\'seven\']" '
        'cannot be assigned to parameter "job" of type "int" in function "poll"',
    ]
