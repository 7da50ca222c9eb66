"""Real Mastodon clients against a live Kiln: Mastodon.py drives a whole session, and the
`toot` command line logs in out-of-band, posts, and reads its timeline and notifications.
Both log in through Kiln's real login and consent pages (requests, with the CSRF token)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from bs4 import BeautifulSoup

from kiln.posts.models import Post

pytestmark = pytest.mark.django_db(transaction=True)

OOB = "urn:ietf:wg:oauth:2.0:oob"
PASSWORD = "pw-Kiln-2026"  # tests/conftest.py make_user's
TOOT = Path(sys.executable).with_name("toot")


def _hidden_fields(html: str, *, containing: str) -> dict:
    """The inputs of the page's form that has an input named `containing`."""
    soup = BeautifulSoup(html, "html.parser")
    form = next(f for f in soup.find_all("form") if f.find("input", attrs={"name": containing}))
    return {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}


def oob_code(auth_url: str, username: str) -> str:
    """Open the authorize URL as a person would: log in, read the consent page, approve,
    copy the code."""
    browser = requests.Session()
    login_page = browser.get(auth_url)
    assert "/accounts/login/" in login_page.url
    fields = _hidden_fields(login_page.text, containing="login")
    fields.update(login=username, password=PASSWORD)
    consent = browser.post(login_page.url, data=fields, headers={"Referer": login_page.url})
    assert "/oauth/authorize" in consent.url and "Authorise" in consent.text, consent.text[:500]
    approval = _hidden_fields(consent.text, containing="client_id")
    approval["allow"] = "Authorize"
    shown = browser.post(consent.url, data=approval, headers={"Referer": consent.url})
    code = BeautifulSoup(shown.text, "html.parser").find(id="oob-code")
    assert code is not None, shown.text[:500]
    return code.text.strip()


def test_mastodon_py_session(live_server, make_user, shared_dir, tmp_path):
    from mastodon import Mastodon, MastodonNotFoundError, MastodonUnauthorizedError

    make_user("ana", display_name="Ana Ink")
    ben = make_user("ben")
    base = live_server.url
    client_id, client_secret = Mastodon.create_app(
        "Kiln test client",
        api_base_url=base,
        redirect_uris=OOB,
        scopes=["read", "write", "follow"],
    )
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
    # allow_http: the live test server is plain HTTP (Mastodon.py insists on HTTPS otherwise).
    scopes = ["read", "write", "follow"]
    url = api.auth_request_url(redirect_uris=OOB, scopes=scopes, allow_http=True)
    api.log_in(code=oob_code(url, "ana"), redirect_uri=OOB, scopes=scopes, allow_http=True)
    me = api.account_verify_credentials()
    assert me.username == "ana" and me.display_name == "Ana Ink"
    assert api.instance().version.startswith("4.")

    # Post with an image and alt text (Mastodon.py waits for processing with synchronous=True).
    image = shared_dir / "samples" / "art" / "the_scream.jpg"
    media = api.media_post(
        str(image), mime_type="image/jpeg", description="A figure screaming on a bridge"
    )
    media = api.media(media.id)
    posted = api.status_post("Study after Munch #study", media_ids=[media.id])
    assert posted.media_attachments[0].description == "A figure screaming on a bridge"
    assert posted.tags[0].name == "study"

    # Ben posts; Ana follows, reads home, favourites, boosts and replies.
    bens = Post.objects.create(author=ben, text="Ben's new bowl", text_html="<p>Ben's new bowl</p>")
    api.account_follow(ben.pk)
    api.status_favourite(bens.pk)
    api.status_reblog(bens.pk)
    reply = api.status_post("Lovely glaze", in_reply_to_id=bens.pk)
    home = api.timeline_home()
    assert str(posted.id) in {str(s.id) for s in home}
    assert api.status_context(bens.pk).descendants[0].id == reply.id

    # Ben likes Ana's post: her notifications say so.
    from kiln.posts.services import post_like

    post_like(user=ben, post=int(posted.id))
    notes = api.notifications()
    assert [(n.type, n.account.username) for n in notes] == [("favourite", "ben")]

    found = api.search_v2("ben", result_type="accounts")
    assert [a.username for a in found.accounts] == ["ben"]
    with pytest.raises(MastodonNotFoundError):
        api.status(99999999)

    token = api.access_token
    api.revoke_access_token(allow_http=True)
    with pytest.raises(MastodonUnauthorizedError):
        Mastodon(access_token=token, api_base_url=base).account_verify_credentials()


def _toot(args, env, stdin=None):
    return subprocess.run(
        [str(TOOT), *args], env=env, input=stdin, capture_output=True, text=True, timeout=60
    )


def test_toot_cli_login_post_timeline_notifications(live_server, make_user, tmp_path):
    make_user("ana")
    ben = make_user("ben")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "NO_COLOR": "1"}
    login = subprocess.Popen(
        [str(TOOT), "login", "-i", live_server.url],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    auth_url = None
    lines = []
    for line in login.stdout:
        lines.append(line)
        if "/oauth/authorize" in line:
            auth_url = line.strip()
            break
    assert auth_url, "".join(lines)
    code = oob_code(auth_url, "ana")
    out, _ = login.communicate(f"n\n{code}\n", timeout=60)
    assert login.returncode == 0 and "Successfully logged in" in out, out

    posted = _toot(["post", "Fired the first batch today"], env)
    assert posted.returncode == 0, posted.stdout + posted.stderr
    assert Post.objects.filter(text="Fired the first batch today").exists()
    timeline = _toot(["timeline", "--public", "--once"], env, stdin="")
    assert "Fired the first batch today" in timeline.stdout, timeline.stdout + timeline.stderr
    from kiln.posts.services import post_like

    post_like(user=ben, post=Post.objects.get().pk)
    notes = _toot(["notifications"], env)
    assert notes.returncode == 0 and re.search(r"ben", notes.stdout), notes.stdout + notes.stderr
