"""The seed's second program: a restaurant's inventory, kept in SQLite and pushed to a
supplier's HTTP service, with one retry policy per kind of failure (the Python twin of
examples/inventory.rs).

- ``on_dish_ordered`` retries a locked database up to 5 times, without jitter;
- ``save_inventory_counts`` stacks a database policy (5 tries) over an HTTP policy (60 s): an
  HTTP error is retried by the inner loop; a database error escapes it and the outer loop
  retries the whole call.

Everything is real: a second SQLite connection holds the write lock for a moment (ours waits
for no lock, so it gets "database is locked"), and a server on 127.0.0.1 answers 503 twice
before 200.

    python3 examples/python/inventory.py
"""

import http.server
import logging
import sqlite3
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import persevere_retry.backoff as backoff

log = logging.getLogger("inventory")


class Kitchen:
    def __init__(self, db_path, supplier_url):
        # timeout=0: a locked database fails at once instead of waiting inside sqlite3.
        self.db = sqlite3.connect(db_path, timeout=0, isolation_level=None)
        self.supplier_url = supplier_url

    @backoff.on_exception(backoff.expo, sqlite3.OperationalError, max_tries=5, factor=0.05,
                          jitter=None)
    def on_dish_ordered(self, dish):
        self.db.execute("UPDATE inventory SET count = count - 1 WHERE dish = ?", (dish,))
        (left,) = self.db.execute(
            "SELECT count FROM inventory WHERE dish = ?", (dish,)).fetchone()
        return left

    @backoff.on_exception(backoff.expo, sqlite3.OperationalError, max_tries=5, factor=0.05,
                          jitter=None)
    @backoff.on_exception(backoff.expo, urllib.error.URLError, max_time=60,
                          factor=0.1, max_value=1)
    def save_inventory_counts(self, counts):
        self.db.execute("INSERT INTO sync_log (rows) VALUES (?)", (len(counts),))
        body = "".join(f"{dish}={count}\n" for dish, count in counts).encode()
        request = urllib.request.Request(self.supplier_url + "/inventory", data=body,
                                         method="PUT")
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status

    def counts(self):
        return self.db.execute("SELECT dish, count FROM inventory ORDER BY dish").fetchall()


def start_supplier(failures):
    """A server on 127.0.0.1 answering 503 to the first ``failures`` PUTs, then 200; it
    serves a bounded number of requests and stops by itself."""
    served = []

    class Supplier(http.server.BaseHTTPRequestHandler):
        def do_PUT(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            served.append(self.path)
            self.send_response(503 if len(served) <= failures else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Supplier)

    def serve():
        for _ in range(failures + 10):
            server.handle_request()
        server.server_close()

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", served


def hold_write_lock(db_path, seconds):
    """Another connection takes the write lock, holds it for ``seconds`` and commits;
    returns once the lock is taken."""
    locked = threading.Event()

    def hold():
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(seconds)
        other.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=hold)
    thread.start()
    locked.wait()
    return thread


def run(workdir):
    """Runs the scenario in ``workdir``; returns what happened, for the test."""
    db_path = str(Path(workdir) / "inventory.db")
    setup = sqlite3.connect(db_path)
    setup.executescript("""
        CREATE TABLE inventory (dish TEXT PRIMARY KEY, count INTEGER);
        CREATE TABLE sync_log (rows INTEGER);
        INSERT INTO inventory VALUES ('ramen', 10), ('gyoza', 20);
    """)
    setup.close()
    supplier_url, served = start_supplier(failures=2)
    kitchen = Kitchen(db_path, supplier_url)

    holder = hold_write_lock(db_path, 0.15)
    left = kitchen.on_dish_ordered("ramen")
    holder.join()
    log.info("ramen left: %d", left)

    # The save meets the lock too: the database error escapes the inner (HTTP) loop and the
    # outer loop retries the whole save; then the supplier's 503s are the inner loop's.
    counts = kitchen.counts()
    holder = hold_write_lock(db_path, 0.1)
    status = kitchen.save_inventory_counts(counts)
    holder.join()
    log.info("supplier answered %d after %d requests", status, len(served))
    return {"ramen_left": left, "status": status, "requests": len(served),
            "counts": kitchen.counts()}


def main():
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    with tempfile.TemporaryDirectory() as workdir:
        run(workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
