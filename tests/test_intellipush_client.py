"""The provider client against the sandbox, over real HTTP on loopback."""

import logging
import time

import pytest
from conftest import API_ID, API_SECRET

from intellipush_sms.tools import intellipush_api as api

NUMBER = ("0047", "41234567")


def sms(text="Hei!", number=NUMBER):
    return api.OutgoingSms(countrycode=number[0], phonenumber=number[1], message=text)


@pytest.fixture(autouse=True)
def fresh_tokens():
    api.TOKEN_CACHE.clear()


@pytest.fixture
def client(sandbox):
    # A short read timeout keeps the timeout faults quick; no back-off pauses.
    return api.IntellipushClient(sandbox.url, API_ID, API_SECRET, timeout=(2, 0.5), backoff=0)


def endpoints(sandbox):
    return [entry["endpoint"] for entry in sandbox.requests_log()]


def test_token_is_fetched_once_and_reused(client, sandbox):
    client.get_user()
    client.send_batch([sms()])
    assert endpoints(sandbox).count("oauth2/token") <= 1


def test_expired_token_is_renewed_once(client, sandbox):
    client.get_user()
    sandbox.expire_tokens()
    assert client.send_batch([sms()])[0].ok
    assert len(sandbox.messages()) == 1


def test_short_lived_tokens_are_renewed_before_expiry(sandbox):
    sandbox.state.token_ttl = 60  # within the renewal margin: every call takes a new token
    client = api.IntellipushClient(sandbox.url, API_ID, API_SECRET, timeout=(2, 2))
    client.get_user()
    client.get_user()
    assert endpoints(sandbox).count("oauth2/token") == 2
    sandbox.state.token_ttl = 3600


def test_wrong_credentials(sandbox):
    client = api.IntellipushClient(sandbox.url, API_ID, "wrong-secret")
    with pytest.raises(api.AuthenticationError):
        client.get_user()
    assert not sandbox.messages()


def test_batch_results_follow_input_order(client, sandbox):
    sandbox.set_number_outcome("0047", "93456789", "reject_invalid")
    results = client.send_batch([sms("a"), sms("b", ("0047", "93456789")), sms("c", ("0046", "701234567"))])
    assert [result.ok for result in results] == [True, False, True]
    assert isinstance(results[1].error, api.InvalidNumberError)
    assert results[0].credits == 1
    assert [msg["message"] for msg in sandbox.messages()] == ["a", "c"]


def test_insufficient_provider_credit_per_item(client, sandbox):
    sandbox.set_credits(1)
    first, second = client.send_batch([sms("a"), sms("b")])
    assert first.ok
    assert isinstance(second.error, api.InsufficientCreditError)


def test_partial_batch(client, sandbox):
    sandbox.inject_fault("partial_batch", endpoint="sms/createBatch", indices=[0])
    refused, accepted = client.send_batch([sms("a"), sms("b")])
    assert not refused.ok and accepted.ok


@pytest.mark.parametrize(
    ("kind", "error_class"),
    [
        ("timeout", api.RequestTimeoutError),
        ("http_500", api.ServerError),
        ("http_500_after", api.ServerError),
        ("http_503", api.ServerError),
        ("drop_connection", api.ServerError),
        ("malformed_json", api.MalformedResponseError),
        ("malformed_envelope", api.MalformedResponseError),
        ("timeout_before", api.RequestTimeoutError),
    ],
)
def test_send_faults_are_never_retried(client, sandbox, kind, error_class):
    """After a request may have reached Intellipush, the client raises instead of resending."""
    sandbox.inject_fault(kind, endpoint="sms/createBatch", delay=1)
    with pytest.raises(error_class) as caught:
        client.send_batch([sms()])
    assert caught.value.maybe_delivered
    batch_calls = endpoints(sandbox).count("sms/createBatch")
    time.sleep(0.6 if kind.startswith("timeout") else 0)  # let a slow answer finish
    assert batch_calls <= 1
    assert len(sandbox.messages()) <= 1


