"""CPython 3 TLS peers and the test PKI they use, generated fresh for each pytest session.

``TlsPeers()`` writes a small PKI into a temporary directory (nothing is committed: keys are
made at session start) and starts TLS servers on loopback, built on ``peers._Server``.  Jython
processes find them through these environment variables (``HOST:PORT`` unless said otherwise):

``JNS_PEER_TLS_DIR``
    Directory of PEM/DER files: ``ca.pem`` / ``ca.der`` (the test CA), ``other_ca.pem`` / ``other_ca.der`` (a CA
    nobody's server certificate chains to), ``server.pem`` + ``server.key`` (CN and
    subjectAltName DNS ``localhost``, IP ``127.0.0.1``; signed by the CA),
    ``server_combined.pem`` (certificate then key), ``server_chain.pem`` (leaf + CA),
    ``client.pem`` (a client certificate, CN ``jns client``) with its key in several forms:
    ``client_pkcs8.key`` (PKCS#8), ``client_pkcs1.key`` (PKCS#1 ``RSA PRIVATE KEY``),
    ``client_enc.key`` (encrypted PKCS#8, password ``PASSWORD``), ``client_legacy_enc.key``
    (OpenSSL traditional encryption, same password); ``ec.pem`` + ``ec.key`` (an EC P-256
    certificate for ``localhost`` and its SEC1 ``EC PRIVATE KEY``); ``other.key`` (a key that
    matches no certificate); ``garbage.pem`` (not PEM); ``revoked.pem`` (a CA-signed
    certificate for ``localhost``, same key as ``server.pem``, that the CA has revoked);
    ``crl.pem`` (a PEM ``X509 CRL`` signed by the CA, valid from yesterday for a year,
    listing ``revoked.pem``'s serial number only); ``ca_crl.pem`` (``ca.pem`` then
    ``crl.pem`` in one file).
``JNS_PEER_TLS_PASSWORD``
    The password of the encrypted keys.

Servers (each accepts TLS 1.2 and 1.3; ALPN offers ``x-jns``, ``http/1.1``, ``h2``):

``JNS_PEER_TLS_ECHO``
    Echoes plaintext until the client's close_notify or EOF, then answers with close_notify.
``JNS_PEER_TLS_INFO``
    After the handshake sends one line ``sni=<name|-> alpn=<proto|-> version=<TLSv1.x>
    client=<client certificate CN|->\\n``, then close_notify, then closes.  Client
    certificates are optional (CERT_OPTIONAL against the CA).
``JNS_PEER_TLS_CLIENTCERT``
    Like INFO but requires a client certificate signed by the CA.
``JNS_PEER_TLS_CLOSE``
    Sends ``GREETING`` then close_notify, then closes (the client reads '' at the end).
``JNS_PEER_TLS_RAGGED``
    Sends ``GREETING`` then closes TCP without close_notify (a ragged EOF).
``JNS_PEER_TLS_WRONGHOST``
    Serves a CA-signed certificate for ``wrong.example`` only.
``JNS_PEER_TLS_EXPIRED``
    Serves a CA-signed certificate for ``localhost`` that expired a year ago.
``JNS_PEER_TLS_UNTRUSTED``
    Serves a certificate for ``localhost`` signed by ``other_ca``.
``JNS_PEER_TLS_REVOKED``
    Sends ``GREETING`` then close_notify, like CLOSE, with ``revoked.pem`` (listed in
    ``crl.pem``).
``JNS_PEER_TLS_STARTTLS``
    Line protocol that goes from clear text to TLS and back.  In clear text it echoes each
    line until ``STARTTLS``, answers ``OK``, then runs the TLS handshake (server side).  In
    TLS it echoes each line until ``STOPTLS``, answers ``STOPPING``, then unwraps (sends
    close_notify and waits for the client's) and at once sends ``PLAIN AGAIN`` in clear
    text; then it echoes clear-text lines until EOF.  Every line ends with ``\\n``.
``JNS_PEER_TLS_DIALER``
    A TLS client for our servers.  The test connects and sends one line
    ``<host> <port> <nbytes> [key=value ...]\n``; keys: ``sni=<name>`` (server_hostname;
    default none), ``alpn=<p1,p2>``, ``cert=1`` (present the client certificate),
    ``max=TLSv1.2|TLSv1.3`` (highest version offered), ``delay=<ms>``.  The dialer connects
    with TLS (verifying the server against the CA, no hostname check), sends
    ``pattern(nbytes)`` in 16 KiB chunks, reading back as many bytes as it has sent after
    each one (the servers under test echo), then reads until the server's close_notify or
    EOF, and answers on the
    control connection ``<count> <sha256 hex> version=<v> alpn=<p|-> eof=<clean|ragged>\n``
    (or ``ERR <text>\n``).
"""

