"""A Django callback endpoint with mmsdr, in one file: ``python examples/django_app.py runserver``."""

from __future__ import annotations

import functools
import os
import sys

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

import mmsdr
import mmsdr.dedupe
import mmsdr.wsgi

settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "only-for-this-example"),
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    # Comma-separated networks the callbacks may come from; MX Telecom's published ranges when unset.
    MMSDR_TRUSTED_NETWORKS=os.environ.get(
        "MMSDR_TRUSTED_NETWORKS", ",".join(map(str, mmsdr.mxtelecom.TRUSTED_NETWORKS))
    ).split(","),
)
received: list[mmsdr.Event] = []  # stands in for your queue or database
# Drops the provider's retries; a MemoryStore (this process only), a RedisStore for several workers.
deduplicator = mmsdr.dedupe.Deduplicator()


@functools.cache
def parser_for(trusted_networks: tuple[str, ...]) -> mmsdr.Parser:
    return mmsdr.Parser(trusted_networks=trusted_networks)  # built once per setting, not per request


@csrf_exempt  # providers post without a CSRF token; the source check stands in for it
@require_http_methods(["GET", "POST"])
def endpoint(request: HttpRequest) -> HttpResponse:
    parser = parser_for(tuple(settings.MMSDR_TRUSTED_NETWORKS))
    try:
        # request.META is the WSGI environ; the adapter reads the body within parser.limits
        # (request.body would stop at DATA_UPLOAD_MAX_MEMORY_SIZE with Django's own 400).
        callback = mmsdr.wsgi.request_from_environ(request.META, limits=parser.limits).parse(parser)
    except mmsdr.MmsdrError as error:
        return ack_response(error.ack)  # the rejection this provider understands
    try:
        for event in callback.events:
            with deduplicator.processing(event) as first:
                if first:
                    received.append(event)  # store it first: an exception here is a 500 and the provider retries
    except mmsdr.dedupe.DedupeStoreError:
        return ack_response(mmsdr.acknowledge(callback, retry=True))  # store down: "send it again later"
    return ack_response(mmsdr.acknowledge(callback))


def ack_response(ack: mmsdr.Ack) -> HttpResponse:
    response = HttpResponse(ack.body, status=ack.status)
    del response["Content-Type"]  # send exactly the ack's headers: no default text/html
    for name, value in ack.headers:
        response[name] = value
    return response


urlpatterns = [path("callbacks", endpoint)]
application = get_wsgi_application()  # for any WSGI server; sets Django up

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
