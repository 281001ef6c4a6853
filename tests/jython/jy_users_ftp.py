# -*- coding: utf-8 -*-
"""ftplib over our socket and ssl against the CPython 3 FTP peer (``tests/harness/ftp_peers.py``):
FTP passive and active, FTP_TLS with PROT P (TLS data connections) passive and active, binary
and line transfers, server errors as ftplib's exceptions."""

import ftplib
import hashlib
import inspect
import io
import ssl
import unittest

from netsupport import pattern, peer
from users_support import tls_file

BIG = 5 * 1024 * 1024 + 3


def tls_context():
    return ssl.create_default_context(cafile=tls_file("ca.pem"))


class FtpChecks(object):
    """The transfers every mode must get right (mixed into the mode test cases)."""

    def connect(self):
        raise NotImplementedError

    def setUp(self):
        self.ftp = self.connect()
        self.addCleanup(self.ftp.close)

    def test_retrieve_large_binary(self):
        digest, count = hashlib.sha256(), [0]

        def sink(chunk):
            digest.update(chunk)
            count[0] += len(chunk)
        self.assertTrue(self.ftp.retrbinary("RETR pattern-%d" % BIG, sink).startswith("226"))
        self.assertEqual((count[0], digest.hexdigest()),
                         (BIG, hashlib.sha256(pattern(BIG)).hexdigest()))

    def test_store_retrieve_list_delete(self):
        data = pattern(1024 * 1024 + 1)
        self.assertTrue(self.ftp.storbinary("STOR up.bin", io.BytesIO(data)).startswith("226"))
        self.assertEqual(self.ftp.size("up.bin"), len(data))
        got = []
        self.ftp.retrbinary("RETR up.bin", got.append)
        self.assertEqual(b"".join(got), data)
        self.ftp.storlines("STOR text.txt", io.BytesIO(b"one\ntwo\nthree\n"))
        lines = []
        self.ftp.retrlines("RETR text.txt", lines.append)
        self.assertEqual(lines, ["one", "two", "three"])
        self.assertEqual(self.ftp.nlst(), ["text.txt", "up.bin"])
        self.ftp.delete("up.bin")
        self.assertRaises(ftplib.error_perm, self.ftp.size, "up.bin")
        self.assertRaises(ftplib.error_perm, self.ftp.retrbinary, "RETR nothing", got.append)
        self.assertTrue(self.ftp.quit().startswith("221"))


class FtpPassiveTests(FtpChecks, unittest.TestCase):
    def connect(self):
        host, port = peer("FTP")
        ftp = ftplib.FTP()
        ftp.connect(host, port, timeout=10)
        ftp.login("jns", "secret")
        ftp.set_pasv(True)
        return ftp


class FtpActiveTests(FtpChecks, unittest.TestCase):
    def connect(self):
        host, port = peer("FTP")
        ftp = ftplib.FTP()
        ftp.connect(host, port, timeout=10)
        ftp.login("jns", "secret")
        ftp.set_pasv(False)
        return ftp


class FtpTlsPassiveTests(FtpChecks, unittest.TestCase):
    passive = True

    def connect(self):
        host, port = peer("FTP")
        if "context" in inspect.getargspec(ftplib.FTP_TLS.__init__).args:
            ftp = ftplib.FTP_TLS(context=tls_context())
            ftp.connect("localhost", port, timeout=10)   # the name the certificate is for
        else:
            # Jython 2.7.4's own ftplib predates FTP_TLS(context=): it wraps with
            # ssl.wrap_socket and verifies nothing, and its default is PROTOCOL_TLSv1 (TLS 1.0,
            # which the peer refuses, as a CPython 2.7 with that default would be refused)
            ftp = ftplib.FTP_TLS()
            ftp.ssl_version = ssl.PROTOCOL_SSLv23
            ftp.connect(host, port, timeout=10)
        ftp.login("jns", "secret")       # AUTH TLS first (FTP_TLS.login does it)
        self.assertTrue(isinstance(ftp.sock, ssl.SSLSocket))
        ftp.prot_p()
        ftp.set_pasv(self.passive)
        return ftp


class FtpTlsActiveTests(FtpTlsPassiveTests):
    passive = False


class FtpLoginTests(unittest.TestCase):
    def test_bad_login(self):
        host, port = peer("FTP")
        ftp = ftplib.FTP()
        ftp.connect(host, port, timeout=10)
        try:
            self.assertRaises(ftplib.error_perm, ftp.login, "jns", "wrong")
        finally:
            ftp.close()


if __name__ == "__main__":
    unittest.main()
