"""A test client that serves the app in the test's own event loop.

Litestar's `AsyncTestClient` runs the app in a thread of its own with an event loop of its
own (a "blocking portal"), and every request crosses to it and back: a thread hand-off, a
wake-up of each loop and a second pool of connections per client. The app is asyncio all the
way down, so the tests serve it where they run: each request is a task of the test's loop
(a task of its own, so that the app's context variables never leak into the test), and the
client's lifespan (startup and shutdown hooks) runs in that loop too. Everything else
(cookies, headers, redirects) is the Litestar client's own; the app's exceptions always
reach the test.
"""

from __future__ import annotations

import asyncio
from io import BytesIO
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from httpx import ByteStream, Request, Response
from litestar.testing import AsyncTestClient
from litestar.testing.transport import SendReceiveContext, TestClientTransport
from litestar.types import ASGIApp

if TYPE_CHECKING:
    from typing import Self

T = TypeVar("T", bound=ASGIApp)


class InLoopTransport(TestClientTransport[Any]):
    """Litestar's test transport, awaiting the app in the running loop (HTTP only)."""

    async def handle_async_request(self, request: Request) -> Response:
        scope = self.parse_request(request=request)
        if scope["type"] == "websocket":  # pragma: no cover - the app has no websockets
            return self.handle_request(request=request)
        scope.update(
            method=request.method, http_version="1.1", extensions={"http.response.template": {}}
        )
        raw_kwargs: dict[str, Any] = {"stream": BytesIO()}
        context: SendReceiveContext = {
            "response_complete": asyncio.Event(),  # type: ignore[typeddict-item]
            "request_complete": False,
            "raw_kwargs": raw_kwargs,
            "response_started": False,
            "template": None,
            "context": None,
        }
        app = self.client.app
        receive = self.create_receive(request=request, context=context)
        send = self.create_send(request=request, context=context)
        # An exception the app raises reaches the test (the tests never turn that off).
        await asyncio.get_running_loop().create_task(app(scope, receive, send))
        if not context["response_started"]:  # pragma: no cover - the app always answers
            raise AssertionError("The app sent no response.")
        stream = ByteStream(raw_kwargs.pop("stream").getvalue())
        response = Response(**raw_kwargs, stream=stream, request=request)
        response.template = context["template"]  # type: ignore[attr-defined]
        response.context = context["context"]  # type: ignore[attr-defined]
        return response


class InLoopClient(AsyncTestClient[T], Generic[T]):
    """`AsyncTestClient` with the app served in the running loop (see the module)."""

    def __init__(self, app: T, base_url: str = "http://testserver.local", **options: Any):
        if options.get("raise_server_exceptions") is False:
            raise TypeError("InLoopClient always raises the app's exceptions")
        super().__init__(app, base_url=base_url, **options)
        # httpx expects its own transport type; Litestar's client passes its transport alike.
        self._transport = InLoopTransport(  # type: ignore[assignment]
            client=self, root_path=options.get("root_path", "")
        )
        self._lifespan: asyncio.Task[None] | None = None
        self._messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._started: asyncio.Future[None]

    async def __aenter__(self) -> Self:
        # The ASGI lifespan protocol, in a task of its own: pytest-asyncio tears a fixture
        # down in another task than the one that set it up, and the app's event emitter (an
        # anyio task group) must be left in the task that entered it.
        self._messages = asyncio.Queue()
        self._messages.put_nowait({"type": "lifespan.startup"})
        self._started = asyncio.get_running_loop().create_future()
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        self._lifespan = asyncio.create_task(
            self.app(scope, self._messages.get, self._lifespan_send)
        )
        await asyncio.wait({self._started, self._lifespan}, return_when=asyncio.FIRST_COMPLETED)
        if not self._started.done():
            self._lifespan.result()  # the startup's exception
            raise RuntimeError("The app's lifespan ended before it started.")
        return self

    async def _lifespan_send(self, message: Any) -> None:
        if message["type"] == "lifespan.startup.complete":
            self._started.set_result(None)

    async def __aexit__(self, *args: Any) -> None:
        if self._lifespan is not None:
            task, self._lifespan = self._lifespan, None
            self._messages.put_nowait({"type": "lifespan.shutdown"})
            await task  # the shutdown's exception, if any
