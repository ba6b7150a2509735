#!/usr/bin/python3
"""An HTTP/2 client built on python-hyper h2 (sans-IO), for the Http2Lab interop tests.

usage: h2_client.py MODE HOST PORT TLS(0|1)
  MODE basic      GET /, then POST /echo with a body larger than the RFC default window
  MODE malformed  a request with an uppercase header name (must be RST_STREAM PROTOCOL_ERROR),
                  then GET / on the same connection

Prints one JSON object on stdout. Every socket wait is bounded (socket timeout, overall deadline).
"""
import hashlib
import json
import socket
import ssl
import sys
import time

import h2.config
import h2.connection
import h2.events

DEADLINE_SECONDS = 20


def connect(host, port, tls):
    sock = socket.create_connection((host, port), timeout=10)
    alpn = None
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the server's development certificate is self-signed
        context.set_alpn_protocols(["h2"])
        sock = context.wrap_socket(sock, server_hostname="localhost")
        alpn = sock.selected_alpn_protocol()
    return sock, alpn


class Client:
    def __init__(self, sock, config):
        self.sock = sock
        self.conn = h2.connection.H2Connection(config=config)
        self.conn.initiate_connection()
        self.flush()
        self.streams = {}
        self.pending = {}  # stream id -> body octets still to send
        self.terminated = None
        self.events = []

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def request(self, headers, body=None):
        stream_id = self.conn.get_next_available_stream_id()
        self.conn.send_headers(stream_id, headers, end_stream=body is None)
        self.streams[stream_id] = {"stream_id": stream_id, "status": None, "headers": {}, "body": bytearray(),
                                   "ended": False, "reset": None}
        if body is not None:
            self.pending[stream_id] = memoryview(body)
        self.send_pending()
        self.flush()
        return stream_id

    def send_pending(self):
        # Send request bodies as far as the server's flow-control windows allow.
        for stream_id in list(self.pending):
            rest = self.pending[stream_id]
            while len(rest) > 0:
                window = min(self.conn.local_flow_control_window(stream_id), self.conn.max_outbound_frame_size)
                if window <= 0:
                    break
                chunk = rest[:window]
                self.conn.send_data(stream_id, chunk.tobytes())
                rest = rest[len(chunk):]
            if len(rest) == 0:
                self.conn.end_stream(stream_id)
                del self.pending[stream_id]
            else:
                self.pending[stream_id] = rest

    def done(self, stream_ids):
        return all(self.streams[s]["ended"] or self.streams[s]["reset"] is not None for s in stream_ids)

    def run_until_done(self, stream_ids):
        deadline = time.monotonic() + DEADLINE_SECONDS
        while not self.done(stream_ids) and self.terminated is None:
            if time.monotonic() > deadline:
                raise TimeoutError("streams %s not finished within %d s" % (stream_ids, DEADLINE_SECONDS))
            data = self.sock.recv(65536)
            if not data:
                self.terminated = {"error_code": None, "reason": "connection closed by server"}
                break
            for event in self.conn.receive_data(data):
                self.on_event(event)
            self.send_pending()
            self.flush()

    def on_event(self, event):
        self.events.append(type(event).__name__)
        if isinstance(event, h2.events.ResponseReceived):
            stream = self.streams[event.stream_id]
            for name, value in event.headers:
                name = name.decode() if isinstance(name, bytes) else name
                value = value.decode() if isinstance(value, bytes) else value
                if name == ":status":
                    stream["status"] = int(value)
                else:
                    stream["headers"][name] = value
        elif isinstance(event, h2.events.DataReceived):
            self.streams[event.stream_id]["body"].extend(event.data)
            self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            self.streams[event.stream_id]["ended"] = True
        elif isinstance(event, h2.events.StreamReset):
            if event.stream_id in self.streams:
                self.streams[event.stream_id]["reset"] = int(event.error_code)
            self.pending.pop(event.stream_id, None)
        elif isinstance(event, h2.events.ConnectionTerminated):
            self.terminated = {"error_code": int(event.error_code), "last_stream_id": event.last_stream_id,
                               "reason": (event.additional_data or b"").decode("ascii", "replace")}

    def result(self, stream_id):
        stream = self.streams[stream_id]
        body = bytes(stream["body"])
        return {"stream_id": stream_id, "status": stream["status"], "headers": stream["headers"],
                "ended": stream["ended"], "reset": stream["reset"], "body_length": len(body),
                "body_sha256": hashlib.sha256(body).hexdigest(),
                "body_text": body.decode("utf-8", "replace") if len(body) <= 4096 else None}


def base_headers(method, path, authority, scheme):
    return [(":method", method), (":path", path), (":scheme", scheme), (":authority", authority)]


def main():
    mode, host, port, tls = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
    scheme = "https" if tls else "http"
    authority = "%s:%d" % (host, port)
    sock, alpn = connect(host, port, tls)
    output = {"alpn": alpn}
    try:
        if mode == "basic":
            client = Client(sock, h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
            get = client.request(base_headers("GET", "/", authority, scheme))
            client.run_until_done([get])
            # 200 000 octets: more than the RFC default window, so WINDOW_UPDATEs must flow both ways.
            body = bytes((i * 7 + 3) % 251 for i in range(200000))
            post = client.request(base_headers("POST", "/echo", authority, scheme)
                                  + [("content-type", "application/x-python-h2")], body)
            client.run_until_done([post])
            output.update(get=client.result(get), post=client.result(post),
                          post_sent_sha256=hashlib.sha256(body).hexdigest(), post_sent_length=len(body),
                          terminated=client.terminated)
        elif mode == "malformed":
            # Send exactly what we say: no lowercasing, no validation on our side.
            config = h2.config.H2Configuration(client_side=True, header_encoding="utf-8",
                                               validate_outbound_headers=False, normalize_outbound_headers=False)
            client = Client(sock, config)
            bad = client.request(base_headers("GET", "/headers", authority, scheme) + [("X-Upper-Case", "1")])
            client.run_until_done([bad])
            good = client.request(base_headers("GET", "/", authority, scheme)) if client.terminated is None else None
            if good is not None:
                client.run_until_done([good])
            output.update(bad=client.result(bad), good=client.result(good) if good is not None else None,
                          terminated=client.terminated)
        else:
            raise ValueError("unknown mode " + mode)
    finally:
        sock.close()
    print(json.dumps(output))


if __name__ == "__main__":
    main()
