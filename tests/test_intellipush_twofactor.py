"""Intellipush two-factor codes: the client's two endpoints against the sandbox, over real HTTP."""

import logging

import pytest
import requests
from conftest import API_ID, API_SECRET

from intellipush_sms.tools import intellipush_api as api

NUMBER = ("0047", "41234567")


@pytest.fixture
def client(sandbox):
    api.TOKEN_CACHE.clear()  # no token left from another test's sandbox
    return api.IntellipushClient(sandbox.url, API_ID, API_SECRET, timeout=(2, 0.5), backoff=0)


def generate(client, before="Koden din til Badstue er ", after=". Hilsen Demobutikk"):
    return client.twofactor_generate(*NUMBER, before, after)


def test_generate_texts_a_code_between_the_two_texts(client, sandbox):
    sent = generate(client)
    code = sandbox.twofactor_code(*NUMBER)
    assert code.isdigit() and len(code) == 6
    assert sent.message == f"Koden din til Badstue er {code}. Hilsen Demobutikk"
    [sms] = sandbox.messages()
    assert (sms["id"], sms["countrycode"], sms["phonenumber"], sms["message"]) == (
        sent.provider_id,
        *NUMBER,
        sent.message,
    )
    assert code not in repr(sent), "the code stays out of reprs (and so of logs)"


def test_validate_accepts_the_last_code_only_once(client, sandbox):
    """CONTRACT §7: a new code replaces the old one; a code that validated is spent."""
    generate(client)
    first = sandbox.twofactor_code(*NUMBER)
    generate(client)
    second = sandbox.twofactor_code(*NUMBER)
    if first != second:
        assert not client.twofactor_validate(*NUMBER, first), "replaced by the second code"
    assert not client.twofactor_validate("0047", "41500009", second), "another number's code"
    assert not client.twofactor_validate(*NUMBER, "000000" if second != "000000" else "111111")
    assert not client.twofactor_validate(*NUMBER, "48291３"), "a non-ASCII code is a wrong code, not a crash"
    assert client.twofactor_validate(*NUMBER, second), "wrong tries did not spend the right code"
    assert not client.twofactor_validate(*NUMBER, second), "spent once it validated"


def test_validate_without_a_code_ever_sent(client, sandbox):
    assert not client.twofactor_validate(*NUMBER, "482913")


def test_generate_is_never_retried_once_sent(client, sandbox):
    sandbox.inject_fault("http_500_after", endpoint="twofactor/generate")
    with pytest.raises(api.ServerError) as raised:
        generate(client)
    assert raised.value.maybe_delivered
    assert len(sandbox.messages()) == 1, "texted once, not twice"


def test_generate_refusals_keep_intellipush_errorcode(client, sandbox):
    sandbox.set_credits(0)
    with pytest.raises(api.RefusedError) as no_credits:
        generate(client)
    sandbox.set_credits(None)
    with pytest.raises(api.RefusedError) as bad_number:
        client.twofactor_generate("0047", "12", "Koden er ", "")
    assert isinstance(no_credits.value.errorcode, int) and isinstance(bad_number.value.errorcode, int)
    assert no_credits.value.errorcode != bad_number.value.errorcode
    assert not sandbox.messages()


def test_validate_garbled_answer_raises_malformed(client, sandbox):
    generate(client)
    sandbox.inject_fault("malformed_envelope", endpoint="twofactor/validate")
    with pytest.raises(api.MalformedResponseError):
        client.twofactor_validate(*NUMBER, sandbox.twofactor_code(*NUMBER))


@pytest.mark.parametrize(
    "endpoint, body",
    [
        ("twofactor/generate", {"phonenumber": "41234567"}),
        ("twofactor/generate", {"countrycode": "0047", "phonenumber": "41234567", "message_pre_code": 5}),
        ("twofactor/validate", {"countrycode": "0047", "phonenumber": "41234567"}),
        ("twofactor/validate", {"countrycode": "0047", "phonenumber": "41234567", "code": 482913}),
    ],
)
def test_sandbox_refuses_incomplete_requests(sandbox, endpoint, body):
    token = requests.post(
        f"{sandbox.url}/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(API_ID, API_SECRET),
        timeout=5,
    ).json()["access_token"]
    response = requests.post(
        f"{sandbox.url}/restv2/{endpoint}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    answer = response.json()
    assert answer["success"] is False
    assert isinstance(answer["errorcode"], int), "CONTRACT §2.2: errorcode is a number"


def test_codes_never_reach_the_log(client, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    generate(client)
    code = sandbox.twofactor_code(*NUMBER)
    client.twofactor_validate(*NUMBER, code)
    assert code not in caplog.text
