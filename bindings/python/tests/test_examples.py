"""The seed's two programs (examples/python) run as they are: the stdin reader as a process,
the inventory against a real SQLite database and a loopback HTTP server."""

import importlib.util
import logging
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "python"


def load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_read_int(stdin):
    return subprocess.run([sys.executable, str(EXAMPLES / "read_int.py")], input=stdin,
                          capture_output=True, text=True, timeout=30)


def test_read_int_prints_an_integer():
    done = run_read_int("7\n")
    assert (done.returncode, done.stdout, done.stderr) == (0, "7\n", "")


def test_read_int_retries_bad_lines(monkeypatch, capsys):
    read_int = load("read_int")
    sleeps = []
    monkeypatch.setattr("time.sleep", sleeps.append)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("x\ny\n42\n"))
    assert read_int.main() == 0
    assert capsys.readouterr().out == "42\n"
    # Full jitter (the seed's default) below expo's 1 s and 2 s.
    assert len(sleeps) == 2 and 0 <= sleeps[0] <= 1 and 0 <= sleeps[1] <= 2


def test_read_int_gives_up_after_three_lines(monkeypatch, capsys):
    read_int = load("read_int")
    monkeypatch.setattr("time.sleep", lambda s: None)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("x\ny\nz\n"))
    assert read_int.main() == 1
    assert capsys.readouterr().err.endswith("read_int: invalid literal for int() with base 10: 'z\\n'\n")


def test_inventory_retries_the_database_and_the_supplier(tmp_path, caplog):
    inventory = load("inventory")
    with caplog.at_level(logging.INFO, logger="backoff"):
        result = inventory.run(tmp_path)
    assert result["ramen_left"] == 9
    assert result["status"] == 200
    assert result["requests"] == 3
    assert result["counts"] == [("gyoza", 20), ("ramen", 9)]
    messages = [r.getMessage() for r in caplog.records if r.name == "backoff"]
    assert any(m.startswith("Backing off on_dish_ordered(...)") and "database is locked" in m
               for m in messages)
    db_retries = [m for m in messages if m.startswith("Backing off save_inventory_counts")
                  and "database is locked" in m]
    http_retries = [m for m in messages if m.startswith("Backing off save_inventory_counts")
                    and "HTTP Error 503" in m]
    assert db_retries and len(http_retries) == 2
