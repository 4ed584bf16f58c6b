"""The server stays up: a long run of public pages in one process, and the Pythons Outreach supports.

CPython 3.11 crashed the server (SIGSEGV) on the recipient chooser: its garbage collector can start inside an
attribute store, and SQLAlchemy's weakref callback then writes to the very object being stored into, leaving two
dictionaries that own the same values (docs/deploy.md, section 12). 3.12 runs the collector only between bytecodes;
it is the oldest Python Outreach runs on, and `make` says so when it finds none newer."""

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from outreach.directory.models import Committee, Member
from outreach.extensions import db
from tests.conftest import make_app
from tests.test_security import get_routes, url_for_rule

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 60
CHOOSER = "/campaigns/khojaly/choose"

# The smallest program that crashes CPython 3.11 the way the chooser did: an attribute store that has to build the
# object's dict starts a collection, whose weakref callback stores into the same object.
REPRODUCTION = """
import gc, weakref

class State:
    __slots__ = ("__dict__", "__weakref__", "obj")

    def __init__(self, target=None):
        self.value = []
        if target is not None:
            self.obj = weakref.ref(target, self._cleanup)

    def _cleanup(self, ref):
        self.session_id = []

class Cycle:
    def __init__(self):
        self.me = self

first = State()
for i in range(40):
    setattr(first, f"name{i}", None)  # the class's shared keys are full: a new name needs a dict of its own
for attempt in range(50):
    no_free_dicts = [{} for _ in range(100)]  # so building that dict allocates, and may start a collection
    target = Cycle()
    state = State(target)
    del target  # garbage that only a collection frees, calling state._cleanup
    gc.set_threshold(1)
    state.strong = None
    gc.set_threshold(700)
    del state, no_free_dicts
    gc.collect()
print("survived")
"""


def died(result: subprocess.CompletedProcess) -> str:
    """What a process that did not finish left behind, for the failure message."""
    how = f"killed by {signal.Signals(-result.returncode).name}" if result.returncode < 0 else "failed"
    return f"{sys.version.split()[0]}: the process {how}\n{result.stdout[-2000:]}{result.stderr[-4000:]}"


def test_this_python_survives_a_collection_that_writes_to_the_object_it_interrupted() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", REPRODUCTION], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and "survived" in result.stdout, died(result)


def serve(database_url: str, rounds: int, paths: list[str]) -> None:
    """The serving process: the chooser's empty filter, /members and the chooser in turn, each round with one more
    public page, as one gunicorn worker would get them."""
    app = make_app(database_url, LOG_LEVEL="WARNING")
    client = app.test_client()
    served = 0
    for number in range(rounds):
        for path in (f"{CHOOSER}?action=filter", "/members", CHOOSER, paths[number % len(paths)]):
            status = client.get(path).status_code
            if status >= 500:
                raise SystemExit(f"GET {path} answered {status} in round {number}")
            served += 1
    print(f"served {served} requests")


def test_public_pages_served_hundreds_of_times_in_one_process_never_crash_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/outreach.sqlite"
    # The site is set up here, and served by a fresh process that never wrote through the ORM, like a web worker
    # on a fresh install: on 3.11, writing first changed which stores build a dict, and hid the crash.
    app = make_app(url)
    with app.app_context():
        db.create_all()
    runner = app.test_cli_runner()
    for command in (["directory", "demo"], ["campaigns", "init"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    with app.app_context():
        ids = {
            "member_id": db.session.scalar(select(Member.id).where(Member.is_current).limit(1)),
            "committee_id": db.session.scalar(select(Committee.id).limit(1)),
        }
        db.session.remove()
        db.engine.dispose()
    paths = [url_for_rule(rule, ids) for rule in get_routes(app) if not rule.rule.startswith("/admin")]
    assert len(paths) >= 15 and CHOOSER in paths

    result = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-m", "tests.test_stability", url, str(ROUNDS), json.dumps(paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, died(result)
    assert f"served {4 * ROUNDS} requests" in result.stdout


def make_run(tmp_path: Path, *variables: str) -> subprocess.CompletedProcess:
    """`make run` on a machine whose only python3 is too old (a stand-in that fails the version check)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    old = bin_dir / "python3"
    old.write_text("#!/bin/sh\nexit 1\n")
    old.chmod(0o755)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path / "no-pyenv")}
    command = [shutil.which("make") or "make", "-C", str(ROOT), "run", f"VENV={tmp_path}/venv", *variables]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def test_make_says_which_python_to_install_when_none_is_new_enough(tmp_path: Path) -> None:
    result = make_run(tmp_path)
    assert result.returncode != 0
    assert "Outreach needs Python 3.12 or newer and found none: install python3.13 or python3.12" in result.stderr
    assert not (tmp_path / "venv").exists()


def test_make_refuses_an_older_python_named_with_python(tmp_path: Path) -> None:
    result = make_run(tmp_path, f"PYTHON={tmp_path}/bin/python3")
    assert result.returncode != 0
    assert f"Outreach needs Python 3.12 or newer, and PYTHON={tmp_path}/bin/python3 is older" in result.stderr
    assert not (tmp_path / "venv").exists()


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]))