import datetime
import hashlib
import ipaddress
import os
import shutil
import socket
import ssl
import tempfile
import threading
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# (defined before importing peers, which imports this module for ENV_NAMES)
ENV_NAMES = (
    "JNS_PEER_TLS_DIR", "JNS_PEER_TLS_PASSWORD", "JNS_PEER_TLS_ECHO", "JNS_PEER_TLS_INFO",
    "JNS_PEER_TLS_CLIENTCERT", "JNS_PEER_TLS_CLOSE", "JNS_PEER_TLS_RAGGED",
    "JNS_PEER_TLS_WRONGHOST", "JNS_PEER_TLS_EXPIRED", "JNS_PEER_TLS_UNTRUSTED",
    "JNS_PEER_TLS_DIALER", "JNS_PEER_TLS_STARTTLS", "JNS_PEER_TLS_REVOKED",
)

from . import peers as _peers  # noqa: E402

PASSWORD = "jns-secret"
GREETING = _peers.GREETING
ALPN_OFFER = ["x-jns", "http/1.1", "h2"]


# ---------------------------------------------------------------------------------- the PKI

def _name(cn, org="JNS test"):
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "XY"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


def _rsa():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _cert(subject_key, subject, issuer_key, issuer, *, ca=False, dns=(), ips=(),
          not_before=None, not_after=None, client=False):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(subject).issuer_name(issuer)
               .public_key(subject_key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(not_before or now - datetime.timedelta(days=1))
               .not_valid_after(not_after or now + datetime.timedelta(days=365))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=False,
                          key_encipherment=False, data_encipherment=False, key_agreement=False,
                          key_cert_sign=True, crl_sign=True, encipher_only=False,
                          decipher_only=False), critical=True)
        builder = builder.add_extension(
            x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()), critical=False)
    else:
        sans = [x509.DNSName(d) for d in dns] + [x509.IPAddress(ipaddress.ip_address(i))
                                                  for i in ips]
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        usage = [ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH]
        builder = builder.add_extension(x509.ExtendedKeyUsage(usage), critical=False)
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def _key(key, fmt=serialization.PrivateFormat.PKCS8, password=None):
    enc = (serialization.BestAvailableEncryption(password.encode()) if password
           else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, fmt, enc)


def make_pki(directory):
    """Write the files listed in the module docstring into ``directory``."""
    def write(name, data):
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, other_key = _rsa(), _rsa()
    ca_name, other_name = _name("JNS Test CA"), _name("JNS Other CA", "Elsewhere")
    ca = _cert(ca_key, ca_name, ca_key, ca_name, ca=True)
    other = _cert(other_key, other_name, other_key, other_name, ca=True)
    server_key, client_key = _rsa(), _rsa()
    server = _cert(server_key, _name("localhost"), ca_key, ca_name,
                   dns=("localhost",), ips=("127.0.0.1",))
    wrong = _cert(server_key, _name("wrong.example"), ca_key, ca_name, dns=("wrong.example",))
    expired = _cert(server_key, _name("localhost"), ca_key, ca_name, dns=("localhost",),
                    ips=("127.0.0.1",), not_before=now - datetime.timedelta(days=730),
                    not_after=now - datetime.timedelta(days=365))
    untrusted = _cert(server_key, _name("localhost"), other_key, other_name,
                      dns=("localhost",), ips=("127.0.0.1",))
    client = _cert(client_key, _name("jns client"), ca_key, ca_name, client=True)
    revoked = _cert(server_key, _name("localhost"), ca_key, ca_name, dns=("localhost",),
                    ips=("127.0.0.1",))
    crl = (x509.CertificateRevocationListBuilder()
           .issuer_name(ca_name)
           .last_update(now - datetime.timedelta(days=1))
           .next_update(now + datetime.timedelta(days=365))
           .add_revoked_certificate(x509.RevokedCertificateBuilder()
                                    .serial_number(revoked.serial_number)
                                    .revocation_date(now - datetime.timedelta(hours=1))
                                    .build())
           .add_extension(x509.CRLNumber(1), critical=False)
           .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
               ca_key.public_key()), critical=False)
           .sign(ca_key, hashes.SHA256()))
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_cert = _cert(ec_key, _name("localhost"), ca_key, ca_name, dns=("localhost",),
                    ips=("127.0.0.1",))

    write("ca.pem", _pem(ca))
    write("ca.der", ca.public_bytes(serialization.Encoding.DER))
    write("other_ca.pem", _pem(other))
    write("other_ca.der", other.public_bytes(serialization.Encoding.DER))
    write("server.pem", _pem(server))
    write("server.key", _key(server_key))
    write("server_combined.pem", _pem(server) + _key(server_key))
    write("server_chain.pem", _pem(server) + _pem(ca))
    write("wrong.pem", _pem(wrong))
    write("expired.pem", _pem(expired))
    write("untrusted.pem", _pem(untrusted))
    write("revoked.pem", _pem(revoked))
    write("crl.pem", crl.public_bytes(serialization.Encoding.PEM))
    write("ca_crl.pem", _pem(ca) + crl.public_bytes(serialization.Encoding.PEM))
    write("client.pem", _pem(client))
    write("client_pkcs8.key", _key(client_key))
    write("client_pkcs1.key", _key(client_key, serialization.PrivateFormat.TraditionalOpenSSL))
    write("client_enc.key", _key(client_key, password=PASSWORD))
    write("client_legacy_enc.key",
          _key(client_key, serialization.PrivateFormat.TraditionalOpenSSL, PASSWORD))
    write("ec.pem", _pem(ec_cert))
    write("ec.key", _key(ec_key, serialization.PrivateFormat.TraditionalOpenSSL))
    write("other.key", _key(_rsa()))
    write("garbage.pem", b"-----BEGIN CERTIFICATE-----\nnot base64 at all!\n"
                         b"-----END CERTIFICATE-----\n")


