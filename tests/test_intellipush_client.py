"""The provider client against the sandbox, over real HTTP on loopback."""

import logging
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

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
    with pytest.raises(api.AuthenticationError) as caught:
        client.get_user()
    assert not caught.value.retryable, "refused credentials stay refused until someone changes them"
    assert not sandbox.messages()


def test_token_refused_twice_is_not_a_credentials_error(client, sandbox):
    """The token endpoint accepted the credentials; the call refused the new token too.

    The request was refused, so nothing was sent: it may be tried again later.
    """
    client.get_user()
    sandbox.inject_fault("expired_token", endpoint="sms/createBatch", count=2)
    with pytest.raises(api.IntellipushError) as caught:
        client.send_batch([sms()])
    assert not isinstance(caught.value, api.AuthenticationError)
    assert caught.value.retryable and not caught.value.maybe_delivered
    assert endpoints(sandbox).count("oauth2/token") == 2, "renewed once, not in a loop"
    assert endpoints(sandbox).count("sms/createBatch") == 2
    assert not sandbox.messages()


def test_batch_results_follow_input_order(client, sandbox):
    sandbox.set_number_outcome("0047", "93456789", "reject_invalid")
    results = client.send_batch([sms("a"), sms("b", ("0047", "93456789")), sms("c", ("0046", "701234567"))])
    assert [result.ok for result in results] == [True, False, True]
    assert isinstance(results[1].error, api.RefusedError)
    assert results[0].credits == 1
    assert [msg["message"] for msg in sandbox.messages()] == ["a", "c"]


def test_refusals_keep_intellipush_number_and_words(client, sandbox):
    """CONTRACT §2.2: no meaning is guessed from an errorcode; it travels verbatim."""
    sandbox.set_credits(1)
    first, second = client.send_batch([sms("a"), sms("b")])
    assert first.ok
    assert isinstance(second.error, api.RefusedError)
    assert isinstance(second.error.errorcode, int)
    assert second.error.message.startswith(f"Intellipush error {second.error.errorcode}: ")
    assert second.error.code == "refused" and not second.error.maybe_delivered


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


@pytest.mark.parametrize("value", ["1e12", "inf", "nan", "-5", "soon"])
def test_absurd_retry_after_is_bounded(client, sandbox, value):
    sandbox.inject_fault("rate_limit", endpoint="sms/createBatch", retry_after=value)
    with pytest.raises(api.RateLimitedError) as caught:
        client.send_batch([sms()])
    assert caught.value.retry_after is None or 0 <= caught.value.retry_after <= api.MAX_RETRY_AFTER


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
    statuses = client.get_status([delivered, failed, pending, "999999"])
    assert statuses[delivered].state == "delivered" and statuses[delivered].time_sent
    assert statuses[failed].state == "failed"
    assert statuses[pending].state == "pending"
    assert "999999" not in statuses


def test_account(client, sandbox):
    account = client.get_user()
    assert account.name and account.sender_name
    assert account.timezone == "Europe/Oslo"
    sandbox.set_credits(12)
    assert client.get_user().balance == 12


def test_sent_list_has_the_real_field_names(client, sandbox):
    client.send_batch([sms("first"), sms("second")])
    sent = client.get_sent()
    assert [record.message for record in sent] == ["second", "first"]
    assert (sent[0].countrycode, sent[0].phonenumber) == NUMBER
    assert sent[0].time_to_send and sent[0].matches(*NUMBER, "second\r\n")


def test_scheduled_sms_waits_in_unsent_until_deleted(client, sandbox):
    # The account's time (Oslo) a day ahead, through UTC: never an hour the
    # clocks skip when summer time begins.
    later = (datetime.now(timezone.utc) + timedelta(days=1)).astimezone(ZoneInfo("Europe/Oslo")).replace(tzinfo=None)
    (result,) = client.send_batch([api.OutgoingSms(*NUMBER, message="I morgen", send_at=later)])
    (waiting,) = client.get_unsent()
    assert waiting.provider_id == result.provider_id
    assert waiting.time_to_send == later.replace(second=0, microsecond=0)
    assert client.get_planned(result.provider_id).message == "I morgen"
    assert client.delete(result.provider_id)
    assert client.get_unsent() == []
    assert client.get_status([result.provider_id])[result.provider_id].deleted
    with pytest.raises(api.RefusedError):
        client.get_planned(result.provider_id)
    with pytest.raises(api.RefusedError):
        client.delete(result.provider_id)


