"""A small CPython 3 FTP server for the ftplib tests: passive and active data connections,
``AUTH TLS`` with ``PBSZ 0`` / ``PROT P`` (TLS data connections, as ``ftplib.FTP_TLS``).

``JNS_PEER_FTP`` (``HOST:PORT``): log in as ``jns`` / ``secret``.  Files live in memory, one
store per control connection.  ``RETR pattern-<n>`` sends ``pattern(n)``; ``STOR <name>``
stores; ``RETR <name>`` sends back what was stored; ``SIZE``, ``NLST``, ``DELE`` on those.
Commands: USER PASS TYPE PWD CWD PASV EPSV PORT EPRT RETR STOR NLST SIZE DELE NOOP QUIT
AUTH PBSZ PROT.  A TLS data connection ends with close_notify both ways (``unwrap``), which
ftplib does too.
"""

import socket
import ssl

from .mail_peers import _LineServer
from .peers import HOST, IO_TIMEOUT, pattern

ENV_NAMES = ("JNS_PEER_FTP",)


class FtpServer(_LineServer):
    name = "ftp"

    def converse(self, io):
        io.reply("220 jns FTP ready")
        session = {"user": None, "authed": False, "prot": "C", "passive": None,
                   "active": None, "files": {}}
        while True:
            line = io.readline().decode("utf-8", "replace")
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            if verb == "QUIT":
                io.reply("221 bye")
                return
            handler = getattr(self, "cmd_" + verb, None)
            if handler is None:
                io.reply("502 %s not implemented" % verb)
            elif not session["authed"] and verb not in ("USER", "PASS", "AUTH", "PBSZ",
                                                         "PROT"):
                io.reply("530 log in first")
            else:
                handler(io, session, arg)

    # ---------------------------------------------------------------- session and TLS

    def cmd_USER(self, io, session, arg):
        session["user"] = arg
        io.reply("331 password please")

    def cmd_PASS(self, io, session, arg):
        session["authed"] = session["user"] == "jns" and arg == "secret"
        io.reply("230 logged in" if session["authed"] else "530 bad login")

    def cmd_AUTH(self, io, session, arg):
        if arg.upper() not in ("TLS", "SSL"):
            io.reply("504 unknown mechanism")
            return
        io.reply("234 AUTH TLS ok")
        io.sock = self.context.wrap_socket(io.sock, server_side=True)
        io.buf = b""

    def cmd_PBSZ(self, io, session, arg):
        io.reply("200 PBSZ=0")

    def cmd_PROT(self, io, session, arg):
        if arg.upper() not in ("C", "P"):
            io.reply("504 unsupported protection level")
            return
        session["prot"] = arg.upper()
        io.reply("200 protection level %s" % session["prot"])

    def cmd_TYPE(self, io, session, arg):
        io.reply("200 type set to %s" % arg)

    def cmd_PWD(self, io, session, arg):
        io.reply('257 "/" is the current directory')

    def cmd_CWD(self, io, session, arg):
        io.reply("250 ok")

    def cmd_NOOP(self, io, session, arg):
        io.reply("200 ok")

    # ---------------------------------------------------------------- data connections

    def _listen(self, session):
        self._drop_data(session)
        listener = socket.socket()
        listener.bind((HOST, 0))
        listener.listen(1)
        listener.settimeout(IO_TIMEOUT)
        session["passive"] = listener
        return listener.getsockname()[1]

    def cmd_PASV(self, io, session, arg):
        port = self._listen(session)
        io.reply("227 Entering Passive Mode (127,0,0,1,%d,%d)." % (port >> 8, port & 255))

    def cmd_EPSV(self, io, session, arg):
        io.reply("229 Entering Extended Passive Mode (|||%d|)" % self._listen(session))

    def cmd_PORT(self, io, session, arg):
        fields = [int(x) for x in arg.split(",")]
        self._drop_data(session)
        session["active"] = ("%d.%d.%d.%d" % tuple(fields[:4]), fields[4] * 256 + fields[5])
        io.reply("200 PORT ok")

    def cmd_EPRT(self, io, session, arg):
        parts = arg.split(arg[0])
        self._drop_data(session)
        session["active"] = (parts[2], int(parts[3]))
        io.reply("200 EPRT ok")

    def _drop_data(self, session):
        if session["passive"] is not None:
            session["passive"].close()
        session["passive"] = session["active"] = None

    def _open_data(self, io, session, what):
        """Reply 150 and return the data connection (TLS server side under PROT P)."""
        if session["passive"] is not None:
            listener = session["passive"]
            conn, _ = listener.accept()
            listener.close()
        elif session["active"] is not None:
            if session["active"][0] != HOST:
                raise ValueError("active mode to a foreign host")
            conn = socket.create_connection(session["active"], timeout=IO_TIMEOUT)
        else:
            io.reply("425 use PORT or PASV first")
            return None
        session["passive"] = session["active"] = None
        conn.settimeout(IO_TIMEOUT)
        io.reply("150 opening data connection for %s" % what)
        if session["prot"] == "P":
            conn = self.context.wrap_socket(conn, server_side=True)
        return conn

    def _close_data(self, conn):
        if isinstance(conn, ssl.SSLSocket):
            try:
                conn = conn.unwrap()
            except (OSError, ValueError):
                pass
        conn.close()

    def cmd_RETR(self, io, session, arg):
        if arg.startswith("pattern-"):
            data = pattern(int(arg[len("pattern-"):]))
        elif arg in session["files"]:
            data = session["files"][arg]
        else:
            io.reply("550 no such file")
            return
        conn = self._open_data(io, session, arg)
        if conn is None:
            return
        try:
            conn.sendall(data)
        finally:
            self._close_data(conn)
        io.reply("226 transfer complete")

    def cmd_STOR(self, io, session, arg):
        conn = self._open_data(io, session, arg)
        if conn is None:
            return
        chunks = []
        try:
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            self._close_data(conn)
        session["files"][arg] = b"".join(chunks)
        io.reply("226 stored %d bytes" % len(session["files"][arg]))

    def cmd_NLST(self, io, session, arg):
        conn = self._open_data(io, session, "file list")
        if conn is None:
            return
        try:
            conn.sendall("".join("%s\r\n" % n for n in sorted(session["files"])).encode())
        finally:
            self._close_data(conn)
        io.reply("226 listed")

    def cmd_SIZE(self, io, session, arg):
        if arg in session["files"]:
            io.reply("213 %d" % len(session["files"][arg]))
        else:
            io.reply("550 no such file")

    def cmd_DELE(self, io, session, arg):
        if session["files"].pop(arg, None) is None:
            io.reply("550 no such file")
        else:
            io.reply("250 deleted")


def attach(peers_class):
    """Hook the FTP peer into ``peers.Peers`` (after the TLS peers, whose PKI it uses)."""
    from .peers import OneServer, attach_group
    from .mail_peers import _context
    attach_group(peers_class, 'ftp',
                 lambda base: OneServer("JNS_PEER_FTP", FtpServer(_context(base["JNS_PEER_TLS_DIR"]))))
