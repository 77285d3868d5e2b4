"""A POST that sends its body while it reads the answer.

The server answers a training set while it is still reading the spine. A client that
sends the whole body before reading (urllib does) stalls once the answer fills the
socket buffers: the server waits for it to read, it waits for the server to read.
Here a thread sends the body while the caller reads the response.
"""

from __future__ import annotations

import contextlib
import http.client
import threading
import urllib.parse
from typing import Dict, Iterator, List

CHUNK = 1 << 20


@contextlib.contextmanager
def duplex_post(url: str, body: bytes, headers: Dict[str, str], timeout: float) -> Iterator[http.client.HTTPResponse]:
    """The response, open for reading, to a POST of ``body`` sent meanwhile; whatever
    the status (the caller reads refusals from it)."""
    parts = urllib.parse.urlsplit(url)
    conn_type = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_type(parts.hostname, parts.port, timeout=timeout)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        conn.putrequest("POST", path, skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.putheader("content-length", str(len(body)))
        conn.endheaders()
        failed: List[BaseException] = []

        def send() -> None:
            view = memoryview(body)
            try:
                for at in range(0, len(view), CHUNK):
                    conn.sock.sendall(view[at : at + CHUNK])
            except OSError as err:  # a refusal closes the connection before the body is read
                failed.append(err)

        sender = threading.Thread(target=send, name="tidemark-spine", daemon=True)
        sender.start()
        res = conn.getresponse()
        try:
            yield res
        finally:
            sender.join(timeout)
        if failed and res.status < 400:
            raise failed[0]
    finally:
        conn.close()
