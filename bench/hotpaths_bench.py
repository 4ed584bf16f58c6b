"""The requests a campaign day is made of, timed in process against a bare Flask "hello" in the same run: the members
page as the cache serves it, the recipient chooser (served from the cache, and rendered), the campaign page, the
letter form and a letter sent to five members. For each: the process's CPU time per request (median), the ratio of
hello's CPU to it (1.0 would be as cheap as hello), and the SQL statements per request. Then the resident memory of
a fresh process that has imported the web application (`wsgi.py`).

    .venv/bin/python bench/hotpaths_bench.py [--rounds 300] [--database-url postgresql://postgres@127.0.0.1/test]
"""

import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, select

from bench import campaign_day
from bench.hello import app as hello_app
from outreach.directory.models import Member
from outreach.extensions import db
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parent.parent
NONCE = re.compile(r'name="form_token" type="hidden" value="([^"]+)"')
SUBJECT = re.compile(r'name="subject"[^>]*value="([^"]*)"')
BODY = re.compile(r'<textarea[^>]*name="body"[^>]*>\n?(.*?)</textarea>', re.S)
# A web worker: the application imported and built as gunicorn does, then the public pages served a few times.
RSS = """
import resource, sys
sys.path.insert(0, ".")
import wsgi
imported = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
client = wsgi.app.test_client()
for _ in range(20):
    for path in ("/members", "/campaigns/khojaly", "/campaigns/khojaly/choose", "/campaigns/khojaly/letter?to=m"):
        assert client.get(path).status_code in (200, 302), path
print(imported, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def unescape(text: str) -> str:
    return (
        text.replace("&#34;", '"').replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    )


def measure(request: Callable[[], object], rounds: int, counter: list[int]) -> tuple[float, float, float]:
    """Median CPU and clock milliseconds per request, and statements per request, after ten to warm up."""
    for _ in range(10):
        request()
    cpu, clock = [], []
    counter[0] = 0
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        request()
        clock.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(cpu), statistics.median(clock), counter[0] / rounds


def main() -> None:
    args = campaign_day.arguments(__doc__.splitlines()[0], rounds=300)
    with campaign_day.database("hotpaths_bench", args.database_url) as url:
        limits = {
            "SUBMISSION_LIMIT_PER_IP": "1000000/hour",
            "SUBMISSION_LIMIT_PER_ADDRESS": "1000000/hour",
            "FORM_MIN_SECONDS": 0,  # the form is sent at once, which a person never does
        }
        app = make_app(url, **limits)
        campaign_day.fill(app)
        with app.app_context():
            five = [f"member:{n}" for n in db.session.scalars(select(Member.id).order_by(Member.id).limit(5))]
            engine = db.engine
            db.session.remove()
        counter = [0]

        def count(*_args: object) -> None:
            counter[0] += 1

        event.listen(engine, "before_cursor_execute", count)
        uncached = make_app(url, DIRECTORY_CACHE_SECONDS=0, **limits)
        with uncached.app_context():
            event.listen(db.engine, "before_cursor_execute", count)
        client, fresh, hello = app.test_client(), uncached.test_client(), hello_app.test_client()
        sent = [0]

        def letter_post() -> None:
            page = client.get("/campaigns/khojaly/letter", query_string={"to": five}).get_data(as_text=True)
            sent[0] += 1
            data = {
                "form_token": NONCE.search(page).group(1),
                "to": five,
                "lang": "nl",
                "subject": unescape(SUBJECT.search(page).group(1)),
                "body": unescape(BODY.search(page).group(1)),
                "name": "Bench Supporter",
                "email": f"bench-{sent[0]}@example.org",
                "place": "Utrecht",
                "consent": "y",
                "action": "send",
            }
            start, start_cpu, before = time.perf_counter(), time.process_time(), counter[0]
            response = client.post("/campaigns/khojaly/letter", data=data)
            assert response.status_code == 302, response.status_code
            post_times.append(((time.process_time() - start_cpu) * 1000, (time.perf_counter() - start) * 1000))
            post_counts.append(counter[0] - before)

        post_times: list[tuple[float, float]] = []
        post_counts: list[int] = []
        rows = [("hello (bare Flask)", lambda: hello.get("/hello"))]
        rows += [
            ("/members (cached)", lambda: client.get("/members")),
            ("chooser, anonymous (as served)", lambda: client.get("/campaigns/khojaly/choose")),
            ("chooser, anonymous (rendered, cache off)", lambda: fresh.get("/campaigns/khojaly/choose")),
            ("chooser ?committee=BuZa (rendered)", lambda: fresh.get("/campaigns/khojaly/choose?committee=BuZa")),
            ("campaign page", lambda: client.get("/campaigns/khojaly")),
            ("letter form, 5 members", lambda: client.get("/campaigns/khojaly/letter", query_string={"to": five})),
        ]
        results = []
        for label, request in rows:
            results.append((label, *measure(request, args.rounds, counter)))
        for _ in range(max(args.rounds // 3, 20)):
            letter_post()
        post_times.sort()
        cpu = statistics.median(t[0] for t in post_times[5:])
        clock = statistics.median(t[1] for t in post_times[5:])
        results.append(("letter sent, 5 members (POST)", cpu, clock, statistics.mean(post_counts[5:])))
        hello_cpu = results[0][1]
        print(f"| request | CPU ms (median) | clock ms (median) | hello ÷ it (CPU) | SQL |  ({args.rounds} each)")
        print("|---|---|---|---|---|")
        for label, cpu, clock, statements in results:
            print(f"| {label} | {cpu:.2f} | {clock:.2f} | {hello_cpu / cpu:.3f} | {statements:.1f} |")
        environment = {**os.environ, "OUTREACH_SECRET_KEY": "bench", "OUTREACH_SQLALCHEMY_DATABASE_URI": url}
        rss = [
            subprocess.run(
                [sys.executable, "-c", RSS], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
            ).stdout.split()
            for _ in range(3)
        ]
        print(
            "\nweb worker's resident memory (max RSS, MB; 3 fresh processes), after importing wsgi.py: "
            + ", ".join(r[0] for r in rss)
            + "; after serving 80 public pages: "
            + ", ".join(r[1] for r in rss)
        )


if __name__ == "__main__":
    main()
