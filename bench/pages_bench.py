"""The public pages a supporter waits for, timed in-process: the members page (rendered every time, and as the cache
serves it) and the recipient chooser, over the demo directory (150 members) and the bundled campaign. Besides the
time on the clock it reports the process's own CPU time per request, which other work on a shared machine
disturbs far less (with PostgreSQL it leaves out the server's share).

    .venv/bin/python bench/pages_bench.py [--rounds 200] [--database-url URL]
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import campaign_day
from tests.conftest import make_app

PAGES = [
    ("/members (rendered)", "/members", {"DIRECTORY_CACHE_SECONDS": 0}),
    ("/members (cached)", "/members", {}),
    ("/members?committee=BuZa (rendered)", "/members?committee=BuZa", {"DIRECTORY_CACHE_SECONDS": 0}),
    ("chooser, all members", "/campaigns/khojaly/choose?action=filter", {}),
    ("chooser, ?committee=BuZa", "/campaigns/khojaly/choose?committee=BuZa", {}),
    ("chooser, search 'aliyev'", "/campaigns/khojaly/choose?q=aliyev", {}),
    ("chooser, search 'mammadova' (found only after)", "/campaigns/khojaly/choose?q=mammadova", {}),
]


def time_page(url: str, path: str, config: dict, rounds: int) -> tuple[float, float, float]:
    """Median and 95th percentile in milliseconds of `rounds` requests for `path`, after five to warm up, and the
    median CPU time."""
    app = make_app(url, **config)
    client = app.test_client()
    for _ in range(5):
        assert client.get(path).status_code == 200, path
    took, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(path)
        took.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    took.sort()
    return statistics.median(took), took[int(len(took) * 0.95) - 1], statistics.median(cpu)


def main() -> None:
    args = campaign_day.arguments(__doc__.splitlines()[0], rounds=200)
    with campaign_day.database("pages_bench", args.database_url) as url:
        campaign_day.fill(make_app(url))
        print(f"| page | median | p95 | CPU, median |  ({args.rounds} requests each)")
        print("|---|---|---|---|")
        for label, path, config in PAGES:
            median, p95, cpu = time_page(url, path, config, args.rounds)
            print(f"| {label} | {median:.1f} ms | {p95:.1f} ms | {cpu:.1f} ms |")


if __name__ == "__main__":
    main()
