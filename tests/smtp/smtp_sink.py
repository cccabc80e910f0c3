#!/usr/bin/python3
"""smtp_sink.py: a real SMTP server (aiosmtpd, Debian's python3-aiosmtpd)
for the notification e-mail tests: every accepted message is written to a
maildir. --refuse N answers the first N messages 451 (try again later),
as a mail server that is not ready would. Prints "ready" once listening;
stops on SIGTERM.

  /usr/bin/python3 tests/smtp/smtp_sink.py --port 2525 --maildir DIR [--refuse N] [--host H]

(--host defaults to 127.0.0.1; the compose suite's mail container listens
on 0.0.0.0: docker/mail/Dockerfile.)
"""
import argparse
import mailbox
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, maildir, refuse):
        # Maildir(create=True) makes the sub-folders only of a new folder;
        # a volume's mount point exists already
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(maildir, sub), exist_ok=True)
        self.box = mailbox.Maildir(maildir, create=True)
        self.refuse = refuse
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                return "451 4.3.0 not now, try again later"
            msg = mailbox.MaildirMessage(envelope.original_content)
            msg["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            msg["X-Envelope-From"] = envelope.mail_from
            self.box.add(msg)
        return "250 2.0.0 OK"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--maildir", required=True)
    ap.add_argument("--refuse", type=int, default=0)
    ap.add_argument("--host", default="127.0.0.1")
    a = ap.parse_args()
    ctl = Controller(Sink(a.maildir, a.refuse), hostname=a.host, port=a.port,
                     decode_data=False)
    ctl.start()
    print("ready", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    ctl.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
