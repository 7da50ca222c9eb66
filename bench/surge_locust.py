"""The surge week's traffic mix for locust (bench/surge.py runs it headless; see there).

Reads SURGE_DATA (JSON written by bench/surge.py: sessions, usernames, project and post URLs)
and SURGE_SHAPE (ramp and hold). Weights: 45 anonymous browsing (with the renditions a
browser fetches), 25 signed-in pages, 15 JSON timelines, 8 interactions, 4 new posts, 2
sign-ups (verified through the test mailbox, SURGE_MAILBOX; then following along the shared
follow graph), 1 upload of 2-12 MP, plus 5 AI crawlers (refused by nginx: a cheap 403).
"""

import email
import io
import json
import os
import random
import re
import time

from locust import FastHttpUser, LoadTestShape, between, task

DATA = json.loads(open(os.environ["SURGE_DATA"]).read())  # noqa: SIM115
SHAPE = json.loads(os.environ.get("SURGE_SHAPE", "{}"))
RENDITION = re.compile(r"(/media/r/[0-9]+-[0-9a-f]{20}/[0-9a-f]{40}\.(?:avif|webp|jpg|gif))")
AI_AGENTS = ["GPTBot/1.1", "CCBot/2.0", "ClaudeBot/1.0", "Bytespider", "PerplexityBot/1.0"]
UPLOADS: dict[int, bytes] = {}
UPLOAD_LOG = os.environ.get("SURGE_UPLOADS", "/tmp/kiln-surge-uploads.txt")
MAILBOX = os.environ.get("SURGE_MAILBOX", "")
CONFIRM_LINK = re.compile(r"/accounts/confirm-email/([^/\s]+)/")
PASSWORD = "correct horse battery staple 42"  # noqa: S105 - the surge's made-up people


def verification_link(address: str, wait: float = 5.0) -> str | None:
    """The confirmation link in the mail Kiln sent `address` (the test mailbox's file)."""
    path = os.path.join(MAILBOX, f"{address.lower()}.eml")
    deadline = time.monotonic() + wait
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            return None
        time.sleep(0.1)
    with open(path, "rb") as f:
        message = email.message_from_bytes(f.read())
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            found = CONFIRM_LINK.search(part.get_payload(decode=True).decode("utf-8", "replace"))
            if found:
                return found.group(0)
    return None


