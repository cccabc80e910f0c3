#!/usr/bin/python3
"""read_mail.py: the messages of a maildir as one JSON document, for the
tests: [{headers (decoded: From, To, Subject, Message-ID, Date,
Content-Type, X-Envelope-To), body (the text part, decoded), attachments:
[{filename, content_type, size, pdf (starts %PDF- and ends %%EOF), text
(pdftotext's output, when it is installed)}]}], oldest first.

  /usr/bin/python3 tests/smtp/read_mail.py DIR
"""
import email
import email.header
import email.policy
import json
import mailbox
import os
import shutil
import subprocess
import sys
import tempfile


def decoded(v):
    return str(email.header.make_header(email.header.decode_header(v))) if v else None


def main():
    box = mailbox.Maildir(sys.argv[1], create=False)
    out = []
    for key in box.keys():
        raw = box.get_bytes(key)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        item = {"headers": {}, "raw_headers": {}, "body": None, "attachments": [],
                "_t": os.path.getmtime(os.path.join(sys.argv[1], "new", key))
                if os.path.exists(os.path.join(sys.argv[1], "new", key)) else 0}
        legacy = email.message_from_bytes(raw)
        for h in ("From", "To", "Subject", "Message-ID", "Date", "Content-Type", "MIME-Version",
                  "X-Envelope-To"):
            item["headers"][h] = decoded(legacy.get(h))
            item["raw_headers"][h] = legacy.get(h)
        for part in msg.walk():
            if part.is_multipart():
                continue
            fn = part.get_filename()
            if fn:
                data = part.get_payload(decode=True)
                att = {"filename": fn, "content_type": part.get_content_type(), "size": len(data),
                       "pdf": data.startswith(b"%PDF-") and b"%%EOF" in data[-64:], "text": None}
                if shutil.which("pdftotext"):
                    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
                        f.write(data)
                        f.flush()
                        r = subprocess.run(["pdftotext", f.name, "-"], capture_output=True)
                        att["text"] = r.stdout.decode("utf-8", "replace") if r.returncode == 0 \
                            else None
                item["attachments"].append(att)
            elif part.get_content_type() == "text/plain" and item["body"] is None:
                item["body"] = part.get_content()
        out.append(item)
    out.sort(key=lambda i: i["_t"])
    for i in out:
        del i["_t"]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
