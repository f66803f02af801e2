"""The sandbox as Intellipush's stand-in: hand-built HTTP requests against CONTRACT.md.

Nothing here imports our client: each request is written out as the contract
says the service takes it, and each answer is checked against the contract's
shapes. Wrong methods and wrong parameters are in test_sandbox_contract.py.
"""

import json
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from conftest import API_ID, API_SECRET

from intellipush_sandbox import Sandbox

REPO_ROOT = Path(__file__).resolve().parent.parent
OSLO = ZoneInfo("Europe/Oslo")
NUMBER = {"countrycode": "0047", "phonenumber": "41234567"}
SMS_FIELDS = {
    "id",
    "text_message",
    "html_message",
    "date",
    "time",
    "method",
    "repeat",
    "single_target_countrycode",
    "single_target",
    "contact_id",
    "contactlist_id",
    "contactlist_filter",
    "use_sendername",
    "two_way_session",
    "credits_amount",
    "timetosend",
    "epochtimetosend",
}
STATUS_FIELDS = {"id", "sendt", "failed", "tries", "deleted", "timesendt"}
URL_DETAIL_FIELDS = {
    "id",
    "long_url",
    "short_url",
    "created",
    "parent_url_id",
    "visited",
    "visits",
    "unique_visits",
    "child_urls",
    "last_visited_time",
    "target_countrycode",
    "target_phonenumber",
    "target_email",
    "target_contact_id",
    "sendt",
}


def get_token(sandbox):
    response = requests.post(
        f"{sandbox.url}/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(API_ID, API_SECRET),
        timeout=5,
    )
    assert response.status_code == 200
    return response.json()["access_token"]


class Api:
    """Hand-built restv2 calls (CONTRACT §1.3): JSON bodies for POST, query strings otherwise."""

    def __init__(self, sandbox):
        self.base = f"{sandbox.url}/restv2/"
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json", "Authorization": f"Bearer {get_token(sandbox)}"})

    def call(self, method, endpoint, params=None, body=None, timeout=5):
        return self.session.request(method, self.base + endpoint, params=params, json=body, timeout=timeout)

    def data(self, method, endpoint, params=None, body=None):
        """The data of a successful answer."""
        response = self.call(method, endpoint, params, body)
        assert response.status_code == 200, response.text
        envelope = response.json()
        assert envelope["success"] is True, envelope
        assert set(envelope) == {"success", "data", "status_message"}
        return envelope["data"]

    def refused(self, method, endpoint, params=None, body=None):
        """The errorcode of a refusal answered with HTTP 200 (CONTRACT §2.3)."""
        response = self.call(method, endpoint, params, body)
        assert response.status_code == 200, response.text
        return refusal_code(response.json())

    def send(self, message="Hei", **fields):
        return self.data("POST", "sms/create", body={**NUMBER, "message": message, **fields})

    def status(self, *ids):
        return self.data("POST", "sms/status", body={"id_array": list(ids)})

    def ids_in(self, endpoint, **params):
        return [row["id"] for row in self.data("GET", endpoint, params=params)]


def refusal_code(envelope):
    """CONTRACT §2.1/§2.2: a refusal is the envelope with a numeric errorcode."""
    assert set(envelope) == {"success", "data", "errorcode", "status_message"}, envelope
    assert envelope["success"] is False and envelope["data"] is None
    assert type(envelope["errorcode"]) is int
    assert isinstance(envelope["status_message"], str) and envelope["status_message"]
    return envelope["errorcode"]


@pytest.fixture
def api(sandbox):
    return Api(sandbox)


