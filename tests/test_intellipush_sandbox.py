"""The sandbox itself: its control API, garbage handling and command line."""

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parent.parent


def control(sandbox, action, **body):
    response = requests.post(f"{sandbox.url}/_sandbox/{action}", json=body, timeout=5)
    response.raise_for_status()
    return response.json()["data"]


def token(sandbox):
    from conftest import API_ID, API_SECRET  # noqa: PLC0415

    response = requests.post(
        f"{sandbox.url}/oauth2/token", data={"grant_type": "client_credentials"}, auth=(API_ID, API_SECRET), timeout=5
    )
    return response.json()["access_token"]


def test_control_api_steers_the_sandbox(sandbox):
    inbound_id = control(sandbox, "inbound", countrycode="0047", phonenumber="41234567", message="Hei")
    assert inbound_id.startswith("in-")
    control(sandbox, "faults", kind="http_503", endpoint="user")
    headers = {"Authorization": f"Bearer {token(sandbox)}"}
    assert requests.post(f"{sandbox.url}/restv2/user", json={}, headers=headers, timeout=5).status_code == 503
    assert requests.post(f"{sandbox.url}/restv2/user", json={}, headers=headers, timeout=5).status_code == 200
    assert requests.get(f"{sandbox.url}/_sandbox/messages", timeout=5).json() == []
    control(sandbox, "reset")
    assert not sandbox.state.inbound


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"batch": "nope"}', b'{"batch": []}'])
def test_garbage_gets_a_clean_400(sandbox, body):
    response = requests.post(
        f"{sandbox.url}/restv2/sms/createBatch",
        data=body,
        headers={"Authorization": f"Bearer {token(sandbox)}", "Content-Type": "application/json"},
        timeout=5,
    )
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_unknown_token_is_refused(sandbox):
    response = requests.post(f"{sandbox.url}/restv2/user", json={}, headers={"Authorization": "Bearer nope"}, timeout=5)
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_token"}


def test_auto_delivery(sandbox):
    sandbox.state.auto_deliver_after = 0
    headers = {"Authorization": f"Bearer {token(sandbox)}"}
    created = requests.post(
        f"{sandbox.url}/restv2/sms/create",
        json={"countrycode": "0047", "phonenumber": "41234567", "message": "Hei"},
        headers=headers,
        timeout=5,
    ).json()["data"]
    status = requests.post(
        f"{sandbox.url}/restv2/sms/status", json={"ids": [created["id"]]}, headers=headers, timeout=5
    )
    assert status.json()["data"][0]["sendt"] == 1
    sandbox.state.auto_deliver_after = None


def test_command_line_starts_and_answers():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "intellipush_sandbox", "--port", str(port)],
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
