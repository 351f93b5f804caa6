"""A lean HTTP/1.1 client for the load benchmark: one keep-alive connection, POST, JSON.

Why not httpx: the load generator runs on the same two cores as the server it measures, so every
millisecond it spends is taken from the server. ``httpx.AsyncClient`` spent ~1.7 ms of CPU per
request here (measured: 8.8 s for 5,200 requests); this client, which sends the same requests over
the same kind of connection (HTTP/1.1, kept alive, JSON bodies) and reads whole answers, spends a
fraction of that (``bench/load/run.py`` prints the generator's CPU with every run).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any


class HTTPError(Exception):
    """The connection failed or the answer was not HTTP (the request is counted as an error)."""


class Connection:
    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post_json(self, path: str, payload: Any, headers: dict[str, str] | None = None
                        ) -> tuple[int, bytes]:
        """POST ``payload`` as JSON; returns the status and the body. Raises ``TimeoutError`` after
        ``timeout`` seconds and ``HTTPError`` for a broken connection (closed either way)."""
        body = json.dumps(payload).encode()
        head = [f"POST {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Content-Type: application/json",
                "Accept: application/json", f"Content-Length: {len(body)}"]
        head += [f"{name}: {value}" for name, value in (headers or {}).items()]
        request = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        try:
            return await asyncio.wait_for(self._exchange(request), self.timeout)
        except (OSError, asyncio.IncompleteReadError, ValueError) as e:
            await self.close()
            raise HTTPError(f"{type(e).__name__}: {e}") from e
        except TimeoutError:
            await self.close()
            raise

    async def _exchange(self, request: bytes) -> tuple[int, bytes]:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        self._writer.write(request)
        status_line = await self._reader.readuntil(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        length, chunked, close = None, False, False
        while (line := await self._reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                chunked = "chunked" in value
            elif name == "connection":
                close = value == "close"
        if chunked:  # schule answers GraphQL with a Content-Length; anything else is a finding
            raise ValueError("chunked answer: not expected from /graphql")
        if length is not None:
            body = await self._reader.readexactly(length)
        else:  # no length: the body ends with the connection
            body, close = await self._reader.read(), True
        if close:
            await self.close()
        return status, body

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
