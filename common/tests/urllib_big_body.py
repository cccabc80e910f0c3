#!/usr/bin/env python3
"""urllib_big_body.py URL SIZE: POSTs SIZE bytes of JSON with Python's urllib,
which writes the whole body before reading the answer, and prints the status
and the error code it read (or the exception it met instead). Driven by
test_server.c: an oversized body must be answered 413, not reset."""
import json
import sys
import urllib.error
import urllib.request

url, size = sys.argv[1], int(sys.argv[2])
body = b'{"a":"' + b"x" * (size - 8) + b'"}'
req = urllib.request.Request(url, data=body, method="POST",
                             headers={"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(req, timeout=30) as r:
        print(r.status, "-", r.headers.get("X-Request-Id") or "-")
except urllib.error.HTTPError as e:
    code = json.loads(e.read()).get("error", {}).get("code", "-")
    print(e.code, code, e.headers.get("X-Request-Id") or "-")
except Exception as e:  # a reset or a broken pipe: what the test must not see
    print("0", type(e).__name__, "-")
