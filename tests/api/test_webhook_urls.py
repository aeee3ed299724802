"""Webhooks go only to an https URL of a public address (http and loopback outside
production), checked when the URL is saved and again when it is sent, against the address
connected to. Nothing here connects anywhere but 127.0.0.1: names resolve where the test
says."""

import datetime
import socket
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.exceptions import ValidationError
from django.utils import timezone

from api.models import ApiClient, DeliveryStatus, WebhookDelivery
from api.webhook_urls import validate_webhook_url
from tests.api.test_admin import CLIENTS, admin_client  # noqa: F401 (a fixture)
from tests.api.test_webhooks import Receiver
from tests.conftest import run_tasks
from tests.disputes.builders import decided_dispute as rejected_dispute

pytestmark = pytest.mark.django_db

REFUSED_EVERYWHERE = [
    ("ftp://hooks.example/", "scheme"),
    ("file:///etc/passwd", "scheme"),
    ("https://10.0.0.1/", "private"),
    ("https://192.168.1.20:8443/hooks", "private"),
    ("https://169.254.169.254/latest/meta-data/", "link_local"),
    ("https://[fe80::1]/", "link_local"),
    ("https://[fd00:ec2::254]/", "private"),
    ("https://224.0.0.1/", "multicast"),
    ("https://0.0.0.0/", "unspecified"),
    ("https://100.64.0.1/", "not_global"),
    ("https://[::ffff:10.0.0.1]/", "private"),  # IPv4-mapped
    ("https://[::ffff:169.254.169.254]/", "link_local"),
    ("https://[2002:a00:1::]/", "private"),  # 6to4 of 10.0.0.1
    ("https://[64:ff9b::a9fe:a9fe]/", "link_local"),  # NAT64 of 169.254.169.254
]
REFUSED_IN_PRODUCTION = [
    ("http://hooks.example/", "scheme"),
    ("http://127.0.0.1:5432/", "scheme"),
    ("https://127.0.0.1:5432/", "loopback"),
    ("https://[::1]:6379/", "loopback"),
    ("https://[::ffff:127.0.0.1]/", "loopback"),
    ("https://localhost/", "loopback"),
    ("https://api.localhost./", "loopback"),
]
ALLOWED_IN_PRODUCTION = [
    "https://hooks.example/x",
    "https://hooks.example:8443/x?client=1",
    "https://8.8.8.8/",
    "https://[2606:4700::1111]/",
    "https://[::ffff:8.8.8.8]/",
]
ALLOWED_IN_DEVELOPMENT = ["http://127.0.0.1:9/hooks", "http://[::1]:6379/", "http://localhost/"]


def refusal_code(url):
    try:
        validate_webhook_url(url)
    except ValidationError as error:
        return error.code
    return None


@pytest.fixture
def production(settings):
    settings.PRODUCTION = True


@pytest.mark.parametrize(("url", "code"), REFUSED_EVERYWHERE + REFUSED_IN_PRODUCTION)
def test_production_refuses_with_the_rule_broken(production, url, code):
    assert refusal_code(url) == code


@pytest.mark.parametrize("url", ALLOWED_IN_PRODUCTION)
def test_production_allows_https_to_a_public_address(production, url):
    assert refusal_code(url) is None


@pytest.mark.parametrize(("url", "code"), REFUSED_EVERYWHERE)
def test_development_refuses_inside_addresses_too(url, code):
    assert refusal_code(url) == code


@pytest.mark.parametrize("url", ALLOWED_IN_DEVELOPMENT + ALLOWED_IN_PRODUCTION)
def test_development_allows_http_and_loopback(url):
    assert refusal_code(url) is None


def test_the_admin_refuses_an_inside_url_naming_the_rule(admin_client, production):  # noqa: F811
    for url, message in [
        (
            "https://169.254.169.254/latest/meta-data/",
            "169.254.169.254 is a link-local address",
        ),
        ("http://10.0.0.1/", "must begin with https://"),
        ("ftp://hooks.example/", "must begin with https://"),
    ]:
        response = admin_client.post(f"{CLIENTS}add/", {"name": "Inside", "webhook_url": url})
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not ApiClient.objects.exists()


