#!/usr/bin/env python3
"""Opens a report.html in headless Chromium and checks it as a reader would.

    browser_check.py CHROMIUM REPORT.html [--expect-text TEXT]...
                     [--expect-id ID TEXT]... [--screenshot OUT.png]

Drives Chromium over the Chrome DevTools Protocol with the standard library
only (a minimal WebSocket client), so the test needs no npm or pip package.
Fails (exit 1) when:
  - an image did not load (naturalWidth 0), or there is none;
  - a script ran: any <script> element, a JavaScript dialog (alert), an
    exception, or a console/log message at level error (a blocked resource
    or a Content-Security-Policy violation shows up there);
  - an --expect-text string is not in the page's visible text, or the
    element with id ID does not show exactly TEXT (--expect-id);
  - at a 1366 x 900 window the page scrolls sideways, or the headline
    (#released) is not on the first screen.
Exit 77 (CTest's skip code) when CHROMIUM is not there at all.
"""
import base64
import json
import os
import pathlib
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

SKIP = 77
TIMEOUT_S = 60


class WebSocket:
    """Just enough RFC 6455 for the DevTools protocol: text frames, client
    frames masked, server frames possibly fragmented."""

    def __init__(self, host, port, path):
        self.sock = socket.create_connection((host, port), timeout=TIMEOUT_S)
        key = base64.b64encode(os.urandom(16)).decode()
        req = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(req.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("DevTools closed the connection during the handshake")
            head += chunk
        status = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status:
            raise RuntimeError(f"WebSocket handshake refused: {status!r}")
        self.buf = head.split(b"\r\n\r\n", 1)[1]

    def send(self, text):
        data = text.encode()
        hdr = bytearray([0x81])  # FIN + text
        n = len(data)
        if n < 126:
            hdr.append(0x80 | n)
        elif n < 65536:
            hdr.append(0x80 | 126)
            hdr += struct.pack(">H", n)
        else:
            hdr.append(0x80 | 127)
            hdr += struct.pack(">Q", n)
        mask = os.urandom(4)
        hdr += mask
        self.sock.sendall(bytes(hdr) + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise RuntimeError("DevTools closed the connection")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            payload = self._read(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if opcode == 0x8:
                raise RuntimeError("DevTools closed the WebSocket")
            if opcode in (0x9, 0xA):  # ping/pong: not used by DevTools
                continue
            message += payload
            if b0 & 0x80:
                return message.decode()


class DevTools:
    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.events = []

    def _send(self, method, params, session):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        return self.next_id

    def _receive(self):
        msg = json.loads(self.ws.recv())
        if msg.get("method") == "Page.javascriptDialogOpening":
            # a script opened alert() & co.: recorded as a failure, and
            # dismissed so that the page goes on loading
            self._send("Page.handleJavaScriptDialog", {"accept": False}, msg.get("sessionId"))
        return msg

    def call(self, method, params=None, session=None):
        want = self._send(method, params, session)
        while True:
            reply = self._receive()
            if reply.get("id") == want:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method, deadline):
        while time.time() < deadline:
            for i, ev in enumerate(self.events):
                if ev.get("method") == method:
                    return self.events.pop(i)
            reply = self._receive()
            if "method" in reply:
                self.events.append(reply)
        raise RuntimeError(f"timed out waiting for {method}")


def stop(proc, dt):
    """Closes Chromium politely (it then removes its own files), else kills
    its whole process group."""
    if dt is not None:
        try:
            dt.ws.send(json.dumps({"id": 999999, "method": "Browser.close"}))
            proc.wait(timeout=10)
        except (OSError, RuntimeError, subprocess.TimeoutExpired):
            pass
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    chromium, report = args[0], os.path.abspath(args[1])
    expect, expect_id, shot = [], [], None
    rest = args[2:]
    while rest:
        if rest[0] == "--expect-id" and len(rest) > 2:
            expect_id.append((rest[1], rest[2]))
            rest = rest[1:]
        elif rest[0] == "--expect-text" and len(rest) > 1:
            expect.append(rest[1])
        elif rest[0] == "--screenshot" and len(rest) > 1:
            shot = rest[1]
        else:
            print(f"unknown argument {rest[0]!r}", file=sys.stderr)
            return 2
        rest = rest[2:]
    exe = chromium if os.path.sep in chromium else shutil.which(chromium)
    if not exe or not os.access(exe, os.X_OK):
        print(f"SKIP: {chromium} not found", file=sys.stderr)
        return SKIP
    if not os.path.isfile(report):
        print(f"FAIL: no {report}", file=sys.stderr)
        return 1

    profile = tempfile.mkdtemp(prefix="bf-chromium-")
    # TMPDIR inside the profile: Chromium's own temporary directories go
    # where the profile is removed; a session of its own: its helper
    # processes can be stopped together
    proc = subprocess.Popen(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-default-apps", "--mute-audio", f"--user-data-dir={profile}",
         "--remote-debugging-port=0", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        env=dict(os.environ, TMPDIR=profile))
    dt = None
    try:
        # port 0: Chromium picks a free port and writes it to DevToolsActivePort
        active = os.path.join(profile, "DevToolsActivePort")
        deadline = time.time() + TIMEOUT_S
        while not (os.path.exists(active) and len(open(active).read().split("\n")) >= 2):
            if proc.poll() is not None or time.time() > deadline:
                print("FAIL: Chromium did not start its DevTools endpoint", file=sys.stderr)
                return 1
            time.sleep(0.1)
        port, path = open(active).read().split("\n")[:2]
        dt = DevTools(WebSocket("127.0.0.1", int(port), path))
        target = dt.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = dt.call("Target.attachToTarget",
                          {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            dt.call(f"{domain}.enable", session=session)
        # a laptop's window: what a manager opens the report in
        dt.call("Emulation.setDeviceMetricsOverride",
                {"width": 1366, "height": 900, "deviceScaleFactor": 1, "mobile": False},
                session=session)
        dt.events.clear()
        dt.call("Page.navigate", {"url": pathlib.Path(report).as_uri()}, session=session)
        dt.wait_for("Page.loadEventFired", time.time() + TIMEOUT_S)
        check = ("JSON.stringify({images: Array.from(document.images).map("
                 "i => ({ok: i.complete && i.naturalWidth > 0, w: i.naturalWidth, alt: i.alt})),"
                 " scripts: document.scripts.length, text: document.body.innerText,"
                 " title: document.title, lang: document.documentElement.lang,"
                 " scroll_w: document.documentElement.scrollWidth, inner_w: window.innerWidth,"
                 " ids: Object.fromEntries(" + json.dumps([i for i, _ in expect_id]) +
                 ".map(i => [i, document.getElementById(i) ? document.getElementById(i).innerText"
                 " : null])),"
                 " headline_bottom: document.getElementById('released') ?"
                 " document.getElementById('released').getBoundingClientRect().bottom : null})")
        res = dt.call("Runtime.evaluate", {"expression": check, "returnByValue": True},
                      session=session)
        page = json.loads(res["result"]["value"])
        if shot:
            png = dt.call("Page.captureScreenshot",
                          {"format": "png", "captureBeyondViewport": True}, session=session)
            with open(shot, "wb") as f:
                f.write(base64.b64decode(png["data"]))
        # collect what arrived meanwhile
        dt.call("Runtime.evaluate", {"expression": "0"}, session=session)
    finally:
        stop(proc, dt)
        shutil.rmtree(profile, ignore_errors=True)

    problems = []
    for ev in dt.events:
        m, p = ev.get("method"), ev.get("params", {})
        if m == "Runtime.exceptionThrown":
            problems.append(f"exception: {p.get('exceptionDetails', {}).get('text')}")
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            problems.append(f"console.{p.get('type')}: {p.get('args')}")
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            problems.append(f"log error: {p['entry'].get('text')} ({p['entry'].get('url')})")
        elif m == "Page.javascriptDialogOpening":
            problems.append(f"a script opened a dialog: {p.get('message')!r}")
    if not page["images"]:
        problems.append("no images in the report")
    for img in page["images"]:
        if not img["ok"]:
            problems.append(f"image did not load: {img['alt']!r} (naturalWidth {img['w']})")
    if page["scripts"]:
        problems.append(f"{page['scripts']} <script> element(s) in the page")
    for text in expect:
        if text not in page["text"]:
            problems.append(f"text not shown: {text!r}")
    for i, text in expect_id:
        got = page["ids"].get(i)
        if got is None:
            problems.append(f"no element #{i}")
        elif got.strip() != text:
            problems.append(f"#{i} shows {got.strip()!r}, expected {text!r}")
    if page["scroll_w"] > page["inner_w"]:
        problems.append(f"the page scrolls sideways at 1366 px: {page['scroll_w']} px wide")
    if page["headline_bottom"] is not None and page["headline_bottom"] > 900:
        problems.append(f"the headline ends {page['headline_bottom']:.0f} px down: "
                        "not on the first screen")
    for p in problems:
        print("FAIL:", p, file=sys.stderr)
    if problems:
        return 1
    print(f"ok: {report}: {len(page['images'])} images loaded, no script, no error; "
          f"title {page['title']!r}, lang {page['lang']!r}, {page['scroll_w']} px wide")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, RuntimeError, ValueError, KeyError) as e:
        print(f"FAIL: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