def local_minute(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M")


def assert_now_in(zone, timetosend):
    """A "YYYY-MM-DD HH:MM" time that is now on the clocks of ``zone``."""
    now = datetime.now(zone).replace(tzinfo=None, second=0, microsecond=0)
    assert now - timedelta(minutes=1) <= local_minute(timetosend) <= now + timedelta(minutes=1)


def short_code(short_url):
    return short_url.rsplit("/s/", 1)[1]


# Token (CONTRACT §1.2, §1.7) -------------------------------------------------


def test_token_for_basic_client_credentials(sandbox):
    response = requests.post(
        f"{sandbox.url}/oauth2/token",
        data="grant_type=client_credentials",
        headers={"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"},
        auth=(API_ID, API_SECRET),
        timeout=5,
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["access_token"] and answer["token_type"] == "Bearer" and answer["expires_in"] == 3600


@pytest.mark.parametrize(
    ("form", "auth", "status", "error"),
    [
        ({"grant_type": "client_credentials"}, (API_ID, "wrong-secret"), 401, "invalid_client"),
        ({"grant_type": "client_credentials"}, None, 401, "invalid_client"),
        (
            {"grant_type": "client_credentials", "client_id": API_ID, "client_secret": API_SECRET},
            None,
            401,
            "invalid_client",
        ),
        ({}, (API_ID, API_SECRET), 400, "invalid_request"),
        ({"grant_type": "password"}, (API_ID, API_SECRET), 400, "unsupported_grant_type"),
    ],
    ids=["wrong-secret", "no-auth", "credentials-in-form", "no-grant-type", "other-grant-type"],
)
def test_token_refusals(sandbox, form, auth, status, error):
    response = requests.post(f"{sandbox.url}/oauth2/token", data=form, auth=auth, timeout=5)
    assert (response.status_code, response.json()) == (status, {"error": error})


def test_expired_and_unknown_tokens_are_401(sandbox, api):
    assert api.call("GET", "user").status_code == 200
    sandbox.expire_tokens()
    expired = api.call("GET", "user")
    assert (expired.status_code, expired.json()) == (401, {"error": "invalid_token"})
    unknown = requests.get(f"{sandbox.url}/restv2/user", headers={"Authorization": "Bearer nope"}, timeout=5)
    assert (unknown.status_code, unknown.json()) == (401, {"error": "invalid_token"})


def test_token_lifetime(sandbox):
    sandbox.state.token_ttl = 0.2
    try:
        token = get_token(sandbox)
        time.sleep(0.3)
        response = requests.get(f"{sandbox.url}/restv2/user", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert response.status_code == 401
    finally:
        sandbox.state.token_ttl = 3600


# user (CONTRACT §3) -----------------------------------------------------------


def test_user_is_all_strings(sandbox, api):
    user = api.data("GET", "user")
    assert set(user) == {
        "uid",
        "prepay_customer",
        "dst",
        "timezonename",
        "smssendername",
        "senderemail",
        "senderemailname",
        "smsprice",
        "name",
        "centicredits",
    }
    assert all(isinstance(value, str) for value in user.values())
    assert user["prepay_customer"] == "1"
    assert user["timezonename"] == "Europe/Oslo"
    assert user["dst"] == ("1" if datetime.now(OSLO).dst() else "0")
    assert int(user["centicredits"]) >= 100_000_000, "unlimited credits read as a large balance"
    sandbox.set_credits(12.5)
    sandbox.set_sender_name("Butikk24")
    user = api.data("GET", "user")
    assert (user["centicredits"], user["smssendername"]) == ("1250", "Butikk24")


# Sending (CONTRACT §4) ---------------------------------------------------------


def test_create_answers_the_full_sms_row(sandbox, api):
    row = api.send("Hei Kari!")
    assert set(row) == SMS_FIELDS
    assert row["id"].isdigit()
    assert (row["text_message"], row["single_target_countrycode"], row["single_target"]) == (
        "Hei Kari!",
        "0047",
        "41234567",
    )
    assert (row["method"], row["html_message"], row["date"], row["time"], row["repeat"]) == ("sms", "", "", "", "")
    assert row["use_sendername"] is True
    assert type(row["credits_amount"]) is int and row["credits_amount"] == 1
    assert type(row["epochtimetosend"]) is int and abs(row["epochtimetosend"] - time.time()) < 90
    assert_now_in(OSLO, row["timetosend"])
    [stored] = sandbox.messages()
    assert "sender" not in stored, "no call takes a sender (CONTRACT §3, §4.1)"
    assert {key: stored[key] for key in ("id", "message", "countrycode", "phonenumber")} == {
        "id": row["id"],
        "message": "Hei Kari!",
        **NUMBER,
    }
    assert (stored["sendt"], stored["failed"], stored["deleted"], stored["scheduled"]) == (0, 0, 0, None)
    assert set(stored) >= SMS_FIELDS


def test_countrycode_defaults_to_norway_and_long_texts_cost_segments(api):
    row = api.data("POST", "sms/create", body={"phonenumber": "41234567", "message": "x" * 161})
    assert (row["single_target_countrycode"], row["credits_amount"]) == ("0047", 2)
    assert api.send("ø" * 71)["credits_amount"] == 1, "ø is GSM-7"
    assert api.send("€" * 81)["credits_amount"] == 2, "€ takes two GSM-7 septets"
    assert api.send("😀" * 36)["credits_amount"] == 2, "UCS-2: 67 units a segment"


@pytest.fixture
def machine_in_tokyo(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_times_are_in_the_account_zone_whatever_the_machine_zone(machine_in_tokyo):
    new_york = ZoneInfo("America/New_York")
    with Sandbox(api_id=API_ID, api_secret=API_SECRET, timezone="America/New_York") as sandbox:
        api = Api(sandbox)
        assert api.data("GET", "user")["timezonename"] == "America/New_York"
        row = api.send()
        assert_now_in(new_york, row["timetosend"])
        sandbox.deliver([row["id"]])
        timesendt = datetime.strptime(api.status(row["id"])[row["id"]]["timesendt"], "%Y-%m-%d %H:%M:%S")
        assert abs(timesendt - datetime.now(new_york).replace(tzinfo=None)) < timedelta(minutes=1)
        sandbox.add_inbound("0047", "41234567", "Hei")
        [received] = api.data("GET", "sms/getReceived")
        assert_now_in(new_york, received["timetosend"])


def test_ids_are_numeric_strings_from_one_counter(sandbox, api):
    sms_id = api.send()["id"]
    url_id = api.data("POST", "url/generate", params={"url": "https://example.com/"})["id"]
    inbound_id = sandbox.add_inbound("0047", "41234567", "Hei")
    ids = [int(sms_id), int(url_id), int(inbound_id)]
    assert ids == list(range(ids[0], ids[0] + 3))
    sandbox.reset()
    assert int(api.send()["id"]) > ids[-1], "an id is never reused, not even after a reset"


def test_create_refusals_are_numeric(sandbox, api):
    sandbox.set_number_outcome("0047", "93456789", "reject_invalid")
    assert (
        api.refused("POST", "sms/create", body={"countrycode": "0047", "phonenumber": "93456789", "message": "Hei"})
        == 902
    )
    sandbox.set_credits(1)
    assert api.refused("POST", "sms/create", body={**NUMBER, "message": "x" * 161}) == 903, "two segments, one credit"
    api.send()
    assert api.refused("POST", "sms/create", body={**NUMBER, "message": "Hei"}) == 903
    assert len(sandbox.messages()) == 1


def test_batch_answers_one_envelope_per_item_in_request_order(sandbox, api):
    batch = [
        {**NUMBER, "message": "first"},
        {"countrycode": "0047", "phonenumber": "12ab", "message": "bad number"},
        {**NUMBER, "message": "  "},
        {"countrycode": "0047", "message": "no number"},
        "not an object",
        {"countrycode": "0046", "phonenumber": "701234567", "message": "last", "contactId": "7"},
    ]
    results = api.data("POST", "sms/createBatch", body={"batch": batch})
    assert isinstance(results, list) and len(results) == len(batch)
    assert [result["success"] for result in results] == [True, False, False, False, False, True]
    assert [refusal_code(result) for result in results[1:5]] == [902, 904, 901, 901]
    assert set(results[0]["data"]) == SMS_FIELDS
    assert (results[0]["data"]["text_message"], results[5]["data"]["text_message"]) == ("first", "last")
    assert [msg["message"] for msg in sandbox.messages()] == ["first", "last"]


def test_status_is_keyed_by_id(sandbox, api):
    delivered, failed, waiting = (api.send(text)["id"] for text in ("a", "b", "c"))
    sandbox.deliver([delivered])
    sandbox.fail([failed])
    statuses = api.status(delivered, int(failed), waiting, "999999")
    assert isinstance(statuses, dict) and set(statuses) == {delivered, failed, waiting}, "unknown ids left out"
    assert all(set(value) == STATUS_FIELDS for value in statuses.values())
    assert {key: statuses[delivered][key] for key in ("id", "sendt", "failed", "deleted", "tries")} == {
        "id": delivered,
        "sendt": 1,
        "failed": 0,
        "deleted": 0,
        "tries": "1",
    }
    datetime.strptime(statuses[delivered]["timesendt"], "%Y-%m-%d %H:%M:%S")
    assert (statuses[failed]["sendt"], statuses[failed]["failed"], statuses[failed]["timesendt"]) == (0, 1, None)
    assert (statuses[waiting]["sendt"], statuses[waiting]["tries"]) == (0, "0")
    assert api.status() == {}


def test_auto_delivery_follows_the_number_outcome(sandbox, api):
    sandbox.set_number_outcome("0047", "93456789", "fail")
    sandbox.state.auto_deliver_after = 0
    try:
        good = api.send()["id"]
        bad = api.data("POST", "sms/create", body={"countrycode": "0047", "phonenumber": "93456789", "message": "x"})[
            "id"
        ]
        statuses = api.status(good, bad)
    finally:
        sandbox.state.auto_deliver_after = None
    assert (statuses[good]["sendt"], statuses[bad]["failed"]) == (1, 1)
    assert {msg["id"]: msg["failure_reason"] for msg in sandbox.messages()} == {good: None, bad: "not delivered"}


def test_an_immediate_sms_is_in_get_sent_at_once_and_a_failed_one_stays(sandbox, api):
    sms_id = api.send()["id"]
    assert api.ids_in("sms/getSent") == [sms_id]
    assert api.ids_in("sms/getUnsent") == []
    assert refusal_code(api.call("GET", "sms/getPlanned", params={"id": sms_id}).json()) == 906
    sandbox.fail([sms_id])
    [row] = api.data("GET", "sms/getSent", params={"items": 10, "page": 1})
    assert set(row) == SMS_FIELDS and row["id"] == sms_id


def test_a_scheduled_sms_waits_in_unsent_until_its_time(sandbox, api):
    # Two real hours ahead (through UTC): two hours on Oslo's clock face may be
    # an hour that does not exist, the night summer time begins.
    due = (datetime.now(timezone.utc) + timedelta(hours=2)).astimezone(OSLO).replace(second=0, microsecond=0)
    row = api.send("Later", date=due.strftime("%Y-%m-%d"), time=due.strftime("%H-%M"))
    assert (row["date"], row["time"]) == (due.strftime("%Y-%m-%d"), due.strftime("%H-%M"))
    assert row["timetosend"] == due.strftime("%Y-%m-%d %H:%M"), "in the account's time zone"
    assert row["epochtimetosend"] == int(due.timestamp())
    assert sandbox.messages()[0]["scheduled"] == row["timetosend"]
    assert api.ids_in("sms/getUnsent") == [row["id"]]
    assert api.ids_in("sms/getSent") == []
    assert api.data("GET", "sms/getPlanned", params={"id": row["id"]}) == row

    sandbox.deliver()
    assert api.status(row["id"])[row["id"]]["sendt"] == 0, "it cannot be sent before its time"

    sandbox.advance_clock(3 * 3600)
    assert api.ids_in("sms/getSent") == [row["id"]]
    assert api.ids_in("sms/getUnsent") == []
    assert refusal_code(api.call("GET", "sms/getPlanned", params={"id": row["id"]}).json()) == 906
    assert refusal_code(api.call("DELETE", "sms/delete", params={"id": row["id"]}).json()) == 906, "already sent"
    sandbox.deliver([row["id"]])
    assert api.status(row["id"])[row["id"]]["sendt"] == 1


def test_a_past_schedule_goes_at_once(api):
    past = datetime.now(OSLO) - timedelta(hours=1)
    row = api.send(date=past.strftime("%Y-%m-%d"), time=past.strftime("%H-%M"))
    assert api.ids_in("sms/getSent") == [row["id"]]


def test_deleting_a_planned_sms(sandbox, api):
    sandbox.set_credits(10)
    due = datetime.now(OSLO) + timedelta(days=1)
    row = api.send(date=due.strftime("%Y-%m-%d"), time=due.strftime("%H-%M"))
    assert api.data("GET", "user")["centicredits"] == "900"

    assert api.data("DELETE", "sms/delete", params={"id": row["id"]}) == row
    assert api.status(row["id"])[row["id"]]["deleted"] == 1
    assert api.ids_in("sms/getUnsent") == [] and api.ids_in("sms/getSent") == []
    assert refusal_code(api.call("GET", "sms/getPlanned", params={"id": row["id"]}).json()) == 906
    assert refusal_code(api.call("DELETE", "sms/delete", params={"id": row["id"]}).json()) == 906
    assert api.data("GET", "user")["centicredits"] == "1000", "an SMS never sent is not paid for"
    sandbox.advance_clock(2 * 86400)
    assert api.ids_in("sms/getSent") == [], "a deleted SMS never goes"
    assert sandbox.messages()[0]["deleted"] == 1


def test_unknown_ids_are_501(api):
    assert refusal_code(api.call("DELETE", "sms/delete", params={"id": "999999"}).json()) == 501
    assert refusal_code(api.call("GET", "sms/getPlanned", params={"id": "999999"}).json()) == 501
    assert refusal_code(api.call("GET", "url/create", params={"id": "999999"}).json()) == 501
    target = {"contact_id": 0, "email": "", **NUMBER}
    assert refusal_code(api.call("POST", "url/generateChild", body={"id": "999999", "target": target}).json()) == 501


def test_sent_and_unsent_are_newest_first_and_paged(sandbox, api):
    sent = [api.send(f"sms {index}")["id"] for index in range(5)]
    assert api.ids_in("sms/getSent") == sent[::-1]
    assert api.ids_in("sms/getSent", items=2, page=1) == [sent[4], sent[3]]
    assert api.ids_in("sms/getSent", items=2, page=3) == [sent[0]]
    assert api.ids_in("sms/getSent", items=2, page=4) == [], "a page past the end is empty"
    base = datetime.now(OSLO) + timedelta(days=1)
    planned = [
        api.send(
            date=(base + timedelta(hours=hours)).strftime("%Y-%m-%d"),
            time=(base + timedelta(hours=hours)).strftime("%H-%M"),
        )["id"]
        for hours in (1, 2)
    ]
    assert api.ids_in("sms/getUnsent", items=500) == planned[::-1]


# Inbound SMS (CONTRACT §5) -------------------------------------------------------


def test_received_rows_keyword_filter_and_paging(sandbox, api):
    stop = sandbox.add_inbound("0047", "41234567", "STOPP takk", received_at=datetime(2025, 1, 15, 9, 30))
    shop = sandbox.add_inbound("0047", "99887766", "butikk stopp")
    hello = sandbox.add_inbound("0046", "701234567", "Hei")
    rows = api.data("GET", "sms/getReceived")
    assert [row["id"] for row in rows] == [hello, shop, stop], "newest first"
    assert rows[-1] == {
        "id": stop,
        "text_message": "STOPP takk",
        "single_target_countrycode": "0047",
        "single_target": "41234567",
        "keyword": "STOPP",
        "timetosend": "2025-01-15 09:30",
    }
    assert api.ids_in("sms/getReceived", keyword="stopp") == [stop], "the first word, any case"
    assert api.ids_in("sms/getReceived", keyword="Butikk", items=50, page=1) == [shop]
    assert api.ids_in("sms/getReceived", keyword="") == [hello, shop, stop]
    assert api.ids_in("sms/getReceived", keyword="takk") == []
    assert api.ids_in("sms/getReceived", items=2, page=2) == [stop]
    assert api.ids_in("sms/getReceived", items=2, page=3) == []


def test_received_rows_in_the_v4_shape_and_raw(sandbox, api):
    inbound = sandbox.add_inbound(
        "0047", "41234567", "Hei der", received_at=datetime(2025, 7, 1, 12, 0, 5, tzinfo=OSLO)
    )
    sandbox.add_received_row({"text_message": "no id, no number"})
    sandbox.set_received_shape("v4")
    rows = api.data("GET", "sms/getReceived")
    assert rows == [
        {"text_message": "no id, no number"},
        {
            "id": inbound,
            "message": "Hei der",
            "countrycode": "0047",
            "phonenumber": "41234567",
            "keyword": "HEI",
            "received": "2025-07-01 12:00:05",
        },
    ]
    with pytest.raises(ValueError):
        sandbox.set_received_shape("v9")


# Short URLs (CONTRACT §6) ---------------------------------------------------------


def test_urls_children_and_their_visits(sandbox, api):
    long_url = "https://shop.example.com/sale?utm_source=sms&x=1"
    parent = api.data("POST", "url/generate", params={"url": long_url})
    assert set(parent) == {"id", "long_url", "short_url", "created"}
    assert parent["id"].isdigit() and parent["long_url"] == long_url
    datetime.strptime(parent["created"], "%Y-%m-%d %H:%M:%S")
    target = {"contact_id": 0, "email": "", "countrycode": "0047", "phonenumber": "41234567"}
    child = api.data("POST", "url/generateChild", body={"id": parent["id"], "target": target})
    assert set(child) == {"id", "long_url", "short_url", "created"}
    assert child["long_url"] == long_url and child["short_url"] != parent["short_url"]
    other = api.data(
        "POST", "url/generateChild", body={"id": int(parent["id"]), "target": {**target, "email": "a@b.no"}}
    )

    code = short_code(child["short_url"])
    for _visit in range(2):
        visit = requests.get(child["short_url"], allow_redirects=False, timeout=5)
        assert (visit.status_code, visit.headers["Location"]) == (302, long_url)
    assert sandbox.click(code, visitor="10.0.0.9") == long_url
    assert requests.get(f"{sandbox.url}/s/unknown", timeout=5).status_code == 404

    details = api.data("GET", "url/create", params={"id": parent["id"]})
    assert set(details) == URL_DETAIL_FIELDS
    assert all(isinstance(value, str) for key, value in details.items() if key != "child_urls")
    assert (details["visited"], details["visits"], details["parent_url_id"], details["last_visited_time"]) == (
        "0",
        "0",
        "",
        "",
    )
    assert isinstance(details["child_urls"], list)
    assert [row["id"] for row in details["child_urls"]] == [child["id"], other["id"]]
    [visited, _unvisited] = details["child_urls"]
    assert set(visited) == URL_DETAIL_FIELDS
    assert {key: visited[key] for key in ("parent_url_id", "visited", "visits", "unique_visits", "short_url")} == {
        "parent_url_id": parent["id"],
        "visited": "1",
        "visits": "3",
        "unique_visits": "2",
        "short_url": child["short_url"],
    }
    assert (visited["target_countrycode"], visited["target_phonenumber"]) == ("0047", "41234567")
    assert (visited["target_email"], visited["target_contact_id"]) == ("", "0")
    visited_at = datetime.strptime(visited["last_visited_time"], "%Y-%m-%d %H:%M:%S")
    assert abs(visited_at - datetime.now(OSLO).replace(tzinfo=None)) < timedelta(minutes=1)
    assert api.data("GET", "url/create", params={"id": child["id"]}) == visited


# Two-factor codes (CONTRACT §7) ----------------------------------------------------


def test_twofactor_code_is_texted_and_spent_once_valid(sandbox, api):
    generated = api.data(
        "POST",
        "twofactor/generate",
        body={**NUMBER, "message_pre_code": "Koden din er ", "message_post_code": ". Hilsen Butikk"},
    )
    code = sandbox.twofactor_code("0047", "41234567")
    assert code.isdigit() and len(code) == 6
    assert set(generated) == {
        "id",
        "timetosend",
        "priority",
        "internal_id",
        "external_id",
        "in_progress",
        "text_message",
        "method",
        "single_target_countrycode",
        "single_target",
        "use_sendername",
    }
    assert all(isinstance(value, str) for value in generated.values())
    assert generated["text_message"] == f"Koden din er {code}. Hilsen Butikk"
    [sms] = sandbox.messages()
    assert (sms["id"], sms["message"]) == (generated["id"], generated["text_message"]), "an SMS like any other"
    assert api.ids_in("sms/getSent") == [generated["id"]]

    def validate(number, candidate):
        return api.data("POST", "twofactor/validate", body={**number, "code": candidate})

    wrong = "000000" if code != "000000" else "111111"
    assert validate(NUMBER, wrong) == {"access": False}
    assert validate({"countrycode": "0047", "phonenumber": "41500009"}, code) == {"access": False}
    assert validate(NUMBER, "48291３") == {"access": False}
    assert validate(NUMBER, code) == {"access": True}, "a wrong code did not spend the right one"
    assert validate(NUMBER, code) == {"access": False}, "a validated code is spent"
    assert sandbox.twofactor_code("0047", "41234567") == code


def test_a_new_twofactor_code_replaces_the_old(sandbox, api):
    body = {**NUMBER, "message_pre_code": "", "message_post_code": ""}
    api.data("POST", "twofactor/generate", body=body)
    first = sandbox.twofactor_code("0047", "41234567")
    api.data("POST", "twofactor/generate", body=body)
    second = sandbox.twofactor_code("0047", "41234567")
    if first != second:
        assert api.data("POST", "twofactor/validate", body={**NUMBER, "code": first}) == {"access": False}
    assert api.data("POST", "twofactor/validate", body={**NUMBER, "code": second}) == {"access": True}
    assert [msg["message"] for msg in sandbox.messages()] == [first, second]


def test_twofactor_refusals(sandbox, api):
    assert api.data("POST", "twofactor/validate", body={**NUMBER, "code": "123456"}) == {"access": False}
    body = {"countrycode": "0047", "phonenumber": "4x", "message_pre_code": "", "message_post_code": ""}
    assert api.refused("POST", "twofactor/generate", body=body) == 902
    sandbox.set_credits(0)
    assert api.refused("POST", "twofactor/generate", body={**body, **NUMBER}) == 903
    assert sandbox.twofactor_code("0047", "41234567") is None, "no SMS, no code"


# Faults -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "params", "status", "stored"),
    [
        ("http_500", {}, 500, 0),
        ("http_503", {}, 503, 0),
        ("http_500_after", {}, 500, 1),
        ("timeout_before", {"delay": 0.05}, 504, 0),
        ("rate_limit", {"retry_after": 7}, 429, 0),
    ],
)
def test_status_faults(sandbox, api, kind, params, status, stored):
    sandbox.inject_fault(kind, endpoint="sms/create", **params)
    response = api.call("POST", "sms/create", body={**NUMBER, "message": "Hei"})
    assert response.status_code == status
    assert refusal_code(response.json()) == 905
    if kind == "rate_limit":
        assert response.headers["Retry-After"] == "7"
    assert len(sandbox.messages()) == stored
    assert api.call("POST", "sms/create", body={**NUMBER, "message": "Hei"}).status_code == 200, "one fault, once"


def test_answer_faults(sandbox, api):
    sandbox.inject_fault("malformed_json", endpoint="sms/getSent")
    sandbox.inject_fault("malformed_envelope", endpoint="user")
    sandbox.inject_fault("expired_token", endpoint="url/create")
    assert api.call("GET", "sms/getSent").text == "<html>Internal error</html>"
    assert api.call("GET", "user").json() == {"result": "ok"}
    expired = api.call("GET", "url/create", params={"id": "1"})
    assert (expired.status_code, expired.json()) == (401, {"error": "invalid_token"})


def test_connection_faults_keep_the_sms(sandbox, api):
    sandbox.inject_fault("drop_connection", endpoint="sms/create")
    with pytest.raises(requests.ConnectionError):
        api.call("POST", "sms/create", body={**NUMBER, "message": "dropped"})
    sandbox.inject_fault("timeout", endpoint="sms/create", delay=0.5)
    with pytest.raises(requests.Timeout):
        requests.post(
            f"{api.base}sms/create",
            json={**NUMBER, "message": "late"},
            headers=api.session.headers,
            timeout=0.2,
        )
    assert [msg["message"] for msg in sandbox.messages()] == ["dropped", "late"]
    deadline = time.monotonic() + 2
    while sandbox.requests_log()[-1]["status"] != 200:  # the late answer still goes out; let it, before the next test
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_partial_batch_refuses_the_chosen_items(sandbox, api):
    sandbox.inject_fault("partial_batch", endpoint="sms/createBatch", indices=[1])
    batch = [{**NUMBER, "message": text} for text in ("a", "b", "c")]
    results = api.data("POST", "sms/createBatch", body={"batch": batch})
    assert [result["success"] for result in results] == [True, False, True]
    assert refusal_code(results[1]) == 905
    sandbox.inject_fault("partial_batch", endpoint="sms/createBatch", indices=[0], errorcode=902)
    assert refusal_code(api.data("POST", "sms/createBatch", body={"batch": batch[:1]})[0]) == 902
    assert [msg["message"] for msg in sandbox.messages()] == ["a", "c"]


def test_rate_limit_without_retry_after(sandbox, api):
    sandbox.inject_fault("rate_limit", endpoint="sms/create", retry_after_header=False)
    response = api.call("POST", "sms/create", body={**NUMBER, "message": "Hei"})
    assert response.status_code == 429
    assert "Retry-After" not in response.headers
    assert refusal_code(response.json()) == 905
    assert sandbox.messages() == []


@pytest.mark.parametrize("retry_after", ["1e12", "-5", "soon"])
def test_rate_limit_sends_any_retry_after_verbatim(sandbox, api, retry_after):
    sandbox.inject_fault("rate_limit", endpoint="sms/create", retry_after=retry_after)
    response = api.call("POST", "sms/create", body={**NUMBER, "message": "Hei"})
    assert (response.status_code, response.headers["Retry-After"]) == (429, retry_after)


def raw_answer(sandbox, api, body):
    """The bytes the sandbox sends back to a hand-written sms/create, until it closes the connection."""
    payload = json.dumps(body).encode()
    request = (
        f"POST /restv2/sms/create HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: {api.session.headers['Authorization']}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    ).encode()
    host, port = sandbox.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(request + payload)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    head, _sep, received = b"".join(chunks).partition(b"\r\n\r\n")
    headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n")[1:])
    return head.split(b"\r\n", 1)[0], headers, received


def test_truncated_answer_ends_before_its_announced_length(sandbox, api):
    sandbox.inject_fault("truncated_answer", endpoint="sms/create")
    status_line, headers, received = raw_answer(sandbox, api, {**NUMBER, "message": "cut"})
    assert status_line == b"HTTP/1.1 200 OK"
    assert 0 < len(received) < int(headers["Content-Length"])
    assert received.startswith(b'{"success": true'), "the start of the real answer"
    with pytest.raises(ValueError):
        json.loads(received)
    assert [msg["message"] for msg in sandbox.messages()] == ["cut"], "processed, then cut"
    sandbox.inject_fault("truncated_answer", endpoint="sms/create")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        api.call("POST", "sms/create", body={**NUMBER, "message": "cut again"})


def test_truncated_answer_with_an_honest_length_is_cut_json(sandbox, api):
    sandbox.inject_fault("truncated_answer", endpoint="sms/create", honest_length=True, keep=11)
    response = api.call("POST", "sms/create", body={**NUMBER, "message": "cut"})
    assert response.status_code == 200
    assert response.content == b'{"success":'
    with pytest.raises(ValueError):
        response.json()
    assert [msg["message"] for msg in sandbox.messages()] == ["cut"]


def test_stalled_url_times_out_connecting_and_receives_nothing(sandbox):
    url = sandbox.stalled_url()
    assert url == sandbox.stalled_url(), "one address per sandbox"
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ConnectTimeout):
        requests.post(f"{url}/oauth2/token", data={"grant_type": "client_credentials"}, timeout=(0.3, 5))
    assert time.monotonic() - started < 3
    assert sandbox.requests_log() == []


def test_faults_match_by_path_and_unknown_kinds_are_refused(sandbox, api):
    sandbox.inject_fault("http_503", endpoint="sms/getSent", count=2)
    assert api.call("GET", "user").status_code == 200
    assert [api.call("GET", "sms/getSent").status_code for _ in range(3)] == [503, 503, 200]
    sandbox.inject_fault("http_500")
    assert api.call("GET", "user").status_code == 500, "no endpoint: any route"
    sandbox.inject_fault("http_500", count=5)
    sandbox.clear_faults()
    assert api.call("GET", "user").status_code == 200
    with pytest.raises(ValueError):
        sandbox.inject_fault("list_fail")


def test_requests_log_records_method_endpoint_and_status(sandbox, api):
    api.call("GET", "user")
    api.call("POST", "user")
    assert [(entry["method"], entry["endpoint"], entry["status"]) for entry in sandbox.requests_log()] == [
        ("POST", "oauth2/token", 200),
        ("GET", "user", 200),
        ("POST", "user", 404),
    ]


# Control API and command line --------------------------------------------------------


def control(sandbox, action, **body):
    response = requests.post(f"{sandbox.url}/_sandbox/{action}", json=body, timeout=5)
    response.raise_for_status()
    return response.json()["data"]


def test_control_api_steers_the_sandbox(sandbox, api):
    inbound_id = control(sandbox, "inbound", countrycode="0047", phonenumber="41234567", message="Hei")
    assert inbound_id.isdigit()
    control(sandbox, "received_row", row={"message": "raw"})
    control(sandbox, "received_shape", shape="v4")
    assert [row.get("id") for row in api.data("GET", "sms/getReceived")] == [None, inbound_id]
    control(sandbox, "faults", kind="http_503", endpoint="user")
    assert [api.call("GET", "user").status_code for _ in range(2)] == [503, 200]
    control(sandbox, "credits", credits=3)
    control(sandbox, "sender_name", name="Butikk24")
    assert api.data("GET", "user")["centicredits"] == "300"
    due = datetime.now(OSLO) + timedelta(hours=1)
    sms_id = api.send(date=due.strftime("%Y-%m-%d"), time=due.strftime("%H-%M"))["id"]
    control(sandbox, "advance_clock", seconds=7200)
    control(sandbox, "deliver", ids=[sms_id])
    [message] = requests.get(f"{sandbox.url}/_sandbox/messages", timeout=5).json()
    assert (message["id"], message["sendt"], message["message"]) == (sms_id, 1, "Hei")
    assert requests.get(f"{sandbox.url}/_sandbox/requests", timeout=5).json()[-1]["method"] == "POST"
    control(sandbox, "reset")
    assert sandbox.messages() == [] and not sandbox.state.inbound
    bad = requests.post(f"{sandbox.url}/_sandbox/number_outcome", json={"outcome": "fail"}, timeout=5)
    assert bad.status_code == 400 and refusal_code(bad.json()) == 901
    assert requests.post(f"{sandbox.url}/_sandbox/nope", json={}, timeout=5).status_code == 404


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"batch"'])
def test_a_body_that_is_not_a_json_object_is_400(sandbox, api, body):
    response = api.session.post(
        f"{api.base}sms/createBatch", data=body, headers={"Content-Type": "application/json"}, timeout=5
    )
    assert response.status_code == 400
    assert refusal_code(response.json()) == 901


def test_command_line_starts_and_answers():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "intellipush_sandbox", "--port", str(port), "--timezone", "UTC"],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_sandbox/messages", timeout=1) as answer:
                    assert json.load(answer) == []
                break
            except OSError:
                assert time.monotonic() < deadline, "the sandbox did not start"
                time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(10)


def test_a_sandbox_started_again_hands_out_new_ids():
    # The demo restarted on its database: the ids it holds must not come back.
    from intellipush_sandbox.__main__ import first_id_from_clock

    first = Sandbox(port=0, first_id=first_id_from_clock(now=1_764_750_000.0)).start()
    try:
        assert first.state.next_id() == "1764750000000"
    finally:
        first.stop()
    assert first_id_from_clock() > 1_764_750_000_000