@pytest.fixture
def no_connections(monkeypatch):
    """Any connection attempt fails the test."""

    def connect(sock, address):
        raise AssertionError(f"connected to {address}")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect)


def resolving(monkeypatch, name, *addresses):
    """``name`` resolves to ``addresses`` (any other name to nothing); returns the list of
    names looked up."""
    looked_up = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host != name:
            return real(host, port, *args, **kwargs) if host in addresses else []
        looked_up.append(host)
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return looked_up


@pytest.mark.parametrize(
    ("addresses", "named"),
    [
        (["10.0.0.1"], "10.0.0.1 is a private address"),
        (["169.254.169.254"], "169.254.169.254 is a link-local address"),
        (["93.184.215.14", "10.0.0.1"], "10.0.0.1 is a private address"),
        (["::ffff:10.0.0.1"], "(10.0.0.1) is a private address"),
    ],
)
def test_a_name_resolving_inside_is_not_sent_and_is_retried(
    marketplace, buyer, monkeypatch, no_connections, production, addresses, named
):
    """The URL passed when saved; at send time the name resolves inside: nothing is
    connected, the attempt fails naming the address, and it is retried like any failure
    (the name may be put right, or staff change the URL: the next attempt uses it)."""
    marketplace.webhook_url = "https://hooks.example/x"
    marketplace.save()
    resolving(monkeypatch, "hooks.example", *addresses)
    rejected_dispute(buyer)
    run_tasks()
    delivery = WebhookDelivery.objects.get()
    attempt = delivery.attempt_log.get()
    assert attempt.status_code is None
    assert attempt.error.startswith("Not sent: Webhooks are only sent to public addresses:")
    assert named in attempt.error
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at > timezone.now()


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1:9/", "file:///etc/passwd", "http://10.0.0.1/", "http://[::1]:9/"]
)
def test_a_url_saved_before_the_rules_is_not_opened(
    marketplace, buyer, no_connections, production, url
):
    marketplace.webhook_url = url  # as an older version let staff save it
    marketplace.save()
    rejected_dispute(buyer)
    run_tasks()
    attempt = WebhookDelivery.objects.get().attempt_log.get()
    assert attempt.error.startswith("Not sent: ")


def test_the_name_is_resolved_once_and_its_checked_address_connected_to(
    marketplace, buyer, monkeypatch
):
    """Outside production a name may resolve to 127.0.0.1: the POST goes to the address
    the check saw, with the URL's name in ``Host``, after one lookup."""
    with Receiver([200]) as receiver:
        marketplace.webhook_url = f"http://hooks.example:{receiver.port}/hooks"
        marketplace.save()
        looked_up = resolving(monkeypatch, "hooks.example", "127.0.0.1")
        rejected_dispute(buyer)
        run_tasks()
        [(headers, _body)] = receiver.requests
    assert headers["Host"] == f"hooks.example:{receiver.port}"
    assert looked_up == ["hooks.example"]
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


def certificate_for(name, directory):
    """A self-signed certificate for ``name``: (server context, the certificate's file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file


def test_https_to_the_checked_address_verifies_the_certificate_for_the_name(
    marketplace, buyer, monkeypatch, tmp_path
):
    """Connected to the checked address, TLS still asks for the URL's name (SNI) and checks
    the certificate against it."""
    context, cert_file = certificate_for("hooks.example", tmp_path)
    asked_for = []
    context.sni_callback = lambda sock, name, ctx: asked_for.append(name)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # trusted, for this test only
    with Receiver([200], tls=context) as receiver:
        marketplace.webhook_url = f"https://hooks.example:{receiver.port}/hooks"
        marketplace.save()
        resolving(monkeypatch, "hooks.example", "127.0.0.1")
        rejected_dispute(buyer)
        run_tasks()
        assert len(receiver.requests) == 1
    assert asked_for == ["hooks.example"]
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED
