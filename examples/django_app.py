"""Django callback endpoints with mmsdr, in one file: ``python examples/django_app.py runserver``.

One endpoint per callback kind (``endpoints.py``): ``/mxtelecom/sms-report``, ``/mxtelecom/sms-inbound``, ...,
``/mm7``, ``/openmarket``, ``/twilio``, ``/sinch``, ``/bandwidth``, ``/telnyx``, ``/vonage/sms-receipt``, ...
"""

from __future__ import annotations

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
    # Every endpoint's parser by its path, built once: MX Telecom's networks (MMSDR_TRUSTED_NETWORKS), the MM7,
    # OpenMarket and Bandwidth credentials (MMSDR_MM7_CREDENTIALS, MMSDR_OPENMARKET_CREDENTIALS,
    # MMSDR_BANDWIDTH_CREDENTIALS), the Twilio and Sinch secrets (MMSDR_TWILIO_AUTH_TOKENS, MMSDR_SINCH_SECRETS)
    # Telnyx's public keys (MMSDR_TELNYX_PUBLIC_KEYS) and Vonage's signature secret (MMSDR_VONAGE_SIGNATURE_SECRETS,
    # MMSDR_VONAGE_SIGNATURE_METHOD) from the environment.
    MMSDR_PARSERS=endpoints.parsers(),
    MMSDR_PUBLIC_URL=endpoints.PUBLIC_URL,  # the base of the URLs the providers call: Twilio signs them
)
received: list[mmsdr.Event] = []  # stands in for your queue or database
# Drops the provider's retries; a MemoryStore (this process only), a RedisStore for several workers.
deduplicator = mmsdr.dedupe.Deduplicator()


@csrf_exempt  # providers post without a CSRF token; each endpoint's check of its provider stands in for it
@require_http_methods(["GET", "POST"])
def endpoint(request: HttpRequest, url: str) -> HttpResponse:
    parser: mmsdr.Parser = settings.MMSDR_PARSERS[url]  # this URL's formats, its provider's check (endpoints.py)
    try:
        # request.META is the WSGI environ; the adapter reads the body within parser.limits
        # (request.body would stop at DATA_UPLOAD_MAX_MEMORY_SIZE with Django's own 400).
        received_request = mmsdr.wsgi.request_from_environ(
            request.META, limits=parser.limits, public_url=settings.MMSDR_PUBLIC_URL
        )
        callback = received_request.parse(parser)
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


# One URL per callback kind, each with its own parser (endpoints.py).
urlpatterns = [path(url.lstrip("/"), endpoint, {"url": url}) for url in endpoints.ENDPOINTS]
application = get_wsgi_application()  # for any WSGI server; sets Django up

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
