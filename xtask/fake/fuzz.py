"""Drives schemathesis against the standalone fake, and checks the fake's control API.

Usage (run by `cargo xtask fake-check`, which starts the servers):
  fuzz.py fuzz BASE_URL DOCUMENT        every operation, a few examples each
  fuzz.py control BASE_URL APP_ID APP_SECRET   --scopes, credentials and /__fake/*
  fuzz.py events SERVER                 --push-url, --encrypt-key, --verification-token and
                                        POST /__fake/events, against an app served here

Standard library and the pinned schemathesis only."""

import hashlib
import http.server
import json
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path


def call(method, url, body=None, token=None):
    """(status, JSON body) of one request."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.loads(reply.read() or b"null")
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            return error.code, json.loads(text or b"null")
        except ValueError:  # a gateway page, as the 5xx faults answer
            return error.code, text.decode(errors="replace")


def tenant_token(base, app_id, app_secret):
    status, body = call("POST", f"{base}/open-apis/auth/v3/tenant_access_token/internal",
                        {"app_id": app_id, "app_secret": app_secret})
    assert status == 200 and body["code"] == 0, (status, body)
    return body["tenant_access_token"]


def schemathesis(base, document, token, operations, exclude, checks_off, label):
    """One bounded run; returns (generated, failures)."""
    command = [str(Path(sys.executable).parent / "schemathesis"), "run", str(Path(document).resolve()), "--url", base,
               "-H", f"Authorization: Bearer {token}",
               # A few examples per operation, positive and negative, reproducible.
               "--max-examples", "2", "--phases", "examples,fuzzing", "--generation-deterministic",
               "--no-shrink", "--workers", "2", "--request-timeout", "5",
               "--checks", "all", "--exclude-checks", ",".join(checks_off)]
    flag = "--exclude-operation-id" if exclude else "--include-operation-id"
    for op in operations:
        command += [flag, op]
    # Schemathesis keeps a cache in its working directory: keep it out of the checkout.
    work = Path(__file__).resolve().parents[2] / "target" / "tools" / "fake"
    work.mkdir(parents=True, exist_ok=True)
    run = subprocess.run(command, capture_output=True, text=True, cwd=work)
    out = run.stdout + run.stderr
    cases = re.search(r"(\d+) generated, (.*)", out)
    generated = int(cases.group(1)) if cases else 0
    failed = re.search(r"(\d+) found (\d+) unique failures", out)
    failures = int(failed.group(2)) if failed else 0
    tested = re.search(r"Tested: (\d+)", out)
    print(f"schemathesis, {label}: {tested.group(1) if tested else '?'} operations, "
          f"{generated} requests, {failures} failures", flush=True)
    if run.returncode != 0:
        print(out[-6000:], file=sys.stderr)
    return run.returncode


def fuzz(base, document):
    token = tenant_token(base, "cli_fake_app", "fake-secret")
    doc = json.loads(Path(document).read_text())
    multipart = sorted(op["operationId"] for item in doc["paths"].values() for op in item.values()
                       if "multipart/form-data" in op.get("requestBody", {}).get("content", {}))
    # The fake is stricter than the document on purpose, as the platform is: it refuses
    # enum values the catalogue does not list (the document allows them, because the SDK
    # reads them) and it answers an unknown method with 404, as the platform does.
    stricter = ["positive_data_acceptance", "unsupported_method"]
    code = schemathesis(base, document, token, multipart, True, stricter, "JSON and bodiless operations")
    # In a multipart body a file part is bytes: "a number where a file belongs" is not
    # a malformed request there, so negative data is not expected to be refused.
    code |= schemathesis(base, document, token, multipart, False, stricter + ["negative_data_rejection"],
                         "multipart uploads")
    return code


def control(base, app_id, app_secret):
    token = tenant_token(base, app_id, app_secret)
    status, body = call("GET", f"{base}/open-apis/im/v1/chats/oc_1", token=token)
    assert status == 400 and body["code"] == 99991672, (status, body)
    assert "im:chat:read" in body["msg"], body
    print(f"a call the grant does not cover: HTTP {status}, {json.dumps(body)}")
    status, body = call("POST", f"{base}/open-apis/im/v1/messages?receive_id_type=chat_id",
                        {"receive_id": "oc_1", "msg_type": "text", "content": "{\"text\":\"hi\"}"}, token)
    assert status == 400 and body["code"] == 232006, ("a chat nobody created", status, body)
    status, chat = call("POST", f"{base}/__fake/chats", {"name": "Check"})
    assert status == 200, (status, chat)
    status, body = call("POST", f"{base}/open-apis/im/v1/messages?receive_id_type=chat_id",
                        {"receive_id": chat["data"]["chat_id"], "msg_type": "text", "content": "{\"text\":\"hi\"}"},
                        token)
    assert status == 200 and body["data"]["message_id"].startswith("om_"), (status, body)
    status, listed = call("GET", f"{base}/__fake/requests")
    assert status == 200 and [r["path"] for r in listed][-3:] == ["/open-apis/im/v1/chats/oc_1",
                                                                  "/open-apis/im/v1/messages", "/open-apis/im/v1/messages"]
    assert listed[-1]["status"] == 200 and listed[-1]["code"] == 0 and listed[-3]["code"] == 99991672, listed
    assert app_secret not in json.dumps(listed) and token not in json.dumps(listed), "a secret in the record"
    status, _ = call("POST", f"{base}/__fake/faults",
                     {"fault": "status", "status": 503, "method": "GET", "path": "/open-apis/im/v1/chats/:chat_id"})
    assert status == 200
    assert call("GET", f"{base}/open-apis/im/v1/chats/oc_2", token=token)[0] == 503
    assert call("GET", f"{base}/open-apis/im/v1/chats/oc_2", token=token)[0] == 400, "the fault fired once"
    call("POST", f"{base}/__fake/faults", {"fault": "status", "status": 502})
    assert call("DELETE", f"{base}/__fake/faults")[0] == 200
    assert call("GET", f"{base}/open-apis/im/v1/chats/oc_2", token=token)[0] == 400, "faults cleared"
    status, body = call("POST", f"{base}/__fake/faults", {"fault": "nonsense"})
    assert status == 400 and body["error"]["field_violations"][0]["field"] == "fault", body
    print(f"control API: {len(listed)} requests listed without secrets; faults armed, fired once, cleared")
    return 0


KEY, TOKEN = "check-encrypt-key", "check-verification-token"


class App(http.server.BaseHTTPRequestHandler):
    """An app's event URL: checks each push's signature by the documented algorithm and
    answers 500 to the first push, as a broken app would, then 200."""
    pushes = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        stamp, nonce = self.headers["X-Lark-Request-Timestamp"], self.headers["X-Lark-Request-Nonce"]
        expected = hashlib.sha256((stamp + nonce + KEY).encode() + body).hexdigest()
        App.pushes.append({"signed": self.headers["X-Lark-Signature"] == expected,
                           "encrypted": list(json.loads(body)) == ["encrypt"]})
        status = 500 if len(App.pushes) == 1 else 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def events(server):
    app = http.server.ThreadingHTTPServer(("127.0.0.1", 0), App)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{app.server_address[1]}/events"
    fake = subprocess.Popen([server, "--port", "0", "--push-url", url, "--encrypt-key", KEY,
                             "--verification-token", TOKEN], stdout=subprocess.PIPE, text=True)
    try:
        base = re.search(r"LARK_BASE_URL=(\S+)", fake.stdout.readline()).group(1)
        event = {"message": {"chat_id": "oc_events", "message_type": "text", "content": "{\"text\":\"hi\"}"}}
        status, body = call("POST", f"{base}/__fake/events", {"event_type": "im.message.receive_v1", "event": event})
        assert status == 200 and body["data"]["delivered"], (status, body)
        attempts = body["data"]["attempts"]
        assert [a["outcome"] for a in attempts] == ["HTTP 500", "HTTP 200"], attempts
        assert attempts[1]["after_ms"] >= 15, "the first retry waits 15 ms (15 s compressed)"
        assert App.pushes == [{"signed": True, "encrypted": True}] * 2, App.pushes
        status, listed = call("GET", f"{base}/__fake/messages?chat_id=oc_events")
        assert status == 200 and [m["plain_text"] for m in listed["data"]["items"]] == ["hi"], listed
        status, body = call("POST", f"{base}/__fake/events", {"event_type": "im.message.nope", "event": {}})
        assert status == 400 and body["error"]["field_violations"][0]["field"] == "event_type", body
        print(f"events: pushed to {url}, encrypted and signed; attempts "
              f"{[(a['after_ms'], a['outcome']) for a in attempts]}; the message is remembered")
    finally:
        fake.kill()
        fake.wait()
        app.shutdown()
    return 0


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    sys.exit({"fuzz": fuzz, "control": control, "events": events}[mode](*args))