# ---------------------------------------------------------------------------------- servers

def _server_context(directory, certfile, client_auth=ssl.CERT_NONE):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(os.path.join(directory, certfile), os.path.join(directory, "server.key"))
    ctx.set_alpn_protocols(ALPN_OFFER)
    ctx.verify_mode = client_auth
    if client_auth != ssl.CERT_NONE:
        ctx.load_verify_locations(os.path.join(directory, "ca.pem"))

    def remember_sni(sslobj, name, context):
        sslobj.jns_sni = name
    ctx.sni_callback = remember_sni
    return ctx


class _TlsServer(_peers._Server):
    """A peer whose connections are wrapped in TLS (server side) before ``serve_tls``."""

    def __init__(self, context):
        self.context = context
        _peers._Server.__init__(self)

    def handle(self, conn, addr):
        tls = self.context.wrap_socket(conn, server_side=True)
        try:
            self.serve_tls(tls)
        finally:
            tls.close()

    def serve_tls(self, tls):
        pass


def _close_notify(tls):
    try:
        tls.unwrap()
    except (OSError, ValueError):
        pass


class TlsEchoServer(_TlsServer):
    name = "tls-echo"

    def serve_tls(self, tls):
        while True:
            try:
                data = tls.recv(65536)
            except ssl.SSLEOFError:
                return
            if not data:
                break
            tls.sendall(data)
        _close_notify(tls)


class TlsInfoServer(_TlsServer):
    name = "tls-info"

    def serve_tls(self, tls):
        cert = tls.getpeercert()
        client = "-"
        if cert:
            client = dict(rdn[0] for rdn in cert["subject"]).get("commonName", "?")
        line = "sni=%s alpn=%s version=%s client=%s\n" % (
            getattr(tls, "jns_sni", None) or "-",
            tls.selected_alpn_protocol() or "-", tls.version(), client.replace(" ", "_"))
        tls.sendall(line.encode("ascii"))
        _close_notify(tls)


class TlsCloseServer(_TlsServer):
    name = "tls-close"

    def serve_tls(self, tls):
        tls.sendall(GREETING)
        _close_notify(tls)


class TlsRaggedServer(_TlsServer):
    name = "tls-ragged"

    def serve_tls(self, tls):
        tls.sendall(GREETING)
        tls.shutdown(socket.SHUT_RDWR)   # TCP FIN, no close_notify


class StartTlsServer(_peers._Server):
    name = "tls-starttls"

    def __init__(self, context):
        self.context = context
        _peers._Server.__init__(self)

    @staticmethod
    def _lines(sock, stop):
        """Echo lines until ``stop``; True when it came, False at EOF."""
        buf = b""
        while True:
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if line == stop:
                    if buf:
                        raise ValueError("client sent %r after %r" % (buf, stop))
                    return True
                sock.sendall(line + b"\n")
            data = sock.recv(65536)
            if not data:
                return False
            buf += data

    def handle(self, conn, addr):
        if not self._lines(conn, b"STARTTLS"):
            return
        conn.sendall(b"OK\n")
        tls = self.context.wrap_socket(conn, server_side=True)
        if not self._lines(tls, b"STOPTLS"):
            return
        tls.sendall(b"STOPPING\n")
        plain = tls.unwrap()
        plain.sendall(b"PLAIN AGAIN\n")
        self._lines(plain, None)
        try:
            plain.shutdown(socket.SHUT_WR)
        except OSError:
            pass


