"""Small CPython 3 SMTP, POP3 and IMAP4 servers for the stdlib client tests (smtplib, poplib,
imaplib).  Just enough of each protocol for the client's ordinary paths; TLS uses the session
PKI of ``tls_peers.py``.  Environment variables (``HOST:PORT``):

``JNS_PEER_SMTP``
    SMTP with ``STARTTLS`` offered in the EHLO answer (also ``AUTH PLAIN`` for user ``jns``,
    password ``secret``).  ``DATA`` answers ``250 queued <nbytes> <sha256 hex>`` of the message
    as received (dot-unstuffed, CRLF line ends, without the final ``.`` line).
``JNS_PEER_SMTPS``
    The same over implicit TLS (``SMTP_SSL``); no STARTTLS.
``JNS_PEER_POP3``, ``JNS_PEER_POP3S``
    POP3 (plain and implicit TLS): ``USER jns`` / ``PASS secret``, then a mailbox of two
    messages: 1 is ``MAIL_ONE``; 2 is ``pattern``-derived text of 200000 bytes (see
    ``message_two()``).  ``STAT``, ``LIST``, ``RETR``, ``DELE``, ``NOOP``, ``QUIT``.
``JNS_PEER_IMAP``, ``JNS_PEER_IMAPS``
    IMAP4rev1 (plain and implicit TLS): ``LOGIN jns secret``, ``SELECT INBOX`` (the same two messages),
    ``FETCH <n> (RFC822)``, ``NOOP``, ``LOGOUT``.
"""

import hashlib
import os
import ssl

from .peers import _Server

ENV_NAMES = ("JNS_PEER_SMTP", "JNS_PEER_SMTPS", "JNS_PEER_POP3", "JNS_PEER_POP3S",
             "JNS_PEER_IMAP", "JNS_PEER_IMAPS")
MAIL_ONE = (b"From: a@example.org\r\nTo: b@example.org\r\nSubject: one\r\n\r\n"
            b"first message\r\n.starts with a dot\r\n")


def message_two():
    """A 200000-byte message of text lines (CRLF ends), some starting with a dot."""
    lines, size, i = [b"Subject: two\r\n\r\n"], 16, 0
    while size < 200000:
        line = (b"." if i % 7 == 0 else b"") + (b"line %06d " % i) + b"x" * 50 + b"\r\n"
        lines.append(line)
        size += len(line)
        i += 1
    data = b"".join(lines)
    return data[:200000 - 2] + b"\r\n"


