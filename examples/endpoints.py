"""The examples' endpoints: one URL per callback kind, each with its own parser, shared by every example app.

MX Telecom sends each kind of callback to its own URL (you set one for SMS reports, one for inbound SMS, and so
on), so each of its endpoints reads only its own format: an inbound SMS whose text is ``REPORT 17218733
DELIVERED`` sent to the report URL is refused, never stored as a report. An MMSC posts every MM7 operation to
the one VASP URL, and OpenMarket posts its inbound MMS and its delivery reports to the same URL: one endpoint
each, for all of that provider's formats. The paths are the ``mmsdr.testing`` builders' defaults, so that
``mmsdr sample FORMAT | mmsdr send - http://HOST:PORT`` reaches the right endpoint.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import mmsdr

# Comma-separated networks MX Telecom's callbacks may come from; its published ranges when unset.
MXTELECOM_NETWORKS = os.environ.get(
    "MMSDR_TRUSTED_NETWORKS", ",".join(map(str, mmsdr.mxtelecom.TRUSTED_NETWORKS))
).split(",")

#: Each endpoint's path and the formats it accepts.
ENDPOINTS = {
    "/mxtelecom/sms-report": "mxtelecom.sms_report",
    "/mxtelecom/sms-inbound": "mxtelecom.sms_inbound",
    "/mxtelecom/mms-report": "mxtelecom.mms_report",  # delivery and read reports alike
    "/mxtelecom/mms-inbound": "mxtelecom.mms_inbound",
    "/mxtelecom/unsubscribe": "mxtelecom.unsubscribe",
    "/mxtelecom/renewal": "mxtelecom.renewal",
    "/mm7": "mm7",  # DeliveryReportReq, DeliverReq and ReadReplyReq
    "/openmarket": "openmarket",  # inbound MMS and delivery reports
}


def parser(formats: str, *, mxtelecom_networks: Iterable[str], limits: mmsdr.Limits | None = None) -> mmsdr.Parser:
    """The parser of one endpoint, built once at start-up: each provider's checks are added here."""
    provider = formats.partition(".")[0]
    if provider == "mxtelecom":
        # MX Telecom signs nothing: its source address is the only proof a callback is its own.
        return mmsdr.Parser(formats=formats, limits=limits, trusted_networks=mxtelecom_networks)
    if provider == "mm7":
        return mmsdr.Parser(formats=formats, limits=limits)
    return mmsdr.Parser(formats=formats, limits=limits)  # OpenMarket


def parsers(
    *, mxtelecom_networks: Iterable[str] = MXTELECOM_NETWORKS, limits: mmsdr.Limits | None = None
) -> dict[str, mmsdr.Parser]:
    """Every endpoint's parser by its path."""
    networks = list(mxtelecom_networks)
    return {path: parser(formats, mxtelecom_networks=networks, limits=limits) for path, formats in ENDPOINTS.items()}
