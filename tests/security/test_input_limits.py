"""Issue 25, point 8: oversized text and names get a clear refusal, never a 500."""

import pytest

from kiln.core.converters import MAX_ID, parse_id, parse_ids


@pytest.mark.django_db
def test_a_100000_character_login_name_is_refused_plainly(client, make_user):
    make_user("target")
    response = client.post("/accounts/login/", {"login": "x" * 100_000, "password": "pw"})
    assert response.status_code == 200  # the form again, with the reason
    assert "at most 254 characters" in response.content.decode()
    long_password = {"login": "target", "password": "p" * 100_000}
    assert client.post("/accounts/login/", long_password).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/@" + "a" * 100_000, "/@" + "a" * 151 + "/posts", "/tags/" + "t" * 100_000]
)
def test_overlong_names_in_paths_are_not_found(client, make_user, path):
    client.force_login(make_user("ben"))
    assert client.get(path).status_code == 404


def test_ids_stay_inside_the_64_bit_range():
    assert parse_id(str(MAX_ID)) == MAX_ID
    for hostile in (str(MAX_ID + 1), str(1 << 64), "0", "-1", "1e3", "٣", " 7", "", None, True):
        assert parse_id(hostile) is None, hostile
    assert parse_ids(["1", "2"]) == [1, 2]
    with pytest.raises(ValueError):
        parse_ids(["1", str(1 << 63)])