def test_received_list_and_keyword_filter(client, sandbox):
    sandbox.add_inbound("0047", "41234567", "butikk STOPP")
    sandbox.add_inbound("0047", "41234568", "annet hei")
    (inbound,) = client.get_received(keyword="butikk")
    assert (inbound.keyword, inbound.message, inbound.phonenumber) == ("BUTIKK", "butikk STOPP", "41234567")
    assert inbound.complete and inbound.received_at
    assert len(client.get_received()) == 2


def test_received_rows_of_another_shape_are_read(client, sandbox):
    sandbox.set_received_shape("v4")
    sandbox.add_inbound("0047", "41234567", "butikk STOPP")
    (inbound,) = client.get_received()
    assert (inbound.countrycode, inbound.phonenumber, inbound.message) == ("0047", "41234567", "butikk STOPP")
    assert inbound.complete and inbound.received_at


def test_received_row_without_id_or_number_is_kept(client, sandbox, caplog):
    sandbox.add_received_row({"text_message": "hvem er jeg?"})
    with caplog.at_level(logging.WARNING):
        first = client.get_received()
        again = client.get_received()
    (row,) = first
    assert not row.complete and row.message == "hvem er jeg?"
    assert again[0].provider_id == row.provider_id  # stored once however often it is polled
    assert caplog.text.count("unknown shape") <= 1


def test_short_urls_and_clicks(client, sandbox):
    parent = client.generate_url("https://example.com/tilbud?utm_source=sms&x=a b")
    assert parent.target_url == "https://example.com/tilbud?utm_source=sms&x=a b"
    child = client.generate_child_url(parent.provider_id, api.UrlTarget("0047", "41234567"))
    code = child.short_url.rsplit("/", 1)[1]
    assert sandbox.click(code, "10.0.0.1") == "https://example.com/tilbud?utm_source=sms&x=a b"
    sandbox.click(code, "10.0.0.1")
    client.generate_child_url(parent.provider_id, api.UrlTarget("0047", "90000000", email="ola@example.com"))
    details = client.get_url(parent.provider_id)
    assert details.provider_id == parent.provider_id
    visited, unvisited = sorted(details.children, key=lambda child: -child.visits)
    assert (visited.provider_id, visited.short_url) == (child.provider_id, child.short_url)
    assert (visited.visits, visited.unique_visitors) == (2, 1)
    assert visited.first_visit is None and visited.last_visit is not None  # CONTRACT §6.3: no first visit
    assert (unvisited.visits, unvisited.last_visit) == (0, None)


def test_url_visits_of_unknown_url_raise(client, sandbox):
    with pytest.raises(api.IntellipushError):
        client.get_url("999999")


def test_garbled_answers_to_reads_raise_malformed(client, sandbox):
    sandbox.inject_fault("malformed_envelope", endpoint="sms/status", count=5)
    with pytest.raises(api.MalformedResponseError):
        client.get_status(["1"])


@pytest.mark.parametrize(
    "url", ["http://api.intellipush.com", "http://example.com", "ftp://api.intellipush.com", "https://", "example.com"]
)
def test_credentials_travel_over_https_only(url):
    with pytest.raises(api.ConfigurationError) as caught:
        api.check_base_url(url)
    assert url in caught.value.message and not caught.value.maybe_delivered
    with pytest.raises(api.ConfigurationError):
        api.IntellipushClient(url, API_ID, API_SECRET)


@pytest.mark.parametrize(
    "url", ["https://api.intellipush.com", "http://127.0.0.1:8099", "http://localhost:8099", "http://[::1]:8099"]
)
def test_plain_http_only_on_loopback(url):
    api.check_base_url(url)
    assert api.IntellipushClient(url, API_ID, API_SECRET).base_url == url


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