class _Lines(object):
    """Line I/O over a socket (replaced by its TLS wrapper after STARTTLS)."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def readline(self, limit=1 << 20):
        while b"\r\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("client went away")
            self.buf += data
            if len(self.buf) > limit:
                raise ValueError("line too long")
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def send(self, data):
        self.sock.sendall(data)

    def reply(self, text):
        self.sock.sendall(text.encode("ascii") + b"\r\n")


def _context(tls_dir):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(tls_dir, "server.pem"), os.path.join(tls_dir, "server.key"))
    return ctx


def _stuffed(message):
    """``message`` with leading dots doubled, as sent in SMTP DATA / POP3 RETR."""
    return b"\r\n".join((b"." + line) if line.startswith(b".") else line
                        for line in message.split(b"\r\n"))


class _LineServer(_Server):
    def __init__(self, context=None, implicit_tls=False):
        self.context = context
        self.implicit_tls = implicit_tls
        _Server.__init__(self)

    def handle(self, conn, addr):
        if self.implicit_tls:
            conn = self.context.wrap_socket(conn, server_side=True)
        try:
            self.converse(_Lines(conn))
        except EOFError:
            pass

    def converse(self, io):
        raise NotImplementedError


class SmtpServer(_LineServer):
    name = "smtp"

    def converse(self, io):
        io.reply("220 jns ESMTP ready")
        tls = self.implicit_tls
        while True:
            words = io.readline().decode("ascii", "replace").split(" ", 1)
            verb, arg = words[0].upper(), (words[1] if len(words) > 1 else "")
            if verb in ("EHLO", "HELO"):
                if verb == "HELO":
                    io.reply("250 jns")
                    continue
                extras = ["AUTH PLAIN", "SIZE 10000000", "8BITMIME"]
                if not tls:
                    extras.insert(0, "STARTTLS")
                io.send(("250-jns hello %s\r\n" % arg).encode("ascii")
                        + "".join("250-%s\r\n" % e for e in extras[:-1]).encode("ascii")
                        + ("250 %s\r\n" % extras[-1]).encode("ascii"))
            elif verb == "STARTTLS" and not tls:
                io.reply("220 go ahead")
                io.sock = self.context.wrap_socket(io.sock, server_side=True)
                io.buf = b""
                tls = True
            elif verb == "AUTH":
                import base64
                parts = arg.split()
                ok = (len(parts) == 2 and parts[0].upper() == "PLAIN"
                      and base64.b64decode(parts[1]) == b"\0jns\0secret")
                io.reply("235 authenticated" if ok else "535 bad credentials")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                io.reply("250 ok")
            elif verb == "DATA":
                io.reply("354 end with .")
                lines = []
                while True:
                    line = io.readline()
                    if line == b".":
                        break
                    lines.append(line[1:] if line.startswith(b".") else line)
                message = b"".join(line + b"\r\n" for line in lines)
                io.reply("250 queued %d %s" % (len(message), hashlib.sha256(message).hexdigest()))
            elif verb == "QUIT":
                io.reply("221 bye")
                return
            else:
                io.reply("502 not implemented")


class Pop3Server(_LineServer):
    name = "pop3"

    def converse(self, io):
        io.reply("+OK jns POP3 ready")
        box = {1: MAIL_ONE, 2: message_two()}
        user = None
        authed = False
        while True:
            words = io.readline().decode("ascii", "replace").split()
            verb, args = (words[0].upper() if words else ""), words[1:]
            if verb == "USER":
                user = args[0] if args else None
                io.reply("+OK")
            elif verb == "PASS":
                authed = user == "jns" and args == ["secret"]
                io.reply("+OK logged in" if authed else "-ERR bad login")
            elif verb == "QUIT":
                io.reply("+OK bye")
                return
            elif not authed:
                io.reply("-ERR log in first")
            elif verb == "STAT":
                io.reply("+OK %d %d" % (len(box), sum(len(m) for m in box.values())))
            elif verb == "LIST" and not args:
                io.send(("+OK\r\n" + "".join("%d %d\r\n" % (n, len(m))
                                             for n, m in sorted(box.items())) + ".\r\n")
                        .encode("ascii"))
            elif verb == "RETR" and args and int(args[0]) in box:
                message = box[int(args[0])]
                io.send(b"+OK %d octets\r\n" % len(message) + _stuffed(message)
                        + (b"" if message.endswith(b"\r\n") else b"\r\n") + b".\r\n")
            elif verb == "DELE" and args and int(args[0]) in box:
                del box[int(args[0])]
                io.reply("+OK deleted")
            elif verb == "NOOP":
                io.reply("+OK")
            else:
                io.reply("-ERR unsupported")


class ImapServer(_LineServer):
    name = "imap"

    def converse(self, io):
        io.reply("* OK [CAPABILITY IMAP4rev1] jns IMAP ready")
        box = [MAIL_ONE, message_two()]
        state = "auth"
        while True:
            words = io.readline().decode("ascii", "replace").split(" ", 2)
            tag = words[0]
            cmd = words[1].upper() if len(words) > 1 else ""
            arg = words[2] if len(words) > 2 else ""
            if cmd == "CAPABILITY":
                io.reply("* CAPABILITY IMAP4rev1 AUTH=PLAIN")
                io.reply("%s OK done" % tag)
            elif cmd == "LOGIN":
                if arg.replace('"', "").split() == ["jns", "secret"]:
                    state = "authed"
                    io.reply("%s OK logged in" % tag)
                else:
                    io.reply("%s NO bad login" % tag)
            elif cmd == "LOGOUT":
                io.reply("* BYE see you")
                io.reply("%s OK logged out" % tag)
                return
            elif cmd == "NOOP":
                io.reply("%s OK" % tag)
            elif state == "auth":
                io.reply("%s NO log in first" % tag)
            elif cmd in ("SELECT", "EXAMINE"):
                io.reply("* %d EXISTS" % len(box))
                io.reply("* 0 RECENT")
                io.reply("* FLAGS (\\Seen)")
                io.reply("* OK [UIDVALIDITY 1] ok")
                io.reply("%s OK [READ-WRITE] selected" % tag)
                state = "selected"
            elif cmd == "FETCH" and state == "selected":
                number = int(arg.split()[0])
                message = box[number - 1]
                io.send(b"* %d FETCH (RFC822 {%d}\r\n" % (number, len(message)) + message
                        + b")\r\n")
                io.reply("%s OK fetched" % tag)
            else:
                io.reply("%s BAD unsupported" % tag)


class MailPeers(object):
    def __init__(self, tls_dir):
        ctx = _context(tls_dir)
        self.servers = {
            "JNS_PEER_SMTP": SmtpServer(ctx),
            "JNS_PEER_SMTPS": SmtpServer(ctx, implicit_tls=True),
            "JNS_PEER_POP3": Pop3Server(),
            "JNS_PEER_POP3S": Pop3Server(ctx, implicit_tls=True),
            "JNS_PEER_IMAP": ImapServer(),
            "JNS_PEER_IMAPS": ImapServer(ctx, implicit_tls=True),
        }

    def env(self):
        return {name: server.env_value() for name, server in self.servers.items()}

    def errors(self):
        return [e for s in self.servers.values() for e in s.errors]

    def stop(self):
        for server in self.servers.values():
            server.stop()


def attach(peers_class):
    """Hook these peers into ``peers.Peers`` (after the TLS peers, whose PKI they use)."""
    from .peers import attach_group
    attach_group(peers_class, 'mail', lambda base: MailPeers(base["JNS_PEER_TLS_DIR"]))
