"""Network delay for the mini-internet: a proxy in front of one authoritative
server that holds every reply for a fixed time, so a resolver sees the round
trip of a distant server (bench/cold_bench). Loopback only.

The server (NSD) listens at `backend` (its address, another port); the proxy
listens on `address` port 53, UDP and TCP, forwards each query at once and hands
the reply back `delay_ms` later. Over UDP each query gets its own upstream
socket, so replies cannot be mixed up between clients whatever their IDs;
over TCP every chunk the server sends is held for the delay, and so is the
connection's set-up (the handshake's round trip). The proxy runs an asyncio
loop on a thread of its own; stop() ends it and closes every socket.
"""

from __future__ import annotations

import asyncio
import threading


class _UdpUpstream(asyncio.DatagramProtocol):
    """One query's socket towards the server; the reply goes back after the delay."""

    def __init__(self, proxy: "DelayProxy", client: tuple) -> None:
        self.proxy = proxy
        self.client = client
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        self.proxy.later(lambda: self.proxy.reply_udp(data, self.client))
        self.transport.close()

    def error_received(self, exc) -> None:
        self.transport.close()


class _UdpListener(asyncio.DatagramProtocol):
    def __init__(self, proxy: "DelayProxy") -> None:
        self.proxy = proxy

    def datagram_received(self, data: bytes, addr) -> None:
        self.proxy.forward_udp(data, addr)


class DelayProxy:
    def __init__(self, address: str, backend: tuple[str, int], delay_ms: float,
                 port: int = 53) -> None:
        self.address = address
        self.backend = backend
        self.delay = delay_ms / 1000.0
        self.port = port
        self.loop = asyncio.new_event_loop()
        self.thread: threading.Thread | None = None
        self.udp: asyncio.DatagramTransport | None = None
        self.tcp: asyncio.base_events.Server | None = None
        self.upstream: set[asyncio.BaseTransport] = set()

    def start(self) -> None:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            try:
                self.loop.run_until_complete(self._listen())
            except BaseException as exc:        # reported to start()'s caller
                failure.append(exc)
                ready.set()
                return
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, name=f"delay-{self.address}", daemon=True)
        self.thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]

    def stop(self) -> None:
        if self.thread is None:
            return

        async def close() -> None:
            if self.udp:
                self.udp.close()
            if self.tcp:
                self.tcp.close()
            for transport in list(self.upstream):
                transport.close()
            tasks = [t for t in asyncio.all_tasks(self.loop) if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self.loop.stop()

        self.loop.call_soon_threadsafe(lambda: self.loop.create_task(close()))
        self.thread.join(10)
        self.thread = None
        self.loop.close()

    async def _listen(self) -> None:
        self.udp, _ = await self.loop.create_datagram_endpoint(
            lambda: _UdpListener(self), local_addr=(self.address, self.port))
        self.tcp = await asyncio.start_server(self._tcp_client, self.address, self.port)

    def later(self, action) -> None:
        self.loop.call_later(self.delay, action)

    def forward_udp(self, data: bytes, client: tuple) -> None:
        async def send() -> None:
            transport, _ = await self.loop.create_datagram_endpoint(
                lambda: _UdpUpstream(self, client), local_addr=(self.address, 0),
                remote_addr=self.backend)
            self.upstream.add(transport)
            transport.sendto(data)
            # A query the server never answers must not keep its socket.
            self.loop.call_later(10, lambda: (transport.close(), self.upstream.discard(transport)))

        self.loop.create_task(send())

    def reply_udp(self, data: bytes, client: tuple) -> None:
        if self.udp and not self.udp.is_closing():
            self.udp.sendto(data, client)

    async def _tcp_client(self, client_reader: asyncio.StreamReader,
                          client_writer: asyncio.StreamWriter) -> None:
        try:
            await asyncio.sleep(self.delay)     # the handshake's round trip
            server_reader, server_writer = await asyncio.open_connection(
                *self.backend, local_addr=(self.address, 0))
        except OSError:
            client_writer.close()
            return
        self.upstream.add(server_writer.transport)
        self.upstream.add(client_writer.transport)

        async def to_server() -> None:
            while data := await client_reader.read(65536):
                server_writer.write(data)
            server_writer.close()

        async def to_client() -> None:
            while data := await server_reader.read(65536):
                self.later(lambda data=data: None if client_writer.is_closing()
                           else client_writer.write(data))
            self.later(client_writer.close)

        try:
            await asyncio.gather(to_server(), to_client())
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            self.upstream.discard(server_writer.transport)
            self.upstream.discard(client_writer.transport)