class TlsDialerServer(_peers._Server):
    name = "tls-dialer"

    def __init__(self, directory):
        self.directory = directory
        _peers._Server.__init__(self)

    def _context(self, opts):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.load_verify_locations(os.path.join(self.directory, "ca.pem"))
        if opts.get("max"):
            ctx.maximum_version = getattr(ssl.TLSVersion, opts["max"].replace(".", "_"))
        if opts.get("alpn"):
            ctx.set_alpn_protocols(opts["alpn"].split(","))
        if opts.get("cert") == "1":
            ctx.load_cert_chain(os.path.join(self.directory, "client.pem"),
                                os.path.join(self.directory, "client_pkcs8.key"))
        return ctx

    def handle(self, conn, addr):
        words = _peers._read_line(conn).split()
        try:
            host, port, nbytes = words[0], int(words[1]), int(words[2])
            opts = dict(w.split("=", 1) for w in words[3:])
            delay = int(opts.get("delay", "0")) / 1000.0
        except (IndexError, ValueError):
            conn.sendall(b"ERR bad request\n")
            return
        if host not in ("127.0.0.1", "localhost") or not 0 <= delay <= 30:
            conn.sendall(b"ERR refused request\n")
            return
        time.sleep(delay)
        try:
            answer = self._exchange(host, port, nbytes, opts)
        except (OSError, ValueError) as exc:
            answer = "ERR %s: %s" % (type(exc).__name__, exc)
        conn.sendall((answer + "\n").encode("ascii", "replace"))

    def _exchange(self, host, port, nbytes, opts):
        # One thread only: an SSL object must not be read and written concurrently.  The
        # servers under test echo, so after each chunk we read back as much as we sent.
        raw = socket.create_connection((host, port), timeout=_peers.IO_TIMEOUT)
        tls = self._context(opts).wrap_socket(raw, server_hostname=opts.get("sni"),
                                              suppress_ragged_eofs=False)
        try:
            cert = x509.load_der_x509_certificate(tls.getpeercert(True))
            cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
            info = "version=%s alpn=%s" % (tls.version(), tls.selected_alpn_protocol() or "-")
            digest, count, eof = hashlib.sha256(), 0, "clean"
            data = _peers.pattern(nbytes)
            try:
                for start in range(0, nbytes, 16384):
                    tls.sendall(data[start:start + 16384])
                    while count < min(nbytes, start + 16384):
                        chunk = tls.recv(65536)
                        if not chunk:
                            break
                        digest.update(chunk)
                        count += len(chunk)
                while True:
                    chunk = tls.recv(65536)
                    if not chunk:
                        break
                    digest.update(chunk)
                    count += len(chunk)
            except ssl.SSLEOFError:
                eof = "ragged"
            return "%d %s %s eof=%s cn=%s" % (count, digest.hexdigest(), info, eof,
                                               cn.replace(" ", "_"))
        finally:
            tls.close()


class TlsPeers(object):
    """The PKI directory and every TLS server of one session."""

    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="jns-tls-")
        make_pki(self.directory)
        d = self.directory
        self.servers = {
            "JNS_PEER_TLS_ECHO": TlsEchoServer(_server_context(d, "server.pem")),
            "JNS_PEER_TLS_INFO": TlsInfoServer(_server_context(d, "server.pem",
                                                               ssl.CERT_OPTIONAL)),
            "JNS_PEER_TLS_CLIENTCERT": TlsInfoServer(_server_context(d, "server.pem",
                                                                     ssl.CERT_REQUIRED)),
            "JNS_PEER_TLS_CLOSE": TlsCloseServer(_server_context(d, "server.pem")),
            "JNS_PEER_TLS_RAGGED": TlsRaggedServer(_server_context(d, "server.pem")),
            "JNS_PEER_TLS_WRONGHOST": TlsCloseServer(_server_context(d, "wrong.pem")),
            "JNS_PEER_TLS_EXPIRED": TlsCloseServer(_server_context(d, "expired.pem")),
            "JNS_PEER_TLS_UNTRUSTED": TlsCloseServer(_server_context(d, "untrusted.pem")),
            "JNS_PEER_TLS_REVOKED": TlsCloseServer(_server_context(d, "revoked.pem")),
            "JNS_PEER_TLS_DIALER": TlsDialerServer(d),
            "JNS_PEER_TLS_STARTTLS": StartTlsServer(_server_context(d, "server.pem")),
        }

    def env(self):
        env = {name: server.env_value() for name, server in self.servers.items()}
        env["JNS_PEER_TLS_DIR"] = self.directory
        env["JNS_PEER_TLS_PASSWORD"] = PASSWORD
        return env

    def errors(self):
        return [e for s in self.servers.values() for e in s.errors]

    def stop(self):
        for server in self.servers.values():
            server.stop()
        shutil.rmtree(self.directory, ignore_errors=True)
