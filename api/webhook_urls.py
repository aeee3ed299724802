"""Where a webhook may go (PRODUCT.md §10): an ``https`` URL of a public address, checked
when staff save it and again when it is sent, against the address actually connected to.

Outside production (``settings.PRODUCTION`` false) plain ``http`` and loopback addresses
are allowed too, for local development and the tests' receivers on 127.0.0.1. Private,
link-local (a cloud's metadata service), multicast, reserved and unspecified addresses are
refused everywhere, also when written inside an IPv6 address (IPv4-mapped, 6to4, NAT64).
"""

import ipaddress
import socket
from collections.abc import Mapping
from urllib.parse import SplitResult, urlsplit

import urllib3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

# Checked in this order, so an address is named by its most telling kind (127.0.0.1 and
# 169.254.169.254 are private too, but "loopback" and "link-local" say more).
ADDRESS_RULES = (
    ("unspecified", lambda ip: ip.is_unspecified, _("an unspecified address")),
    ("loopback", lambda ip: ip.is_loopback, _("a loopback address")),
    (
        "link_local",
        lambda ip: ip.is_link_local,
        _("a link-local address (where a cloud's metadata service answers)"),
    ),
    ("multicast", lambda ip: ip.is_multicast, _("a multicast address")),
    ("private", lambda ip: ip.is_private, _("a private address")),
    ("reserved", lambda ip: ip.is_reserved, _("a reserved address")),
    ("not_global", lambda ip: not ip.is_global, _("not a public address")),
)


def _allows_development() -> bool:
    return not settings.PRODUCTION


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if any: it decides where it goes."""
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def check_address(ip: IPAddress) -> None:
    """Raise ``ValidationError`` (its code the rule broken) unless webhooks may go to ``ip``;
    an IPv6 address standing for an IPv4 one is judged by that one, where it goes."""
    embedded = _embedded_ipv4(ip)
    for code, applies, kind in ADDRESS_RULES:
        if applies(embedded or ip):
            if code == "loopback" and _allows_development():
                return
            named = f"{ip} ({embedded})" if embedded else ip
            raise _refused(named, code=code, kind=kind)


def _refused(address: object, *, code: str, kind: object) -> ValidationError:
    return ValidationError(
        _("Webhooks are only sent to public addresses: %(address)s is %(kind)s."),
        code=code,
        params={"address": address, "kind": kind},
    )


def _parts(url: str) -> SplitResult:
    """The URL's parts, once its scheme and host pass the rules that need no lookup."""
    parts = urlsplit(url)
    allowed = ("https", "http") if _allows_development() else ("https",)
    if parts.scheme not in allowed:
        raise ValidationError(
            _("A webhook URL must begin with https:// (or http:// outside production).")
            if _allows_development()
            else _("A webhook URL must begin with https://."),
            code="scheme",
        )
    host = parts.hostname
    if not host:
        raise ValidationError(_("A webhook URL needs a host name."), code="host")
    name = host.rstrip(".")
    if not _allows_development() and (name == "localhost" or name.endswith(".localhost")):
        raise _refused(host, code="loopback", kind=_("a loopback address"))
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return parts
    check_address(literal)
    return parts


def validate_webhook_url(url: str) -> None:
    """The rules that need no lookup, for the admin's form: the scheme, and an address
    written in the URL. A name is checked when it is sent, where it resolves then."""
    _parts(url)


def resolve(host: str, port: int) -> IPAddress:
    """The address to connect to for ``host``: every address it resolves to must pass
    (a name may answer with several); the first is used."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise ValidationError(
            _("%(host)s could not be resolved: %(error)s"),
            code="dns",
            params={"host": host, "error": error},
        ) from error
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    for address in addresses:
        check_address(address)
    if not addresses:
        raise ValidationError(_("%(host)s has no address."), code="dns", params={"host": host})
    return addresses[0]


def post(url: str, *, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
    """POST ``body`` to ``url`` once, connected to the address just checked (TLS still
    verifies the certificate for the URL's name), and return the status without reading
    the answer. Raises ``ValidationError`` for a refused URL or address, and urllib3's
    errors or ``OSError`` when the connection fails. Redirects are not followed."""
    parts = _parts(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = str(resolve(host, port))
    pool: urllib3.HTTPConnectionPool
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address, port, server_hostname=host, timeout=timeout, retries=False, maxsize=1
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False, maxsize=1)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    with pool:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers={**headers, "Host": parts.netloc.rpartition("@")[2]},
            redirect=False,
            retries=False,
            preload_content=False,
        )
        response.release_conn()
        return response.status