def test_rate_limit_is_not_slept_on(client, sandbox):
    sandbox.inject_fault("rate_limit", endpoint="sms/createBatch", retry_after=30)
    started = time.monotonic()
    with pytest.raises(api.RateLimitedError) as caught:
        client.send_batch([sms()])
    assert caught.value.retry_after == 30
    assert not caught.value.maybe_delivered
    assert time.monotonic() - started < 5


def test_read_only_calls_are_retried(client, sandbox):
    sandbox.inject_fault("http_500", endpoint="sms/getReceived", count=2)
    sandbox.add_inbound("0047", "41234567", "Hei")
    assert len(client.get_received()) == 1


def test_connection_refused_is_safe_to_resend():
    client = api.IntellipushClient("http://127.0.0.1:9", API_ID, API_SECRET, timeout=(1, 1), backoff=0)
    with pytest.raises(api.ConnectionFailedError) as caught:
        client.send_batch([sms()])
    assert not caught.value.maybe_delivered


def test_status_mapping(client, sandbox):
    delivered, failed, pending = (result.provider_id for result in client.send_batch([sms("a"), sms("b"), sms("c")]))
    sandbox.deliver([delivered])
    sandbox.fail([failed])
    statuses = client.get_status([delivered, failed, pending, "ip-unknown"])
    assert statuses[delivered].state == "delivered" and statuses[delivered].time_sent
    assert statuses[failed].state == "failed"
    assert statuses[pending].state == "pending"
    assert "ip-unknown" not in statuses


def test_sent_and_received_lists(client, sandbox):
    client.send_batch([sms("first"), sms("second")])
    sent = client.get_sent()
    assert [record.message for record in sent] == ["second", "first"]
    assert sent[0].created
    sandbox.add_inbound("0047", "41234567", "butikk STOPP")
    (inbound,) = client.get_received()
    assert (inbound.keyword, inbound.message, inbound.phonenumber) == ("BUTIKK", "butikk STOPP", "41234567")


def test_short_urls_and_clicks(client, sandbox):
    parent = client.generate_url("https://example.com/tilbud")
    child = client.generate_child_url(parent.provider_id, "+4741234567")
    code = child.short_url.rsplit("/", 1)[1]
    assert sandbox.click(code, "10.0.0.1") == "https://example.com/tilbud"
    sandbox.click(code, "10.0.0.1")
    client.generate_child_url(parent.provider_id, "+4790000000")  # never visited
    details = client.get_url(parent.provider_id)
    assert details.provider_id == parent.provider_id
    visited, unvisited = sorted(details.children, key=lambda child: -child.visits)
    assert (visited.provider_id, visited.short_url) == (child.provider_id, child.short_url)
    assert (visited.visits, visited.unique_visitors) == (2, 1)
    assert visited.first_visit is not None and visited.last_visit >= visited.first_visit
    assert (unvisited.visits, unvisited.first_visit) == (0, None)


def test_url_visits_of_unknown_url_raise(client, sandbox):
    with pytest.raises(api.IntellipushError):
        client.get_url("url-404")


def test_garbled_answers_to_reads_raise_malformed(client, sandbox):
    sandbox.inject_fault("malformed_envelope", endpoint="sms/status", count=5)
    with pytest.raises(api.MalformedResponseError):
        client.get_status(["ip-1"])


def test_plain_http_only_on_loopback():
    with pytest.raises(ValueError):
        api.IntellipushClient("http://api.intellipush.com", API_ID, API_SECRET)


def test_secret_never_leaks(client, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    raised = []
    for kind in ("timeout", "http_500", "malformed_json", "drop_connection", "rate_limit"):
        sandbox.inject_fault(kind, endpoint="sms/createBatch", delay=1)
        try:
            client.send_batch([sms()])
        except api.IntellipushError as error:
            raised.append(error)
    try:
        api.IntellipushClient(sandbox.url, API_ID, API_SECRET + "-wrong").get_user()
    except api.IntellipushError as error:
        raised.append(error)
    texts = [str(error) for error in raised] + [repr(error) for error in raised] + [repr(client), caplog.text]
    assert len(raised) == 6
    assert not any(API_SECRET in text for text in texts)