def upload_image(megapixels: int) -> bytes:
    if megapixels not in UPLOADS:
        from PIL import Image

        width = int((megapixels * 1_000_000 * 4 / 3) ** 0.5)
        height = megapixels * 1_000_000 // width
        img = Image.effect_noise((width // 8, height // 8), 60).convert("RGB")
        img = img.resize((width, height))
        out = io.BytesIO()
        img.save(out, "JPEG", quality=85)
        UPLOADS[megapixels] = out.getvalue()
    return UPLOADS[megapixels]


class Visitor(FastHttpUser):
    wait_time = between(0.05, 0.3)  # few simulated users, each busy: one load box

    def session(self) -> tuple[str, str]:
        return random.choice(DATA["sessions"])  # (session key, username)

    def signed(self, key: str, token: str = "a" * 32) -> dict:
        return {"Cookie": f"sessionid={key}; csrftoken={token}", "X-CSRFToken": token}

    def page_with_images(self, path: str, name: str, headers=None) -> None:
        # locust keeps cookies between requests: an anonymous visitor must carry none, or
        # nginx (rightly) bypasses its micro-cache for it.
        self.client.cookiejar.clear()
        with self.client.get(path, name=name, headers=headers, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")
                return
            body = r.text or ""
        for url in list(dict.fromkeys(RENDITION.findall(body)))[:4]:
            self.client.get(url, name="rendition")

    # 45%: anonymous browsing.
    @task(12)
    def anon_landing(self):
        self.page_with_images("/", "anon /")

    @task(11)
    def anon_discover(self):
        self.page_with_images("/discover", "anon /discover")

    @task(11)
    def anon_profile(self):
        self.page_with_images(f"/@{random.choice(DATA['artists'])}", "anon profile")

    @task(11)
    def anon_project(self):
        if DATA["projects"]:
            self.page_with_images(random.choice(DATA["projects"]), "anon project")

    # 25%: signed in.
    @task(12)
    def home(self):
        key, _ = self.session()
        self.page_with_images("/", "signed-in home", headers=self.signed(key))

    @task(6)
    def notifications(self):
        key, _ = self.session()
        self.client.get("/notifications", name="notifications", headers=self.signed(key))

    @task(7)
    def signed_profile(self):
        key, _ = self.session()
        user = random.choice(DATA["usernames"])
        self.client.get(f"/@{user}", name="signed-in profile", headers=self.signed(key))

    # 15%: apps polling the JSON timeline.
    @task(15)
    def json_timeline(self):
        key, _ = self.session()
        self.client.get("/?format=json", name="json timeline", headers=self.signed(key))

    # 8%: interactions.
    @task(4)
    def like(self):
        key, _ = self.session()
        post = random.choice(DATA["posts"])
        self.client.post(f"/posts/{post}/like", name="like", headers=self.signed(key))

    @task(2)
    def follow(self):
        key, me = self.session()
        user = random.choice(DATA["usernames"])
        while user == me:  # Kiln rightly refuses following yourself (a 400)
            user = random.choice(DATA["usernames"])
        self.client.post(f"/@{user}/follow", name="follow", headers=self.signed(key))

    @task(2)
    def reply(self):
        key, _ = self.session()
        post = random.choice(DATA["posts"])
        form = {"text": "Lovely work!", "in_reply_to": str(post), "visibility": "public"}
        self.client.post("/compose", data=form, name="reply", headers=self.signed(key))

    # 4%: new posts.
    @task(4)
    def new_post(self):
        key, _ = self.session()
        form = {"text": f"New piece {random.randint(0, 10**9)} #surge", "visibility": "public"}
        self.client.post("/compose", data=form, name="new post", headers=self.signed(key))

    # 2%: sign-ups: the form, the verification mail from the test mailbox, the link, then the
    # newcomer follows the people its node follows in ../shared/graphs/ (bench/surge.py).
    @task(2)
    def signup(self):
        name = f"surge{random.randint(0, 10**12)}"
        address = f"{name}@example.com"
        token = "b" * 32
        self.client.cookiejar.clear()
        form = {"username": name, "email": address, "password1": PASSWORD, "password2": PASSWORD}
        headers = {"Cookie": f"csrftoken={token}", "X-CSRFToken": token}
        with self.client.post(
            "/accounts/signup/",
            data=form,
            name="signup",
            headers=headers,
            catch_response=True,
            allow_redirects=False,  # 302 to "check your mail": the answer we count
        ) as r:
            if r.status_code != 302:
                r.failure(f"signup answered {r.status_code}")
                return
        link = verification_link(address)
        if link is None:
            self.environment.events.request.fire(
                request_type="MAIL",
                name="signup: verification mail",
                response_time=0,
                response_length=0,
                exception=RuntimeError(f"no verification mail for {address}"),
            )
            return
        with self.client.post(
            link,
            name="signup: confirm email",
            headers=headers,
            catch_response=True,
            allow_redirects=False,
        ) as r:
            if r.status_code != 302:
                r.failure(f"confirmation answered {r.status_code}")
                return
        session = next((c.value for c in self.client.cookiejar if c.name == "sessionid"), None)
        if session is None:
            login = {"login": name, "password": PASSWORD}
            with self.client.post(
                "/accounts/login/",
                data=login,
                name="signup: log in",
                headers=headers,
                catch_response=True,
                allow_redirects=False,
            ) as r:
                if r.status_code != 302:
                    r.failure(f"login answered {r.status_code}")
            session = next((c.value for c in self.client.cookiejar if c.name == "sessionid"), None)
        self.client.cookiejar.clear()
        if session is None or not DATA.get("newcomers"):
            return
        for user in random.choice(DATA["newcomers"])[:20]:
            self.client.post(
                f"/@{user}/follow", name="newcomer follows", headers=self.signed(session, token)
            )

    # 1%: uploads of 2-12 MP.
    @task(1)
    def upload(self):
        key, _ = self.session()
        data = upload_image(random.choice([2, 6, 12]))
        started = time.time()
        with self.client.post(
            "/media/upload",
            name="upload",
            headers=self.signed(key),
            files={"file": ("surge.jpg", data, "image/jpeg")},
            catch_response=True,
        ) as r:
            if r.status_code == 201:
                with open(UPLOAD_LOG, "a") as log:
                    log.write(f"{json.loads(r.text)['id']} {started:.3f}\n")

    # +5%: AI crawlers, refused by the shield.
    @task(5)
    def crawler(self):
        self.client.cookiejar.clear()
        agent = random.choice(AI_AGENTS)
        with self.client.get(
            random.choice(["/", "/discover", f"/@{random.choice(DATA['artists'])}"]),
            name="AI crawler (403 expected)",
            headers={"User-Agent": agent},
            catch_response=True,
        ) as r:
            if r.status_code == 403:
                r.success()
            else:
                r.failure(f"crawler got {r.status_code}")


class SurgeShape(LoadTestShape):
    """Ramp by `step_users` every `step_seconds` until p99 > 200 ms or errors > 0.1% (or
    `max_users`), then hold 80% of the last good load for `hold_seconds`."""

    def __init__(self):
        super().__init__()
        self.users = SHAPE.get("start_users", 10)
        self.last_good = self.users
        self.phase = "ramp"
        self.phase_started = 0.0
        self.step_started = 0.0
        self.mark = None

    def tick(self):
        now = self.get_run_time()
        step, hold = SHAPE.get("step_seconds", 10), SHAPE.get("hold_seconds", 60)
        if self.phase == "ramp" and now - self.step_started >= step:
            stats = self.runner.stats.total
            p99 = stats.get_current_response_time_percentile(0.99) or 0
            fails = stats.num_failures / max(1, stats.num_requests)
            over = p99 > 200 or fails > 0.001 or self.users >= SHAPE.get("max_users", 400)
            if over or now > SHAPE.get("ramp_limit_seconds", 90):
                self.phase, self.phase_started = "hold", now
                self.users = max(1, int(self.last_good * 0.8))
                print(
                    f"SURGE ramp stopped at {self.users / 0.8:.0f} users (p99 {p99} ms, "
                    f"errors {fails:.4%}); holding {self.users} users",
                    flush=True,
                )
                with open(os.environ.get("SURGE_MARKS", "/tmp/kiln-surge-marks"), "a") as f:
                    f.write(f"hold {time.time():.3f} {self.users}\n")
            else:
                self.last_good = self.users
                self.users += SHAPE.get("step_users", 20)
                self.step_started = now
        if self.phase == "hold" and now - self.phase_started > hold:
            return None
        return (self.users, max(5, self.users))
