"""The sandbox refuses what the real service would not take (CONTRACT.md §1.6, §2, §8).

Every route of CONTRACT §8 is called with a hand-built valid request, and every
wrong method, wrong parameter name or wrong type we can think of is refused with
the contract's envelope and numeric errorcode, storing nothing.
"""

import re
from pathlib import Path

import pytest
import requests
from conftest import API_ID, API_SECRET

from intellipush_sandbox.server import ROUTES

CONTRACT = Path(__file__).resolve().parent.parent / "intellipush_sandbox" / "CONTRACT.md"
NUMBER = {"countrycode": "0047", "phonenumber": "41234567"}
TARGET = {"contact_id": 0, "email": "", **NUMBER}
TWOFACTOR = {**NUMBER, "message_pre_code": "Kode: ", "message_post_code": ""}


@pytest.fixture
def call(sandbox):
    token = requests.post(
        f"{sandbox.url}/oauth2/token", data={"grant_type": "client_credentials"}, auth=(API_ID, API_SECRET), timeout=5
    ).json()["access_token"]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"

    def request(method, endpoint, params=None, body=None):
        return session.request(method, f"{sandbox.url}/restv2/{endpoint}", params=params, json=body, timeout=5)

    return request


def contract_routes():
    """The (method, path) rows of CONTRACT §8's table."""
    section = CONTRACT.read_text().split("## §8", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| [\d.]+ \| (GET|POST|PUT|DELETE) \| `([^`]+)` \|", section, re.MULTILINE))


def test_the_routes_are_contract_section_8():
    assert contract_routes() - {("POST", "oauth2/token")} == set(ROUTES)


def test_every_contract_route_answers(sandbox, call):
    """One valid hand-built request per §8 route, each answered with the success envelope."""
    sandbox.add_inbound("0047", "41234567", "Hei")
    sms_id = call("POST", "sms/create", body={**NUMBER, "message": "Hei"}).json()["data"]["id"]
    planned_id = call(
        "POST", "sms/create", body={**NUMBER, "message": "Later", "date": "2999-01-01", "time": "08-00"}
    ).json()["data"]["id"]
    url_id = call("POST", "url/generate", params={"url": "https://example.com/"}).json()["data"]["id"]
    valid = {
        ("GET", "user"): {},
        ("POST", "sms/create"): {"body": {**NUMBER, "message": "Hei"}},
        ("POST", "sms/createBatch"): {"body": {"batch": [{**NUMBER, "message": "Hei"}]}},
        ("POST", "sms/status"): {"body": {"id_array": [sms_id]}},
        ("GET", "sms/getSent"): {"params": {"items": 50, "page": 1}},
        ("GET", "sms/getUnsent"): {"params": {"items": 50, "page": 1}},
        ("GET", "sms/getPlanned"): {"params": {"id": planned_id}},
        ("DELETE", "sms/delete"): {"params": {"id": planned_id}},
        ("GET", "sms/getReceived"): {"params": {"items": 50, "page": 1, "keyword": "hei"}},
        ("POST", "url/generate"): {"params": {"url": "https://example.com/a"}},
        ("POST", "url/generateChild"): {"body": {"id": url_id, "target": TARGET}},
        ("GET", "url/create"): {"params": {"id": url_id}},
        ("POST", "twofactor/generate"): {"body": TWOFACTOR},
        ("POST", "twofactor/validate"): {"body": {**NUMBER, "code": "123456"}},
    }
    assert set(valid) == set(ROUTES)
    for (method, endpoint), request in valid.items():
        response = call(method, endpoint, **request)
        assert response.status_code == 200, (method, endpoint)
        assert response.json()["success"] is True, (method, endpoint, response.json())


def assert_refused(response, http_status, errorcode):
    assert response.status_code == http_status, response.text
    envelope = response.json()
    assert set(envelope) == {"success", "data", "errorcode", "status_message"}
    assert (envelope["success"], envelope["data"]) == (False, None)
    assert type(envelope["errorcode"]) is int and envelope["errorcode"] == errorcode
    assert envelope["status_message"]


WRONG_METHODS = [
    ("POST", "user"),
    ("GET", "sms/create"),
    ("GET", "sms/createBatch"),
    ("GET", "sms/status"),
    ("POST", "sms/getSent"),
    ("POST", "sms/getUnsent"),
    ("POST", "sms/getPlanned"),
    ("POST", "sms/delete"),
    ("GET", "sms/delete"),
    ("POST", "sms/getReceived"),
    ("GET", "url/generate"),
    ("GET", "url/generateChild"),
    ("POST", "url/create"),
    ("GET", "twofactor/generate"),
    ("GET", "twofactor/validate"),
    ("PUT", "sms/update"),
    ("GET", "url/get"),
    ("POST", "url/getUrlDetailsById"),
    ("GET", "sms/get"),
    ("GET", "nope"),
]


@pytest.mark.parametrize(("method", "endpoint"), WRONG_METHODS, ids=[" ".join(pair) for pair in WRONG_METHODS])
def test_a_wrong_method_or_route_is_404(sandbox, call, method, endpoint):
    assert_refused(call(method, endpoint, params={"id": "1"}, body={"id": "1"}), 404, 404)


SMS = {**NUMBER, "message": "Hei"}
WRONG_PARAMETERS = {
    # sms/create (CONTRACT §4.1)
    "create without message": ("POST", "sms/create", None, {**NUMBER}, 901),
    "create with text instead of message": ("POST", "sms/create", None, {**NUMBER, "text": "Hei"}, 901),
    "create without phonenumber": ("POST", "sms/create", None, {"countrycode": "0047", "message": "Hei"}, 901),
    "create with a numeric phonenumber": ("POST", "sms/create", None, {**SMS, "phonenumber": 41234567}, 901),
    "create with a numeric countrycode": ("POST", "sms/create", None, {**SMS, "countrycode": 47}, 901),
    "create in the query string": ("POST", "sms/create", SMS, None, 901),
    "create with empty text": ("POST", "sms/create", None, {**SMS, "message": ""}, 904),
    "create with a bad number": ("POST", "sms/create", None, {**SMS, "phonenumber": "4123-4567"}, 902),
    "create with a bad countrycode": ("POST", "sms/create", None, {**SMS, "countrycode": "+47"}, 902),
    "create with date only": ("POST", "sms/create", None, {**SMS, "date": "2999-01-01"}, 901),
    "create with time only": ("POST", "sms/create", None, {**SMS, "time": "08-00"}, 901),
    "create with a colon time": ("POST", "sms/create", None, {**SMS, "date": "2999-01-01", "time": "08:00"}, 901),
    "create with a Norwegian date": ("POST", "sms/create", None, {**SMS, "date": "01.01.2999", "time": "08-00"}, 901),
    "create with month 13": ("POST", "sms/create", None, {**SMS, "date": "2999-13-01", "time": "08-00"}, 901),
    "create with hour 25": ("POST", "sms/create", None, {**SMS, "date": "2999-01-01", "time": "25-00"}, 901),
    "create with a null date": ("POST", "sms/create", None, {**SMS, "date": None, "time": None}, 901),
    # sms/createBatch (CONTRACT §4.2)
    "batch named messages": ("POST", "sms/createBatch", None, {"messages": [SMS]}, 901),
    "batch empty": ("POST", "sms/createBatch", None, {"batch": []}, 901),
    "batch an object": ("POST", "sms/createBatch", None, {"batch": SMS}, 901),
    "batch in the query string": ("POST", "sms/createBatch", {"batch": "x"}, None, 901),
    # sms/status (CONTRACT §4.3)
    "status with ids": ("POST", "sms/status", None, {"ids": ["1"]}, 901),
    "status with id": ("POST", "sms/status", None, {"id": "1"}, 901),
    "status with a string id_array": ("POST", "sms/status", None, {"id_array": "1"}, 901),
    "status with object ids": ("POST", "sms/status", None, {"id_array": [{"id": "1"}]}, 901),
    "status in the query string": ("POST", "sms/status", {"id_array": "1"}, None, 901),
    # getSent, getUnsent, getReceived paging (CONTRACT §4.4, §5)
    "getSent with items abc": ("GET", "sms/getSent", {"items": "abc"}, None, 901),
    "getSent with items 0": ("GET", "sms/getSent", {"items": "0"}, None, 901),
    "getSent with items 501": ("GET", "sms/getSent", {"items": "501"}, None, 901),
    "getSent with page 0": ("GET", "sms/getSent", {"page": "0"}, None, 901),
    "getUnsent with items -1": ("GET", "sms/getUnsent", {"items": "-1"}, None, 901),
    "getUnsent with page 1.5": ("GET", "sms/getUnsent", {"page": "1.5"}, None, 901),
    "getReceived with items x": ("GET", "sms/getReceived", {"items": "x"}, None, 901),
    # getPlanned, delete: the id travels in the query string (CONTRACT §4.4, §4.5)
    "getPlanned without id": ("GET", "sms/getPlanned", None, None, 901),
    "getPlanned with id in the body": ("GET", "sms/getPlanned", None, {"id": "1"}, 901),
    "getPlanned with sms_id": ("GET", "sms/getPlanned", {"sms_id": "1"}, None, 901),
    "delete without id": ("DELETE", "sms/delete", None, None, 901),
    "delete with id in the body": ("DELETE", "sms/delete", None, {"id": "1"}, 901),
    # url/generate: the URL travels in the query string (CONTRACT §6.1)
    "generate with url in the body": ("POST", "url/generate", None, {"url": "https://example.com/"}, 901),
    "generate with long_url": ("POST", "url/generate", {"long_url": "https://example.com/"}, None, 901),
    "generate with no scheme": ("POST", "url/generate", {"url": "example.com/a"}, None, 901),
    "generate with empty url": ("POST", "url/generate", {"url": ""}, None, 901),
    # url/generateChild (CONTRACT §6.2)
    "child with parent_url_id": ("POST", "url/generateChild", None, {"parent_url_id": "1", "target": TARGET}, 901),
    "child without target": ("POST", "url/generateChild", None, {"id": "1"}, 901),
    "child with a string target": ("POST", "url/generateChild", None, {"id": "1", "target": "41234567"}, 901),
    "child with flat target fields": ("POST", "url/generateChild", None, {"id": "1", **TARGET}, 901),
    "child without contact_id": (
        "POST",
        "url/generateChild",
        None,
        {"id": "1", "target": {"email": "", **NUMBER}},
        901,
    ),
    "child with a string contact_id": (
        "POST",
        "url/generateChild",
        None,
        {"id": "1", "target": {**TARGET, "contact_id": "0"}},
        901,
    ),
    "child without email": ("POST", "url/generateChild", None, {"id": "1", "target": {"contact_id": 0, **NUMBER}}, 901),
    "child with a null email": (
        "POST",
        "url/generateChild",
        None,
        {"id": "1", "target": {**TARGET, "email": None}},
        901,
    ),
    "child without phonenumber": (
        "POST",
        "url/generateChild",
        None,
        {"id": "1", "target": {"contact_id": 0, "email": "", "countrycode": "0047"}},
        901,
    ),
    "child with a boolean id": ("POST", "url/generateChild", None, {"id": True, "target": TARGET}, 901),
    # url/create: the details call (CONTRACT §6.3)
    "details without id": ("GET", "url/create", None, None, 901),
    "details with url_id": ("GET", "url/create", {"url_id": "1"}, None, 901),
    # twofactor (CONTRACT §7)
    "twofactor with message_p1 and message_p2": (
        "POST",
        "twofactor/generate",
        None,
        {**NUMBER, "message_p1": "Kode: ", "message_p2": ""},
        901,
    ),
    "twofactor without post text": ("POST", "twofactor/generate", None, {**NUMBER, "message_pre_code": "Kode: "}, 901),
    "twofactor without number": (
        "POST",
        "twofactor/generate",
        None,
        {"message_pre_code": "", "message_post_code": ""},
        901,
    ),
    "validate without code": ("POST", "twofactor/validate", None, {**NUMBER}, 901),
    "validate with a numeric code": ("POST", "twofactor/validate", None, {**NUMBER, "code": 123456}, 901),
    "validate in the query string": ("POST", "twofactor/validate", {**NUMBER, "code": "123456"}, None, 901),
}


@pytest.mark.parametrize(
    ("method", "endpoint", "params", "body", "errorcode"), WRONG_PARAMETERS.values(), ids=WRONG_PARAMETERS.keys()
)
def test_a_wrong_parameter_is_refused(sandbox, call, method, endpoint, params, body, errorcode):
    assert_refused(call(method, endpoint, params=params, body=body), 200, errorcode)
    assert sandbox.messages() == [], "nothing is stored"
    assert not sandbox.state.urls


def test_unknown_extra_fields_are_ignored(sandbox, call):
    body = {**SMS, "sender": "Butikk24", "contactId": "7", "contactlistId": "9", "flash": True}
    assert call("POST", "sms/create", body=body).json()["success"] is True
    assert "sender" not in sandbox.messages()[0]
    url = call("POST", "url/generate", params={"url": "https://example.com/", "domain": "x"}, body={"url": "ignored"})
    assert url.json()["data"]["long_url"] == "https://example.com/"
