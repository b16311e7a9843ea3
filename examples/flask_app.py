"""A Flask callback endpoint with mmsdr: ``flask --app examples/flask_app run``."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from flask import Flask, Response, request

import mmsdr
import mmsdr.dedupe
import mmsdr.wsgi

# Comma-separated networks the callbacks may come from; MX Telecom's published ranges when unset.
TRUSTED_NETWORKS = os.environ.get("MMSDR_TRUSTED_NETWORKS", ",".join(map(str, mmsdr.mxtelecom.TRUSTED_NETWORKS)))
received: list[mmsdr.Event] = []  # stands in for your queue or database


def create_app(
    *,
    trusted_networks: Iterable[str] = TRUSTED_NETWORKS.split(","),
    on_event: Callable[[mmsdr.Event], object] = received.append,
    deduplicator: mmsdr.dedupe.Deduplicator | None = None,
) -> Flask:
    app = Flask(__name__)
    parser = mmsdr.Parser(trusted_networks=trusted_networks)  # once: checks the source, detects the format
    # Drops the provider's retries; a MemoryStore (this process only) by default, a RedisStore for several.
    dedupe = deduplicator or mmsdr.dedupe.Deduplicator()

    @app.route("/callbacks", methods=["GET", "POST"])
    def endpoint() -> Response:
        try:
            # The adapter reads the body within parser.limits (Flask's get_data() would read it all).
            callback = mmsdr.wsgi.request_from_environ(request.environ, limits=parser.limits).parse(parser)
        except mmsdr.MmsdrError as error:
            return ack_response(error.ack)  # the rejection this provider understands
        try:
            for event in callback.events:
                with dedupe.processing(event) as first:
                    if first:
                        on_event(event)  # store it first: an exception here is a 500 and the provider retries
        except mmsdr.dedupe.DedupeStoreError:
            return ack_response(mmsdr.acknowledge(callback, retry=True))  # store down: "send it again later"
        return ack_response(mmsdr.acknowledge(callback))

    return app


def ack_response(ack: mmsdr.Ack) -> Response:
    response = Response(ack.body, status=ack.status, headers=list(ack.headers))
    if not any(name.lower() == "content-type" for name, _ in ack.headers):
        del response.headers["Content-Type"]  # send exactly the ack: no default text/html
    return response


app = create_app()
