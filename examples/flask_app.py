"""Flask callback endpoints with mmsdr: ``flask --app examples/flask_app run``.

One endpoint per callback kind (``endpoints.py``): ``/mxtelecom/sms-report``, ``/mxtelecom/sms-inbound``, ...,
``/mm7``, ``/openmarket``, ``/twilio``, ``/sinch``, ``/bandwidth``, ``/telnyx``, ``/vonage/sms-receipt``, ...
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

import endpoints
from flask import Flask, Response, request

import mmsdr
import mmsdr.dedupe
import mmsdr.wsgi

received: list[mmsdr.Event] = []  # stands in for your queue or database


def create_app(
    *,
    parsers: Mapping[str, mmsdr.Parser] | None = None,
    public_url: str | None = endpoints.PUBLIC_URL,
    on_event: Callable[[mmsdr.Event], object] = received.append,
    deduplicator: mmsdr.dedupe.Deduplicator | None = None,
) -> Flask:
    app = Flask(__name__)
    # Drops the provider's retries; a MemoryStore (this process only) by default, a RedisStore for several.
    dedupe = deduplicator or mmsdr.dedupe.Deduplicator()

    def endpoint(parser: mmsdr.Parser) -> Response:
        try:
            # The adapter reads the body within parser.limits (Flask's get_data() would read it all); public_url
            # gives the parser the URL the provider called, which Twilio's signature covers.
            received_request = mmsdr.wsgi.request_from_environ(
                request.environ, limits=parser.limits, public_url=public_url
            )
            callback = received_request.parse(parser)
        except mmsdr.MmsdrError as error:
            return ack_response(error.ack)  # the rejection this provider understands
        try:
            for event in callback.events:
                with dedupe.processing(event) as first:  # final once on_event returns; a failure releases it
                    if first:
                        on_event(event)  # store it first: an exception here is a 500 and the provider retries
        except mmsdr.dedupe.DedupeStoreError:  # the store is down, or another delivery holds the lease
            return ack_response(mmsdr.acknowledge(callback, retry=True))  # "send it again later"
        return ack_response(mmsdr.acknowledge(callback))

    # One URL per callback kind, each with its own parser: its formats, its provider's check (endpoints.py);
    # every one built from the environment unless given.
    configured = endpoints.parsers() if parsers is None else parsers
    for path, parser in configured.items():
        app.add_url_rule(path, path, functools.partial(endpoint, parser), methods=["GET", "POST"])
    return app


def ack_response(ack: mmsdr.Ack) -> Response:
    response = Response(ack.body, status=ack.status, headers=list(ack.headers))
    if not any(name.lower() == "content-type" for name, _ in ack.headers):
        del response.headers["Content-Type"]  # send exactly the ack: no default text/html
    return response


app = create_app()
