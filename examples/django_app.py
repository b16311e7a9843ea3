"""Django callback endpoints with mmsdr, in one file: ``python examples/django_app.py runserver``.

One endpoint per callback kind (``endpoints.py``): ``/mxtelecom/sms-report``, ``/mxtelecom/sms-inbound``, ...,
``/mm7``, ``/openmarket``.
"""

from __future__ import annotations

import functools
import os
import sys

import endpoints
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
    # The networks MX Telecom's callbacks may come from (MMSDR_TRUSTED_NETWORKS, comma-separated, when set).
    MMSDR_MXTELECOM_NETWORKS=endpoints.MXTELECOM_NETWORKS,
)
received: list[mmsdr.Event] = []  # stands in for your queue or database
# Drops the provider's retries; a MemoryStore (this process only), a RedisStore for several workers.
deduplicator = mmsdr.dedupe.Deduplicator()


@functools.cache
def parser_for(formats: str, mxtelecom_networks: tuple[str, ...]) -> mmsdr.Parser:
    # Built once per endpoint and setting, not per request; each provider's checks are in endpoints.py.
    return endpoints.parser(formats, mxtelecom_networks=mxtelecom_networks)


@csrf_exempt  # providers post without a CSRF token; the source check stands in for it
@require_http_methods(["GET", "POST"])
def endpoint(request: HttpRequest, formats: str) -> HttpResponse:
    parser = parser_for(formats, tuple(settings.MMSDR_MXTELECOM_NETWORKS))
    try:
        # request.META is the WSGI environ; the adapter reads the body within parser.limits
        # (request.body would stop at DATA_UPLOAD_MAX_MEMORY_SIZE with Django's own 400).
        callback = mmsdr.wsgi.request_from_environ(request.META, limits=parser.limits).parse(parser)
    except mmsdr.MmsdrError as error:
        return ack_response(error.ack)  # the rejection this provider understands
    try:
        for event in callback.events:
            with deduplicator.processing(event) as first:  # final once stored; a failure releases it
                if first:
                    received.append(event)  # store it first: an exception here is a 500 and the provider retries
    except mmsdr.dedupe.DedupeStoreError:  # the store is down, or another delivery holds the lease
        return ack_response(mmsdr.acknowledge(callback, retry=True))  # "send it again later"
    return ack_response(mmsdr.acknowledge(callback))


def ack_response(ack: mmsdr.Ack) -> HttpResponse:
    response = HttpResponse(ack.body, status=ack.status)
    del response["Content-Type"]  # send exactly the ack's headers: no default text/html
    for name, value in ack.headers:
        response[name] = value
    return response


# One URL per callback kind, each with its own formats (endpoints.py).
urlpatterns = [path(url.lstrip("/"), endpoint, {"formats": formats}) for url, formats in endpoints.ENDPOINTS.items()]
application = get_wsgi_application()  # for any WSGI server; sets Django up

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
