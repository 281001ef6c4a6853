# -*- coding: utf-8 -*-
"""Stdlib protocol clients over our socket and ssl: smtplib (STARTTLS, SMTP_SSL, AUTH),
poplib (POP3, POP3_SSL), imaplib (IMAP4, IMAP4_SSL), telnetlib, against the CPython 3 peers
of ``tests/harness/mail_peers.py`` and the echo peer."""

import hashlib
import imaplib
import poplib
import smtplib
import telnetlib
import unittest

from netsupport import peer

MAIL_ONE = (b"From: a@example.org\r\nTo: b@example.org\r\nSubject: one\r\n\r\n"
            b"first message\r\n.starts with a dot\r\n")


def message_two():
    """The peer's second message (mail_peers.message_two)."""
    lines, size, i = [b"Subject: two\r\n\r\n"], 16, 0
    while size < 200000:
        line = (b"." if i % 7 == 0 else b"") + (b"line %06d " % i) + b"x" * 50 + b"\r\n"
        lines.append(line)
        size += len(line)
        i += 1
    data = b"".join(lines)
    return data[:200000 - 2] + b"\r\n"


def queued(message):
    """What the SMTP peer answers to DATA for ``message`` (smtplib ends it with CRLF)."""
    if not message.endswith(b"\r\n"):
        message += b"\r\n"
    return b"queued %d %s" % (len(message), hashlib.sha256(message).hexdigest())


class SmtpTests(unittest.TestCase):
    message = (b"From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n.leading dot\r\n"
               + b"y" * 100000 + b"\r\nend")

    def send_and_check(self, smtp):
        smtp.ehlo("jython")
        self.assertEqual(smtp.mail("a@example.org")[0], 250)
        self.assertEqual(smtp.rcpt("b@example.org")[0], 250)
        code, text = smtp.data(self.message)
        self.assertEqual((code, text), (250, queued(self.message)))
        self.assertEqual(smtp.sendmail("a@example.org", ["b@example.org"], MAIL_ONE), {})

    def test_starttls(self):
        host, port = peer("SMTP")
        smtp = smtplib.SMTP(host, port, timeout=10)
        try:
            smtp.ehlo()
            self.assertTrue(smtp.has_extn("starttls"))
            self.assertEqual(smtp.starttls()[0], 220)
            smtp.ehlo()
            self.assertFalse(smtp.has_extn("starttls"))
            smtp.login("jns", "secret")
            self.send_and_check(smtp)
        finally:
            smtp.quit()

    def test_plain_and_bad_login(self):
        host, port = peer("SMTP")
        smtp = smtplib.SMTP(host, port, timeout=10)
        try:
            smtp.ehlo()
            self.assertRaises(smtplib.SMTPAuthenticationError, smtp.login, "jns", "wrong")
            self.send_and_check(smtp)
        finally:
            smtp.quit()

    def test_smtp_ssl(self):
        host, port = peer("SMTPS")
        smtp = smtplib.SMTP_SSL(host, port, timeout=10)
        try:
            smtp.ehlo()
            self.assertFalse(smtp.has_extn("starttls"))
            smtp.login("jns", "secret")
            self.send_and_check(smtp)
        finally:
            smtp.quit()


class Pop3Tests(unittest.TestCase):
    def check_mailbox(self, pop):
        self.assertTrue(pop.getwelcome().startswith(b"+OK"))
        pop.user("jns")
        pop.pass_("secret")
        self.assertEqual(pop.stat(), (2, len(MAIL_ONE) + 200000))
        resp, lines, octets = pop.retr(1)
        self.assertEqual(b"\r\n".join(lines) + b"\r\n", MAIL_ONE)
        resp, lines, octets = pop.retr(2)
        self.assertEqual(b"\r\n".join(lines) + b"\r\n", message_two())
        pop.dele(1)
        self.assertEqual(pop.stat()[0], 1)
        pop.quit()

    def test_pop3(self):
        host, port = peer("POP3")
        self.check_mailbox(poplib.POP3(host, port, timeout=10))

    def test_pop3_ssl(self):
        host, port = peer("POP3S")
        self.check_mailbox(poplib.POP3_SSL(host, port))

    def test_bad_password(self):
        host, port = peer("POP3")
        pop = poplib.POP3(host, port, timeout=10)
        try:
            pop.user("jns")
            self.assertRaises(poplib.error_proto, pop.pass_, "wrong")
        finally:
            pop.quit()


class ImapTests(unittest.TestCase):
    def check_mailbox(self, imap):
        self.assertEqual(imap.login("jns", "secret")[0], "OK")
        typ, data = imap.select("INBOX")
        self.assertEqual((typ, data), ("OK", [b"2"]))
        typ, data = imap.fetch("1", "(RFC822)")
        self.assertEqual(typ, "OK")
        self.assertEqual(data[0][1], MAIL_ONE)
        typ, data = imap.fetch("2", "(RFC822)")
        self.assertEqual(data[0][1], message_two())
        self.assertEqual(imap.logout()[0], "BYE")

    def test_imap4(self):
        host, port = peer("IMAP")
        self.check_mailbox(imaplib.IMAP4(host, port))

    def test_imap4_ssl(self):
        host, port = peer("IMAPS")
        self.check_mailbox(imaplib.IMAP4_SSL(host, port))

    def test_bad_login(self):
        host, port = peer("IMAP")
        imap = imaplib.IMAP4(host, port)
        try:
            self.assertRaises(imaplib.IMAP4.error, imap.login, "jns", "wrong")
        finally:
            imap.logout()


class TelnetTests(unittest.TestCase):
    def test_echo_session(self):
        host, port = peer("ECHO")
        tn = telnetlib.Telnet(host, port, timeout=10)
        try:
            tn.write(b"hello\r\nsecond line\r\n")
            self.assertEqual(tn.read_until(b"hello\r\n", 10), b"hello\r\n")
            self.assertEqual(tn.expect([b"sec\\w+ line"], 10)[1].group(0), b"second line")
            tn.write(b"x" * 100000 + b"END")
            self.assertEqual(tn.read_until(b"END", 10), b"\r\n" + b"x" * 100000 + b"END")
            tn.get_socket().shutdown(1)
            self.assertEqual(tn.read_all(), b"")
        finally:
            tn.close()


if __name__ == "__main__":
    unittest.main()
