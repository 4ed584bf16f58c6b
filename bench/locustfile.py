"""The load bench/load.py puts on the site: visitors browsing the directory and the campaign, and supporters
writing a letter (the letter page, then the form sent with its CSRF token and nonce). LOAD_MIX picks the phase:
"hello" (the bare Flask route), "directory" (the members page only) or "mixed". In the mix, LOAD_THINK ("min,max"
seconds) is the pause between pages and LOAD_WRITE_WEIGHT how often a visitor writes a letter (3: 1 request in 9 is a
letter sent; 7: 1 in 5)."""

import os
import random
import re
import uuid
from urllib.parse import urlencode

from locust import HttpUser, between, constant, events, task

MEMBERS = os.environ.get("LOAD_MEMBERS", "").split(",")
MIX = os.environ.get("LOAD_MIX", "mixed")
THINK = [float(seconds) for seconds in os.environ.get("LOAD_THINK", "0,0.2").split(",")]
WRITE = int(os.environ.get("LOAD_WRITE_WEIGHT", "3"))
ACCEPTED: list[str] = []  # the addresses of the letters the site accepted (302), written out at the end
FIELD = re.compile(r'name="(csrf_token|form_token)" type="hidden" value="([^"]+)"')
SUBJECT = re.compile(r'name="subject"[^>]*value="([^"]*)"')
BODY = re.compile(r'<textarea[^>]*name="body"[^>]*>\n?(.*?)</textarea>', re.S)


def unescape(text: str) -> str:
    return (
        text.replace("&#34;", '"').replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    )


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Visitor(HttpUser):
    # People pause between pages; the yardstick phases measure how many requests the server can answer. (Locust's
    # lighter FastHttpUser was tried: no better figures, as the site, not the client, is what fills the 2 cores.)
    wait_time = between(*THINK) if MIX == "mixed" else constant(0)

    @task(8 if MIX == "mixed" else 0)
    def members(self) -> None:
        self.client.get("/members", name="/members")

    @task(4 if MIX == "mixed" else 0)
    def members_of_a_party(self) -> None:
        self.client.get(
            "/members?party=" + random.choice(["VVD", "GL-PvdA", "PVV", "D66", "CDA"]), name="/members?party"
        )

    @task(6 if MIX == "mixed" else 0)
    def campaign(self) -> None:
        self.client.get("/campaigns/khojaly", name="/campaigns/<slug>")

    @task(2 if MIX == "mixed" else 0)
    def choose(self) -> None:
        self.client.get("/campaigns/khojaly/choose?committee=BuZa", name="/campaigns/<slug>/choose")

    @task(WRITE if MIX == "mixed" else 0)
    def write(self) -> None:
        chosen = random.sample(MEMBERS, 3)
        with self.client.get(
            "/campaigns/khojaly/letter?" + urlencode({"to": chosen}, doseq=True),
            name="/campaigns/<slug>/letter (form)",
            catch_response=True,
        ) as page:
            fields = dict(FIELD.findall(page.text))
            subject, body = SUBJECT.search(page.text), BODY.search(page.text)
            if not (fields and subject and body):
                page.failure("letter form incomplete")
                return
        data = {
            **fields,
            "to": chosen,
            "lang": "nl",
            "subject": unescape(subject.group(1)),
            "body": unescape(body.group(1)),
            "name": "Load Test",
            "email": f"load-{uuid.uuid4().hex[:12]}@example.org",
            "place": "Utrecht",
            "consent": "y",
            "action": "send",
        }
        with self.client.post(
            "/campaigns/khojaly/letter",
            data=urlencode(data, doseq=True),
            headers=FORM,
            name="/campaigns/<slug>/letter (send)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                ACCEPTED.append(data["email"])
            else:
                problem = re.search(r'<li>([^<]+)</li></ul> </div>|class="error"[^>]*>([^<]+)<', response.text or "")
                response.failure(f"not accepted: {response.status_code} {problem.groups() if problem else ''}")

    @task(1 if MIX == "directory" else 0)
    def only_members(self) -> None:
        self.client.get("/members", name="/members")

    @task(1 if MIX == "hello" else 0)
    def hello(self) -> None:
        self.client.get("/hello", name="/hello")


@events.quitting.add_listener
def write_accepted(**_kwargs) -> None:
    if os.environ.get("LOAD_ACCEPTED_FILE"):
        with open(os.environ["LOAD_ACCEPTED_FILE"], "w") as file:
            file.write("\n".join(ACCEPTED))
