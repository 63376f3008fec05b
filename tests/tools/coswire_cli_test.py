#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the coswire CLI without the network: usage errors (exit 2, one line naming the flag or
command, after the warning a secret given as a flag draws), settings from COS_* variables with
flags winning, --profile, secrets from files, the presign output and its --expires bound, error
lines (exit 1), and put/get/cp/ls/head/rm/buckets/mb/rb/tag/restore/uploads/parts/resume/abort-all
against loopback HTTP servers standing in for COS behind --endpoint; then a lying server: partial
or mismatched GET answers (refused, FILE left as it was), a copy answered 200 with an <Error>
body, listings that never end, and control characters in metadata, error messages and listed
keys (shown escaped). Every output of every run, the demo's included, is scanned for the secret key, the
session token and every sign key derived for a key time that was used.

Usage: coswire_cli_test.py PATH_TO_COSWIRE
"""
import hashlib
import hmac
import html
import http.server
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

BIN = sys.argv[1]
SECRET_KEY = "cliTestSecretKey0123456789abcdefXYZ"
TOKEN = "tok/EN+123=="
BASE_ENV = {k: v for k, v in os.environ.items() if not k.startswith("COS_")}
failures = []
OUTPUTS = []       # (args, stdout, stderr, secret key, token) of every run, scanned at the end
KEY_TIMES = set()  # every q-key-time seen in an output or a request
PEAKS = {}         # --jobs -> peak RSS (KiB) of a get of 100 MiB


def note_key_times(text):
    KEY_TIMES.update(re.findall(r"q-key-time=(\d+;\d+)", urllib.parse.unquote(text or "")))


# Runs argv[2:] and writes its peak RSS (KiB, getrusage of the children) to the file argv[1].
MEASURE = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[2:]); "
           "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); sys.exit(r.returncode)")


def run(args, env=None, secret=SECRET_KEY, token=TOKEN, stdin_bytes=None, measure=False, binary=False):
    """Runs coswire with `args`; stdin_bytes: its standard input; measure: through MEASURE, which
    writes the peak RSS to env's COSWIRE_PEAK_FILE (args[0] is then a label); binary: stdout as
    bytes (an object written to -)."""
    full = dict(BASE_ENV)
    full.update(env or {})
    command = [sys.executable, "-c", MEASURE, full["COSWIRE_PEAK_FILE"], BIN] + args[1:] if measure else [BIN] + args
    p = subprocess.run(command, env=full, capture_output=True, timeout=120, input=stdin_bytes or b"")
    out, err = p.stdout if binary else p.stdout.decode("utf-8", "surrogateescape"), p.stderr.decode("utf-8", "surrogateescape")
    OUTPUTS.append((args, out if not binary else out.decode("utf-8", "surrogateescape"), err, secret, token))
    note_key_times(out if not binary else "")
    return p.returncode, out, err



def check(name, condition, detail=""):
    if not condition:
        failures.append(f"{name}: {detail}")


WARNING = {
    "--secret-key": "warning: --secret-key on the command line is visible to other users of this machine; "
                    "use --secret-key-file or COS_SECRET_KEY\n",
    "--token": "warning: --token on the command line is visible to other users of this machine; "
               "use --token-file or COS_SESSION_TOKEN\n",
}


def warnings_for(*flags):
    return "".join(WARNING[f] for f in flags)


def expect_usage(name, args, needle, env=None, warned=()):
    """warned: the secret flags whose warning precedes the error (the command line was read to
    its end before the error)."""
    code, out, err = run(args, env)
    prefix = warnings_for(*warned)
    lines = err[len(prefix):].strip().splitlines() if err.startswith(prefix) else []
    check(name, code == 2, f"exit {code}, stderr {err!r}")
    check(name, len(lines) == 1 and needle in lines[0], f"stderr {err!r} should be {prefix!r} and one line naming {needle!r}")
    check(name, out == "", f"stdout {out!r}")
    check(name, SECRET_KEY not in out + err, "the secret key was printed")
    return err


CREDS = ["--secret-id", "AKIDcliTest", "--secret-key", SECRET_KEY]
ENV_CREDS = {"COS_SECRET_ID": "AKIDcliTest", "COS_SECRET_KEY": SECRET_KEY}
LOCATION = ["--bucket", "examplebucket-1250000000", "--region", "ap-beijing"]

# ---- usage errors -------------------------------------------------------------------------------
expect_usage("no command", [], "command")
expect_usage("unknown command", ["fly"], "'fly'")
expect_usage("unknown command that could be a secret is not echoed", [SECRET_KEY, "put"], "unknown command")
expect_usage("unknown global flag", ["--colour", "x", "head", "k"], "--colour")
expect_usage("flag of another command", LOCATION + CREDS + ["head", "k", "--range", "0-1"], "--range")
expect_usage("missing flag value", ["head", "k", "--bucket"], "--bucket")
expect_usage("too few arguments", LOCATION + CREDS + ["put", "only-one"], "put")
expect_usage("too many arguments", LOCATION + CREDS + ["head", "a", "b"], "head")
expect_usage("missing bucket", CREDS + ["head", "k"], "--bucket", warned=("--secret-key",))
expect_usage("missing region", CREDS + ["head", "k"], "--region", {"COS_BUCKET": "examplebucket-1250000000"}, warned=("--secret-key",))
expect_usage("missing secret id", LOCATION + ["head", "k"], "--secret-id")
expect_usage("missing secret key", LOCATION + ["--secret-id", "AKIDcliTest", "head", "k"], "--secret-key")
expect_usage("bad bucket", ["--bucket", "NoAppId", "--region", "ap-beijing"] + CREDS + ["head", "k"], "--bucket", warned=("--secret-key",))
expect_usage("bad secret id", LOCATION + ["--secret-id", "has space", "--secret-key", SECRET_KEY, "head", "k"], "--secret-id", warned=("--secret-key",))
expect_usage("bad endpoint", LOCATION + CREDS + ["--endpoint", "127.0.0.1:9000", "head", "k"], "--endpoint", warned=("--secret-key",))
expect_usage("flag given twice", LOCATION + CREDS + ["--region", "ap-shanghai", "head", "k"], "--region")
expect_usage("bad part size", LOCATION + CREDS + ["put", "f", "k", "--part-size", "1000"], "--part-size", warned=("--secret-key",))
expect_usage("bad jobs", LOCATION + CREDS + ["put", "f", "k", "--jobs", "0"], "--jobs", warned=("--secret-key",))
expect_usage("bad range", LOCATION + CREDS + ["get", "k", "f", "--range", "5-2"], "--range", warned=("--secret-key",))
# SIZE: bytes or a binary suffix (16M = 16 MiB), within the flag's bounds; what cannot go together.
for name, args, flag in [
    ("SIZE with an unknown suffix", ["get", "k", "f", "--part-size", "1X"], "--part-size"),
    ("SIZE below a download's 64 KiB", ["get", "k", "f", "--part-size", "63K"], "--part-size"),
    ("SIZE past 2^64", ["put", "f", "k", "--threshold", "99999999999999999999"], "--threshold"),
    ("SIZE with a fraction", ["put", "f", "k", "--part-size", "1.5M"], "--part-size"),
    ("SIZE below a part's 1 MiB", ["put", "f", "k", "--part-size", "1023K"], "--part-size"),
    ("get - with --jobs 2", ["get", "k", "-", "--jobs", "2"], "--jobs"),
    ("get - with --resume", ["get", "k", "-", "--resume"], "--resume"),
    ("get - with --fsync", ["get", "k", "-", "--fsync"], "--fsync"),
    ("get --range with --jobs", ["get", "k", "f", "--range", "0-9", "--jobs", "2"], "--jobs"),
    ("put - with --jobs 2", ["put", "-", "k", "--jobs", "2"], "--jobs"),
    ("put - with a threshold above its part size", ["put", "-", "k", "--part-size", "16M", "--threshold", "17M"], "--threshold"),
]:
    err = expect_usage(name, LOCATION + CREDS + args, flag, warned=("--secret-key",))
    if "SIZE" in name:
        check(name + ": the message says what a SIZE is", "16M is 16 MiB" in err, repr(err))
expect_usage("a switch given twice", LOCATION + ["get", "k", "f", "--resume", "--resume"], "--resume")
expect_usage("bad expires", LOCATION + CREDS + ["presign", "k", "--expires", "soon"], "--expires", warned=("--secret-key",))
expect_usage("bad upload id", LOCATION + CREDS + ["resume", "f", "k", "has space"], "UPLOAD_ID", warned=("--secret-key",))
code, out, _ = run(["--help"])
check("--help", code == 0 and "presign KEY" in out, out)

# --version, from include/coswire/version.hpp's three macros.
VERSION_HPP = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "include", "coswire", "version.hpp")).read()
VERSION = ".".join(re.search(rf"#define COSWIRE_VERSION_{part} (\d+)", VERSION_HPP).group(1) for part in ("MAJOR", "MINOR", "PATCH"))
for args in (["--version"], LOCATION + ["--version"]):
    code, out, err = run(args)
    check(f"{args}", code == 0 and out == f"coswire {VERSION}\n" and err == "", f"{code} {out!r} {err!r}")

# COMMAND --help and help COMMAND print the command's line of --help (both from the command table).
code, out, _ = run(["--help"])
listed = {line.split()[0]: line.strip() for line in out.splitlines() if line.startswith("  ") and not line.startswith("   ")}
check("--help lists every command", sorted(listed) == sorted(["put", "get", "cp", "ls", "head", "rm", "buckets", "mb", "rb", "tag",
                                                              "restore", "uploads", "parts", "abort", "abort-all", "resume",
                                                              "presign", "demo", "help"]), str(sorted(listed)))
for name, line in listed.items():
    expected = f"usage: coswire [GLOBAL FLAGS] {line}\n(coswire --help lists the global flags and settings)\n"
    for args in ([name, "--help"], ["help", name], LOCATION + [name, "-h"]):
        code, out, err = run(args)
        check(f"{args}", code == 0 and out == expected and err == "", f"{code} {out!r} {err!r}")
code, out, err = run(["put", "--help"])
check("put --help, exactly", out == "usage: coswire [GLOBAL FLAGS] put FILE|- KEY [--part-size SIZE] [--threshold SIZE] [--jobs N] "
      "[--keep] [--no-md5]\n(coswire --help lists the global flags and settings)\n", repr(out))
expect_usage("help for an unknown command", ["help", "fly"], "COMMAND: unknown command 'fly'")
expect_usage("help without a command", ["help"], "help: expects COMMAND")

# A KEY is checked before anything is sent: a usage error naming KEY (exit 2) for every command
# that takes one. A leading '/' (a path, not a key) says which key was probably meant.
for args in (["head", "/dir/a.txt"], ["rm", "/dir/a.txt"], ["parts", "/dir/a.txt", "up1"], ["abort", "/dir/a.txt", "up1"],
             ["put", "f", "/dir/a.txt"], ["get", "/dir/a.txt", "f"], ["resume", "f", "/dir/a.txt", "up1"],
             ["presign", "/dir/a.txt"], ["presign", "//dir/a.txt"]):
    err = expect_usage(f"leading slash: {args[0]}", LOCATION + args, "KEY: starts with '/'", ENV_CREDS)
    check(f"leading slash: {args[0]} says why and what was meant",
          "COS keys have no leading slash" in err and "did you mean 'dir/a.txt'?" in err, repr(err))
expect_usage("a KEY of only slashes", LOCATION + ["head", "//"], "KEY: starts with '/'", ENV_CREDS)
expect_usage("an empty KEY", LOCATION + ["rm", ""], "KEY: must not be empty", ENV_CREDS)
expect_usage("a KEY with a '..' segment", LOCATION + ["get", "a/../b", "f"], "KEY: has a '..' path segment", ENV_CREDS)
for command in ("parts", "abort", "resume"):
    args = [command, "k", "has space"] if command != "resume" else [command, "f", "k", "has space"]
    expect_usage(f"bad upload id: {command}", LOCATION + args, "UPLOAD_ID", ENV_CREDS)

# ---- presign: needs no network ------------------------------------------------------------------
HOST = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com"
ENV = {"COS_SECRET_ID": "AKIDcliTest", "COS_SECRET_KEY": SECRET_KEY, "COS_BUCKET": "examplebucket-1250000000",
       "COS_REGION": "ap-beijing"}


def presign(args, env, warned=(), secret=SECRET_KEY, token=TOKEN):
    code, out, err = run(args, env, secret=secret, token=token)
    check(f"presign {args}", code == 0 and err == warnings_for(*warned) and out.count("\n") == 1, f"exit {code}, stderr {err!r}")
    check(f"presign {args}", SECRET_KEY not in out + err, "the secret key was printed")
    url = urllib.parse.urlsplit(out.strip())
    return url, dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))


url, q = presign(["presign", "doc/a b+c.txt"], ENV)
check("presign host from the environment", url.scheme == "https" and url.netloc == HOST, url.geturl())
check("presign encodes the key", url.path == "/doc/a%20b%2Bc.txt", url.path)
check("presign signs with sha1", q.get("q-sign-algorithm") == "sha1" and q.get("q-ak") == "AKIDcliTest", str(q))
check("presign signs Host only", q.get("q-header-list") == "host", str(q))
check("presign has a signature", re.fullmatch(r"[0-9a-f]{40}", q.get("q-signature", "")) is not None, str(q))
start, end = (int(t) for t in q["q-sign-time"].split(";"))
check("presign lasts an hour by default", end - start == 3600 and q["q-key-time"] == q["q-sign-time"], q["q-sign-time"])
check("presign without a token", "x-cos-security-token" not in q, str(q))

url, q = presign(["presign", "k", "--method", "PUT", "--expires", "60"], dict(ENV, COS_SESSION_TOKEN=TOKEN))
check("presign carries the session token", q.get("x-cos-security-token") == TOKEN, str(q))
start, end = (int(t) for t in q["q-sign-time"].split(";"))
check("presign --expires", end - start == 60, q["q-sign-time"])

_, q_get = presign(["presign", "k", "--expires", "60"], dict(ENV, COS_SESSION_TOKEN=TOKEN))
check("presign --method changes the signature", q_get["q-signature"] != q["q-signature"] or q_get["q-sign-time"] != q["q-sign-time"])

url, q = presign(["--bucket", "other-1250000000", "--secret-id", "AKIDflag", "--token", "flagtoken", "presign", "k"],
                 dict(ENV, COS_SESSION_TOKEN=TOKEN), warned=("--token",))
check("flags win over the environment", url.netloc == "other-1250000000.cos.ap-beijing.myqcloud.com" and
      q.get("q-ak") == "AKIDflag" and q.get("x-cos-security-token") == "flagtoken", url.geturl())


# ---- secrets from files and the environment; the command-line warning -------------------------------
def presign_signature(secret, q, path="/k", host=HOST):
    """The q-signature COS expects for a presigned GET of `path` signing Host (and the token)."""
    if "q-key-time" not in q or "q-url-param-list" not in q:
        return "(not a presigned URL)"
    key_time = q["q-key-time"]
    params = "&".join(f"{n}={urllib.parse.quote(q[n], safe='-_.~')}" for n in q["q-url-param-list"].split(";") if n)
    http_string = f"get\n{path}\n{params}\nhost={urllib.parse.quote(host, safe='-_.~')}\n"
    string_to_sign = f"sha1\n{key_time}\n{hashlib.sha1(http_string.encode()).hexdigest()}\n"
    sign_key = hmac.new(secret.encode(), key_time.encode(), hashlib.sha1).hexdigest()
    return hmac.new(sign_key.encode(), string_to_sign.encode(), hashlib.sha1).hexdigest()


FILE_KEY = "fileSecretKey0123456789abcdefghijKLM"
FILE_TOKEN = "file/TOKEN+abc=="
NO_SECRETS = {k: v for k, v in ENV.items() if k != "COS_SECRET_KEY"}
with tempfile.TemporaryDirectory() as tmp:
    def secret_file(name, content):
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(content)
        return path

    for label, content in (("LF", FILE_KEY + "\n"), ("CRLF", FILE_KEY + "\r\n"), ("no newline", FILE_KEY)):
        key_file = secret_file("key", content.encode())
        url, q = presign(["--secret-key-file", key_file, "presign", "k"], NO_SECRETS, secret=FILE_KEY)
        check(f"--secret-key-file ({label}) signs with the file's key", q.get("q-signature") == presign_signature(FILE_KEY, q), str(q))
    key_file = secret_file("key", (FILE_KEY + "\n").encode())
    token_file = secret_file("token", (FILE_TOKEN + "\n").encode())
    url, q = presign(["--secret-key-file", key_file, "--token-file", token_file, "presign", "k"],
                     dict(ENV, COS_SESSION_TOKEN=TOKEN), secret=FILE_KEY, token=FILE_TOKEN)
    check("the files win over COS_SECRET_KEY and COS_SESSION_TOKEN",
          q.get("x-cos-security-token") == FILE_TOKEN and q.get("q-signature") == presign_signature(FILE_KEY, q), str(q))
    url, q = presign(["presign", "k"], dict(ENV, COS_SESSION_TOKEN=TOKEN))
    check("the environment, with no flag or file", q.get("x-cos-security-token") == TOKEN and
          q.get("q-signature") == presign_signature(SECRET_KEY, q), str(q))
    url, q = presign(["--secret-key", FILE_KEY, "presign", "k"], ENV, warned=("--secret-key",), secret=FILE_KEY)
    check("--secret-key wins over COS_SECRET_KEY, with the warning", q.get("q-signature") == presign_signature(FILE_KEY, q), str(q))
    url, q = presign(["--secret-key", FILE_KEY, "--token", FILE_TOKEN, "presign", "k"], ENV, warned=("--secret-key", "--token"),
                     secret=FILE_KEY, token=FILE_TOKEN)
    check("--token with --secret-key: both warnings, once each", q.get("x-cos-security-token") == FILE_TOKEN, str(q))

    expect_usage("--secret-key-file that does not exist", ["--secret-key-file", os.path.join(tmp, "none"), "presign", "k"],
                 "--secret-key-file", NO_SECRETS)
    expect_usage("empty --secret-key-file", ["--secret-key-file", secret_file("empty", b""), "presign", "k"],
                 "--secret-key-file", NO_SECRETS)
    expect_usage("--secret-key-file holding only a newline", ["--secret-key-file", secret_file("nl", b"\n"), "presign", "k"],
                 "--secret-key-file", NO_SECRETS)
    expect_usage("--secret-key-file of two lines", ["--secret-key-file", secret_file("two", b"a\nb\n"), "presign", "k"],
                 "--secret-key-file", NO_SECRETS)
    expect_usage("empty --token-file", ["--token-file", secret_file("empty", b"\r\n"), "presign", "k"], "--token-file", ENV)
    err = expect_usage("--secret-key with --secret-key-file", ["--secret-key", SECRET_KEY, "--secret-key-file", key_file, "presign", "k"],
                       "--secret-key-file", NO_SECRETS, warned=("--secret-key",))
    check("--secret-key with --secret-key-file names both", "combined with --secret-key;" in err, repr(err))
    expect_usage("--token with --token-file", ["--token", FILE_TOKEN, "--token-file", token_file, "presign", "k"], "--token-file", ENV,
                 warned=("--token",))
    expect_usage("no secret key anywhere", ["presign", "k"], "--secret-key", NO_SECRETS)

# ---- --profile: the settings of a profile of the credentials file ------------------------------------
PROFILE_KEY = "profileSecretKey0123456789abcdefXYZ"
PROFILE_TOKEN = "profile/TOKEN+xyz=="
with tempfile.TemporaryDirectory() as tmp:
    creds_file = os.path.join(tmp, "credentials")
    with open(creds_file, "w") as f:
        f.write("secret_id = AKIDdefault\nsecret_key = defaultSecretKey0123456789abcdef\n\n[staging]\nsecret_id = AKIDstaging\n"
                f"secret_key = {PROFILE_KEY}\nsession_token = {PROFILE_TOKEN}\nbucket = staging-1250000000\nregion = ap-guangzhou\n")
    with_file = dict(ENV, COS_CREDENTIALS_FILE=creds_file, COS_SESSION_TOKEN=TOKEN)
    url, q = presign(["--profile", "staging", "presign", "k"], with_file, secret=PROFILE_KEY, token=PROFILE_TOKEN)
    check("--profile: keys, token, bucket and region from the profile, over the variables",
          url.netloc == "staging-1250000000.cos.ap-guangzhou.myqcloud.com" and q.get("q-ak") == "AKIDstaging" and
          q.get("x-cos-security-token") == PROFILE_TOKEN and
          q.get("q-signature") == presign_signature(PROFILE_KEY, q, host="staging-1250000000.cos.ap-guangzhou.myqcloud.com"), str(q))
    url, q = presign(["--profile", "staging", "--bucket", "other-1250000000", "--secret-id", "AKIDflag", "presign", "k"], with_file,
                     secret=PROFILE_KEY, token=PROFILE_TOKEN)
    check("--profile: flags still win", url.netloc == "other-1250000000.cos.ap-guangzhou.myqcloud.com" and
          q.get("q-ak") == "AKIDflag", url.geturl())
    url, q = presign(["--profile", "default", "presign", "k"], dict(ENV, COS_CREDENTIALS_FILE=creds_file, COS_SESSION_TOKEN=TOKEN),
                     secret="defaultSecretKey0123456789abcdef")
    check("--profile default: the lines before any [name]; no token from the environment", q.get("q-ak") == "AKIDdefault" and
          "x-cos-security-token" not in q and url.netloc == HOST, url.geturl())
    err = expect_usage("--profile that the file does not have", ["--profile", "prod", "presign", "k"], "--profile", with_file)
    check("--profile that the file does not have: says so", "no profile [prod]" in err, repr(err))
    expect_usage("--profile without a file", ["--profile", "staging", "presign", "k"], "--profile",
                 dict(ENV, COS_CREDENTIALS_FILE=os.path.join(tmp, "none")))
    with open(creds_file, "a") as f:
        f.write(f"[broken]\nsecret_key {PROFILE_KEY}\n")
    err = expect_usage("--profile of a malformed file: the line number, not the line", ["--profile", "staging", "presign", "k"],
                       "--profile", with_file)
    check("--profile of a malformed file names the line", "line 11" in err and PROFILE_KEY not in err, repr(err))

# ---- presign --expires: at most 7 days, 36 hours with a session token ---------------------------------
def lifetime(q):
    start, _, end = q.get("q-sign-time", "0;0").partition(";")
    return int(end) - int(start)


url, q = presign(["presign", "k", "--expires", "604800"], ENV)
check("presign --expires 604800 (7 days)", lifetime(q) == 604800, str(q))
err = expect_usage("presign --expires past 7 days", ["presign", "k", "--expires", "604801"], "--expires", ENV)
check("presign --expires past 7 days names the bound", "604800" in err, repr(err))
url, q = presign(["presign", "k", "--expires", "129600"], dict(ENV, COS_SESSION_TOKEN=TOKEN))
check("presign --expires 129600 (36 hours) with a token", lifetime(q) == 129600, str(q))
err = expect_usage("presign --expires past 36 hours with a token", ["presign", "k", "--expires", "129601"], "--expires",
                   dict(ENV, COS_SESSION_TOKEN=TOKEN))
check("presign --expires past 36 hours names the bound", "129600" in err, repr(err))

# presign --endpoint-url: the URL (alone on stdout) is for the --endpoint origin, which is signed
# as its Host; without the switch --endpoint leaves the URL on COS's host.
for env in (dict(ENV, COS_ENDPOINT="http://127.0.0.1:9000"), ENV):
    extra = [] if "COS_ENDPOINT" in env else ["--endpoint", "http://127.0.0.1:9000"]
    url, q = presign(extra + ["presign", "k", "--endpoint-url"], env)
    check(f"presign --endpoint-url {extra}", url.scheme == "http" and url.netloc == "127.0.0.1:9000" and url.path == "/k" and
          q.get("q-signature") == presign_signature(SECRET_KEY, q, host="127.0.0.1:9000"), url.geturl())
url, q = presign(["--endpoint", "http://127.0.0.1:9000", "presign", "k"], ENV)
check("presign --endpoint without --endpoint-url keeps COS's host", url.scheme == "https" and url.netloc == HOST and
      q.get("q-signature") == presign_signature(SECRET_KEY, q), url.geturl())
expect_usage("presign --endpoint-url without --endpoint", ["presign", "k", "--endpoint-url"], "--endpoint-url", ENV)


# ---- errors from a server (loopback stand-in for COS) ---------------------------------------------
class KeepAliveHandler(http.server.BaseHTTPRequestHandler):
    """What the test's servers share: keep-alive HTTP/1.1 connections, answered without delay."""
    protocol_version = "HTTP/1.1"
    # The head and body go out in separate writes; without TCP_NODELAY each keep-alive answer
    # waits for the client's delayed ACK (about 40 ms), which made the 1000-page listings take minutes.
    disable_nagle_algorithm = True


class Handler(KeepAliveHandler):
    seen = []

    def answer(self, status, body, extra=()):
        self.send_response(status)
        for name, value in extra:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self):
        note_key_times(self.headers.get("Authorization"))
        Handler.seen.append((self.command, self.path, self.headers.get("Host"), self.headers.get("Authorization", "")))
        self.answer(404, b"", [("x-cos-request-id", "req-head")])

    def do_GET(self):
        note_key_times(self.headers.get("Authorization"))
        Handler.seen.append((self.command, self.path, self.headers.get("Host"), self.headers.get("Authorization", "")))
        body = (b"<?xml version='1.0' encoding='utf-8' ?>\n<Error><Code>AccessDenied</Code>"
                b"<Message>Access Denied.</Message><RequestId>req-42</RequestId></Error>")
        self.answer(403, body, [("Content-Type", "application/xml"), ("x-cos-request-id", "req-42")])

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
endpoint = f"http://127.0.0.1:{server.server_address[1]}"

code, out, err = run(["--endpoint", endpoint, "uploads"], ENV)
check("COS error: exit 1", code == 1, f"exit {code}, stderr {err!r}")
check("COS error: one line", err == "error: AccessDenied (403): Access Denied. [request-id req-42]\n", repr(err))
check("COS error: not retried", len(Handler.seen) == 1, str(Handler.seen))
check("--endpoint keeps the COS Host", Handler.seen and Handler.seen[0][2] == HOST, str(Handler.seen))
check("--endpoint keeps the target", Handler.seen and Handler.seen[0][1].startswith("/?uploads"), str(Handler.seen))
check("the request is signed", Handler.seen and "q-signature=" in Handler.seen[0][3], str(Handler.seen))
check("COS error: no secret", SECRET_KEY not in out + err)

code, out, err = run(["--endpoint", endpoint, "head", "missing.txt"], ENV)
check("HEAD 404: exit 1 with the derived code", code == 1 and err.startswith("error: NoSuchResource (404): ") and
      err.strip().endswith("[request-id req-head]") and err.count("\n") == 1, repr(err))
server.shutdown()

with socket.socket() as s:  # a port that refuses connections
    s.bind(("127.0.0.1", 0))
    closed = s.getsockname()[1]
code, out, err = run(["--endpoint", f"http://127.0.0.1:{closed}", "rm", "k"], ENV)
check("refused connection: exit 1, one line", code == 1 and err.startswith("error: transport: ") and err.count("\n") == 1,
      repr(err))

code, out, err = run(["--endpoint", endpoint, "put", "/nonexistent/file", "k"], ENV)
check("missing file: exit 1", code == 1 and err.startswith("error: FILE: /nonexistent/file: "), repr(err))

# ---- put, get, listings, abort-all, resume against a loopback fake COS -----------------------------
# It keeps objects and uploads in memory, pages listings two parts / one upload at a time, and
# does not check signatures (the emulator tests do that).
def crc64(data):
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xC96C5795D7870F42 if c & 1 else c >> 1
        table.append(c)
    crc = 0xFFFFFFFFFFFFFFFF
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFFFFFFFFFF


class FakeCos(KeepAliveHandler):
    objects, uploads, counter = {}, {}, [0]
    failing_part = {}  # part number -> (status, code): Upload Part of that number always fails
    gets = []          # (key, Range) of every GET Object
    get_budget = None  # when set: GETs left before every GET answers 403
    get_delay = 0      # seconds each GET Object waits before answering
    no_crc = set()     # keys answered without x-cos-hash-crc64ecma
    put_md5s = []      # (key, Content-MD5 or None) of every PUT (objects and parts)
    no_crc_on_put = set()  # keys whose PUT Object answer has no x-cos-hash-crc64ecma (HEAD and GET may)
    hold_gets_after = None   # when set: GET Objects after this many wait for `release`
    hold_parts_after = None  # when set: Upload Parts after this many (counted in parts_put) wait for `release`
    parts_put = [0]
    release = threading.Event()
    wrong_crc = {}     # key -> the CRC-64 announced instead of the right one
    page_size = 2      # entries per page of GET Bucket and of the version listing
    versions = []      # (key, version id, delete marker?, size) rows of the version listing, in its order
    refuse_delete = {}  # key -> (code, message): DELETE Multiple Objects reports it as not deleted
    batches = []       # key count of every DELETE Multiple Objects request
    tags = {}          # key -> the Tagging document last PUT
    archived = set()   # keys whose GET answers 403 InvalidObjectState
    restoring = set()  # keys with a restore running (a second POST ?restore answers 409)
    restored = set()   # keys with a restored copy (POST ?restore answers 200)
    copy_sources = []  # x-cos-copy-source of every copy request
    bucket_calls = []  # (method, Host) of every bucket-level PUT and DELETE

    def fail(self, status, code):
        body = (f"<?xml version='1.0' encoding='utf-8' ?>\n<Error><Code>{code}</Code><Message>injected</Message>"
                f"<RequestId>req-part</RequestId></Error>").encode()
        self.reply(status, body, [("Content-Type", "application/xml"), ("x-cos-request-id", "req-part")])

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def target(self):
        note_key_times(self.headers.get("Authorization"))
        url = urllib.parse.urlsplit(self.path)
        return urllib.parse.unquote(url.path[1:]), dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))

    def copy(self, key, q):
        """PUT Object - Copy and Upload Part - Copy, from this store (any bucket named)."""
        source = self.headers["x-cos-copy-source"]
        self.copy_sources.append(source)
        data = self.objects.get(urllib.parse.unquote(source.split("/", 1)[1]))
        if data is None:
            return self.fail(404, "NoSuchKey")
        if "uploadId" in q:
            first, last = (int(n) for n in self.headers["x-cos-copy-source-range"][6:].split("-"))
            part = data[first:last + 1]
            etag = '"%s"' % hashlib.md5(part).hexdigest()
            self.uploads[q["uploadId"]][1][int(q["partNumber"])] = (part, etag)
            return self.reply(200, f"<CopyPartResult><ETag>{etag}</ETag><LastModified>2023-11-14T22:13:20.000Z</LastModified>"
                                   f"</CopyPartResult>".encode())
        self.objects[key] = data
        etag = hashlib.md5(data).hexdigest()
        self.reply(200, f"<CopyObjectResult><ETag>&quot;{etag}&quot;</ETag><LastModified>2023-11-14T22:13:20.000Z</LastModified>"
                        f"<CRC64>{crc64(data)}</CRC64></CopyObjectResult>".encode(), [("x-cos-hash-crc64ecma", str(crc64(data)))])

    def do_PUT(self):
        key, q = self.target()
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if "x-cos-copy-source" in self.headers:
            return self.copy(key, q)
        if key == "":
            self.bucket_calls.append(("PUT", self.headers["Host"]))
            return self.reply(200)
        if "tagging" in q:
            self.tags[key] = body
            return self.reply(200)
        self.put_md5s.append((key, self.headers.get("Content-MD5")))
        etag = '"%s"' % hashlib.md5(body).hexdigest()
        if "partNumber" in q and int(q["partNumber"]) in self.failing_part:
            return self.fail(*self.failing_part[int(q["partNumber"])])
        if "uploadId" in q:
            self.parts_put[0] += 1
            if self.hold_parts_after is not None and self.parts_put[0] > self.hold_parts_after:
                self.release.wait(30)
            if q["uploadId"] not in self.uploads:  # aborted meanwhile
                return self.fail(404, "NoSuchUpload")
            self.uploads[q["uploadId"]][1][int(q["partNumber"])] = (body, etag)
        else:
            self.objects[key] = body
        if "uploadId" not in q and (key in self.no_crc or key in self.no_crc_on_put):
            return self.reply(200, headers=[("ETag", etag)])
        self.reply(200, headers=[("ETag", etag), ("x-cos-hash-crc64ecma", str(crc64(body)))])

    def do_POST(self):
        key, q = self.target()
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if "delete" in q:  # quiet mode: only the refused keys are listed
            keys = [html.unescape(k) for k in re.findall(r"<Key>(.*?)</Key>", body.decode())]
            self.batches.append(len(keys))
            errors = ""
            for k in keys:
                if k in self.refuse_delete:
                    code, message = self.refuse_delete[k]
                    errors += f"<Error><Key>{html.escape(k)}</Key><Code>{code}</Code><Message>{message}</Message></Error>"
                else:
                    self.objects.pop(k, None)
            return self.reply(200, f"<DeleteResult>{errors}</DeleteResult>".encode())
        if "restore" in q:
            if key in self.restoring:
                return self.fail(409, "RestoreAlreadyInProgress")
            if key in self.restored:
                return self.reply(200)
            self.restoring.add(key)
            return self.reply(202)
        if "uploads" in q:
            self.counter[0] += 1
            upload_id = "up%04d" % self.counter[0]
            self.uploads[upload_id] = (key, {})
            xml = f"<InitiateMultipartUploadResult><Key>{key}</Key><UploadId>{upload_id}</UploadId></InitiateMultipartUploadResult>"
            return self.reply(200, xml.encode())
        key, parts = self.uploads.pop(q["uploadId"])
        numbers = [int(n) for n in re.findall(r"<PartNumber>(\d+)</PartNumber>", body.decode())]
        self.objects[key] = b"".join(parts[n][0] for n in numbers)
        xml = f"<CompleteMultipartUploadResult><Key>{key}</Key><ETag>&quot;feed-{len(numbers)}&quot;</ETag></CompleteMultipartUploadResult>"
        self.reply(200, xml.encode(), [("x-cos-hash-crc64ecma", str(crc64(self.objects[key])))])

    def do_DELETE(self):
        key, q = self.target()
        if key == "":
            self.bucket_calls.append(("DELETE", self.headers["Host"]))
            return self.reply(204)
        if "tagging" in q:
            self.tags.pop(key, None)
            return self.reply(204)
        if "uploadId" in q:
            self.uploads.pop(q["uploadId"], None)
        else:
            self.objects.pop(key, None)
        self.reply(204)

    def do_HEAD(self):
        self.do_GET()

    def page(self, entries, after):
        """The entries after `after`, page_size of them, and whether more follow."""
        rest = [e for e in entries if e > after]
        return rest[:self.page_size], len(rest) > self.page_size

    def list_objects(self, q):
        prefix, delimiter = q.get("prefix", ""), q.get("delimiter", "")
        entries = set()
        for k in self.objects:
            if k.startswith(prefix):
                cut = k.find(delimiter, len(prefix)) if delimiter else -1
                entries.add(k[:cut + len(delimiter)] if cut >= 0 else k)
        page, more = self.page(sorted(entries), q.get("marker", ""))
        xml = f"<ListBucketResult><Name>examplebucket-1250000000</Name><IsTruncated>{str(more).lower()}</IsTruncated>"
        if more:
            xml += f"<NextMarker>{html.escape(page[-1])}</NextMarker>"
        for e in page:
            if delimiter and e.endswith(delimiter) and e not in self.objects:
                xml += f"<CommonPrefixes><Prefix>{html.escape(e)}</Prefix></CommonPrefixes>"
            else:
                xml += (f"<Contents><Key>{html.escape(e)}</Key><LastModified>2023-11-14T22:13:20.000Z</LastModified>"
                        f"<ETag>&quot;{hashlib.md5(self.objects[e]).hexdigest()}&quot;</ETag><Size>{len(self.objects[e])}</Size>"
                        f"<StorageClass>STANDARD</StorageClass></Contents>")
        return self.reply(200, (xml + "</ListBucketResult>").encode())

    def list_versions(self, q):
        rows = [r for r in self.versions if r[0].startswith(q.get("prefix", ""))]
        marker = (q.get("key-marker", ""), q.get("version-id-marker", ""))
        at = next((i + 1 for i, r in enumerate(rows) if (r[0], r[1]) == marker), 0)
        page, more = rows[at:at + self.page_size], len(rows) > at + self.page_size
        xml = f"<ListVersionsResult><Name>examplebucket-1250000000</Name><IsTruncated>{str(more).lower()}</IsTruncated>"
        if more:
            xml += f"<NextKeyMarker>{page[-1][0]}</NextKeyMarker><NextVersionIdMarker>{page[-1][1]}</NextVersionIdMarker>"
        for key, vid, marker_row, size in page:
            common = f"<Key>{key}</Key><VersionId>{vid}</VersionId><IsLatest>false</IsLatest><LastModified>2023-11-14T22:13:20.000Z</LastModified>"
            xml += (f"<DeleteMarker>{common}</DeleteMarker>" if marker_row else
                    f"<Version>{common}<ETag>&quot;e-{vid}&quot;</ETag><Size>{size}</Size><StorageClass>STANDARD</StorageClass></Version>")
        return self.reply(200, (xml + "</ListVersionsResult>").encode())

    def do_GET(self):
        key, q = self.target()
        if self.headers["Host"] == "service.cos.myqcloud.com":
            return self.reply(200, b"<ListAllMyBucketsResult><Owner><ID>qcs::cam::uin/1:uin/1</ID><DisplayName>1</DisplayName></Owner>"
                                   b"<Buckets><Bucket><Name>examplebucket-1250000000</Name><Location>ap-beijing</Location>"
                                   b"<CreationDate>2023-11-14T22:13:20Z</CreationDate></Bucket><Bucket><Name>logs-1250000000</Name>"
                                   b"<Location>ap-guangzhou</Location><CreationDate>2024-01-02T03:04:05Z</CreationDate></Bucket>"
                                   b"</Buckets></ListAllMyBucketsResult>")
        if "tagging" in q:
            return self.reply(200, self.tags.get(key, b"<Tagging><TagSet></TagSet></Tagging>"))
        if key == "" and "versions" in q:
            return self.list_versions(q)
        if key == "" and "uploads" not in q:
            return self.list_objects(q)
        if key in self.archived and self.command == "GET":
            return self.fail(403, "InvalidObjectState")
        if "uploads" in q:  # one upload per page
            after = (q.get("key-marker", ""), q.get("upload-id-marker", ""))
            rest = sorted((k, u) for u, (k, _) in self.uploads.items() if (k, u) > after and k.startswith(q.get("prefix", "")))
            page = "".join(f"<Upload><Key>{k}</Key><UploadId>{u}</UploadId><Initiated>2023-11-14T22:13:20.000Z</Initiated></Upload>"
                           for k, u in rest[:1])
            more = (f"<NextKeyMarker>{rest[0][0]}</NextKeyMarker><NextUploadIdMarker>{rest[0][1]}</NextUploadIdMarker>"
                    if len(rest) > 1 else "")
            truncated = "true" if len(rest) > 1 else "false"
            return self.reply(200, f"<ListMultipartUploadsResult><IsTruncated>{truncated}</IsTruncated>{more}{page}"
                                   f"</ListMultipartUploadsResult>".encode())
        if "uploadId" in q:  # two parts per page
            parts = self.uploads[q["uploadId"]][1]
            rest = [n for n in sorted(parts) if n > int(q.get("part-number-marker", "0"))]
            page = "".join(f"<Part><PartNumber>{n}</PartNumber><ETag>{parts[n][1]}</ETag><Size>{len(parts[n][0])}</Size></Part>"
                           for n in rest[:2])
            more = f"<NextPartNumberMarker>{rest[1]}</NextPartNumberMarker>" if len(rest) > 2 else ""
            truncated = "true" if len(rest) > 2 else "false"
            return self.reply(200, f"<ListPartsResult><IsTruncated>{truncated}</IsTruncated>{more}{page}</ListPartsResult>".encode())
        body = self.objects.get(key)
        if body is None:
            return self.fail(404, "NoSuchKey")
        etag = '"%s"' % hashlib.md5(body).hexdigest()
        headers = [("ETag", etag)]
        if key not in self.no_crc:
            headers.append(("x-cos-hash-crc64ecma", str(self.wrong_crc.get(key, crc64(body)))))
        if self.command == "GET":
            self.gets.append((key, self.headers.get("Range")))
            if self.hold_gets_after is not None and len(self.gets) > self.hold_gets_after:
                self.release.wait(30)
            if self.get_budget is not None:  # a server that fails for good after so many GETs
                if self.get_budget <= 0:
                    return self.fail(403, "AccessDenied")
                self.get_budget -= 1
            time.sleep(self.get_delay)
        if self.headers.get("If-Match") not in (None, etag):
            return self.fail(412, "PreconditionFailed")
        if "Range" in self.headers:  # bytes=FIRST-[LAST], the end clipped to the object's as COS does
            first, _, last = self.headers["Range"][6:].partition("-")
            first, last = int(first), min(int(last or len(body) - 1), len(body) - 1)
            if first >= len(body):
                return self.fail(416, "InvalidRange")
            return self.reply(206, body[first:last + 1], headers + [("Content-Range", f"bytes {first}-{last}/{len(body)}")])
        self.reply(200, body, headers)

    def log_message(self, *args):
        pass


cos = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeCos)
threading.Thread(target=cos.serve_forever, daemon=True).start()
FAKE = dict(ENV, COS_ENDPOINT=f"http://127.0.0.1:{cos.server_address[1]}")
MIB = 1024 * 1024
with tempfile.TemporaryDirectory() as tmp:
    small, big, back = (os.path.join(tmp, n) for n in ("small", "big", "back"))
    small_data = bytes(range(256)) * 40
    big_data = bytes((i * 7 + i // 4096) % 256 for i in range(5 * MIB // 2))
    open(small, "wb").write(small_data)
    open(big, "wb").write(big_data)

    code, out, err = run(["put", small, "dir/small.bin"], FAKE)
    check("put (single)", code == 0 and out == f"etag={hashlib.md5(small_data).hexdigest()} crc64={crc64(small_data)} parts=1\n",
          f"{code} {out!r} {err!r}")
    code, out, err = run(["put", big, "dir/big.bin", "--threshold", str(MIB), "--part-size", str(MIB), "--jobs", "1"], FAKE)
    check("put (multipart)", code == 0 and out == f"etag=feed-3 crc64={crc64(big_data)} parts=3\n" and
          FakeCos.objects.get("dir/big.bin") == big_data, f"{code} {out!r} {err!r}")
    code, out, err = run(["put", big, "dir/big3.bin", "--threshold", str(MIB), "--part-size", str(MIB), "--jobs", "3"], FAKE)
    check("put --jobs 3", code == 0 and out == f"etag=feed-3 crc64={crc64(big_data)} parts=3\n" and
          FakeCos.objects.get("dir/big3.bin") == big_data, f"{code} {out!r} {err!r}")
    sent_md5 = lambda key: [md5 for k, md5 in FakeCos.put_md5s if k == key]
    check("put sends Content-MD5 with the object and every part", sent_md5("dir/small.bin") and sent_md5("dir/big.bin") and
          all(sent_md5("dir/small.bin") + sent_md5("dir/big.bin")), str(FakeCos.put_md5s[-8:]))
    # --no-md5: nothing carries Content-MD5; the CRC-64s still vouch for what was stored, and a
    # PUT answered without one is settled by HEAD's.
    for name, extra in (("single", []), ("multipart", ["--threshold", str(MIB), "--part-size", str(MIB)]),
                        ("multipart --jobs 3", ["--threshold", str(MIB), "--part-size", str(MIB), "--jobs", "3"])):
        key = "nomd5/" + name.replace(" ", "_")
        data = small_data if name == "single" else big_data
        code, out, err = run(["put", small if name == "single" else big, key, "--no-md5"] + extra, FAKE)
        check(f"put --no-md5 ({name}): stored, no Content-MD5 sent",
              code == 0 and f"crc64={crc64(data)}" in out and FakeCos.objects.get(key) == data and sent_md5(key) and
              not any(sent_md5(key)), f"{code} {out!r} {err!r} {sent_md5(key)}")
    FakeCos.no_crc_on_put.add("nomd5/settled")
    code, out, err = run(["put", small, "nomd5/settled", "--no-md5"], FAKE)
    check("put --no-md5: a PUT answered without CRC-64 is settled by HEAD's",
          code == 0 and f"crc64={crc64(small_data)}" in out, f"{code} {out!r} {err!r}")
    FakeCos.no_crc.add("nomd5/unverified")
    code, out, err = run(["put", small, "nomd5/unverified", "--no-md5"], FAKE)
    check("put --no-md5 refuses an object whose CRC-64 neither PUT nor HEAD gives",
          code == 1 and err.startswith("error: x-cos-hash-crc64ecma") and "--no-md5" in err, f"{code} {out!r} {err!r}")
    # --jobs failure paths: a part refused for good, and one failing past the retries (500); in
    # both the workers stop, the upload is aborted (no billed parts left) and nothing is stored.
    for status, code_name in ((403, "AccessDenied"), (500, "InternalError")):
        FakeCos.failing_part = {2: (status, code_name)}
        code, out, err = run(["put", big, "dir/fail.bin", "--threshold", str(MIB), "--part-size", str(MIB), "--jobs", "3"], FAKE)
        check(f"put --jobs 3, part 2 answers {status}: exit 1 with one error line",
              code == 1 and out == "" and err == f"error: {code_name} ({status}): injected [request-id req-part]\n",
              f"{code} {out!r} {err!r}")
        check(f"put --jobs 3, part 2 answers {status}: aborted, nothing stored",
              not any(k == "dir/fail.bin" for k, _ in FakeCos.uploads.values()) and "dir/fail.bin" not in FakeCos.objects,
              str(FakeCos.uploads.keys()))
    FakeCos.failing_part = {}
    code, out, err = run(["get", "dir/big.bin", back], FAKE)
    check("get", code == 0 and open(back, "rb").read() == big_data and out.startswith(f"bytes={len(big_data)} "), f"{out!r} {err!r}")
    code, synced_out, err = run(["get", "dir/big.bin", back, "--fsync"], FAKE)
    check("get --fsync: the same file and result line", code == 0 and open(back, "rb").read() == big_data and synced_out == out,
          f"{synced_out!r} {err!r}")
    code, out, err = run(["get", "dir/big.bin", back, "--range", "10-19"], FAKE)
    check("get --range", code == 0 and open(back, "rb").read() == big_data[10:20], f"{out!r} {err!r}")
    code, out, err = run(["head", "dir/small.bin"], FAKE)
    check("head", code == 0 and f"size={len(small_data)}\n" in out and f"crc64={crc64(small_data)}\n" in out, f"{out!r} {err!r}")

    # Two unfinished uploads (listed over two pages), one with 3 parts (two pages).
    FakeCos.uploads["up9001"] = ("dir/a.bin", {n: (big_data[(n - 1) * MIB:n * MIB], '"%s"' % hashlib.md5(big_data[(n - 1) * MIB:n * MIB]).hexdigest())
                                               for n in (1, 2)})
    FakeCos.uploads["up9002"] = ("dir/b.bin", {n: (b"x" * n, '"e%d"' % n) for n in (1, 2, 3)})
    code, out, err = run(["uploads", "--prefix", "dir/"], FAKE)
    check("uploads (all pages)", out == "dir/a.bin\tup9001\t2023-11-14T22:13:20Z\ndir/b.bin\tup9002\t2023-11-14T22:13:20Z\n",
          f"{out!r} {err!r}")
    code, out, err = run(["parts", "dir/b.bin", "up9002"], FAKE)
    check("parts (all pages)", out == "1\t1\te1\n2\t2\te2\n3\t3\te3\n", f"{out!r} {err!r}")
    code, out, err = run(["parts", "dir/a.bin", "up9001", "--human"], FAKE)
    check("parts --human", code == 0 and [line.split("\t")[1] for line in out.splitlines()] == ["1.0M", "1.0M"], f"{out!r} {err!r}")
    code, out, err = run(["resume", big, "dir/a.bin", "up9001", "--part-size", str(MIB)], FAKE)
    check("resume reuses matching parts", code == 0 and out == f"etag=feed-3 crc64={crc64(big_data)} parts=3 reused=2\n" and
          FakeCos.objects.get("dir/a.bin") == big_data, f"{out!r} {err!r}")
    code, out, err = run(["abort-all", "--prefix", "dir/", "--dry-run"], FAKE)
    check("abort-all --dry-run: lists the upload, aborts nothing",
          code == 0 and out == "dir/b.bin\tup9002\n" and list(FakeCos.uploads) == ["up9002"], f"{out!r} {err!r} {list(FakeCos.uploads)}")
    code, out, err = run(["abort-all", "--prefix", "dir/"], FAKE)
    check("abort-all", code == 0 and out == "dir/b.bin\tup9002\n" and not FakeCos.uploads, f"{out!r} {err!r}")
    code, out, err = run(["rm", "dir/small.bin"], FAKE)
    check("rm", code == 0 and out == "" and "dir/small.bin" not in FakeCos.objects, f"{out!r} {err!r}")

    # ---- ls: all pages (two entries a page), one level unless --recursive, --human, --versions ----
    T = "2023-11-14T22:13:20Z"
    for k, size in (("ls/a.txt", 5), ("ls/b/c.txt", 1536), ("ls/b/d.txt", 3 * MIB // 2), ("ls/e.txt", 0), ("ls/f/g.txt", 7)):
        FakeCos.objects[k] = b"x" * size
    md5 = lambda k: hashlib.md5(FakeCos.objects[k]).hexdigest()
    code, out, err = run(["ls", "ls/"], FAKE)
    check("ls: one level, directories in key order, all pages",
          code == 0 and err == "" and out == f"ls/a.txt\t5\t{md5('ls/a.txt')}\t{T}\nls/b/\tDIR\nls/e.txt\t0\t{md5('ls/e.txt')}\t{T}\n"
                                             "ls/f/\tDIR\n", f"{code} {out!r} {err!r}")
    code, out, err = run(["ls", "ls/b/", "--recursive", "--human"], FAKE)
    check("ls --recursive --human", code == 0 and out == f"ls/b/c.txt\t1.5K\t{md5('ls/b/c.txt')}\t{T}\n"
                                                        f"ls/b/d.txt\t1.5M\t{md5('ls/b/d.txt')}\t{T}\n", f"{code} {out!r} {err!r}")
    code, out, err = run(["ls", "ls/", "--recursive"], FAKE)
    check("ls --recursive: every key under the prefix", code == 0 and [l.split("\t")[0] for l in out.splitlines()] ==
          ["ls/a.txt", "ls/b/c.txt", "ls/b/d.txt", "ls/e.txt", "ls/f/g.txt"], f"{code} {out!r} {err!r}")
    code, out, err = run(["ls", "nothing/"], FAKE)
    check("ls of an empty prefix prints nothing", code == 0 and out == "" and err == "", f"{code} {out!r} {err!r}")
    FakeCos.versions = [("v/a", "v3", True, 0), ("v/a", "v2", False, 2048), ("v/a", "v1", False, 10), ("v/b", "null", False, 1)]
    code, out, err = run(["ls", "v/", "--versions", "--human"], FAKE)
    check("ls --versions: every version and delete marker, all pages, newest first",
          code == 0 and out == f"v/a\tdelete-marker\t-\t{T}\tv3\nv/a\t2.0K\te-v2\t{T}\tv2\nv/a\t10\te-v1\t{T}\tv1\n"
                               f"v/b\t1\te-null\t{T}\tnull\n", f"{code} {out!r} {err!r}")

    # ---- rm of several keys and of a prefix: DELETE Multiple Objects, 1000 keys a request ---------
    code, out, err = run(["rm", "ls/b/c.txt", "ls/e.txt", "--dry-run"], FAKE)
    check("rm KEY... --dry-run lists the keys, deletes nothing", code == 0 and out == "ls/b/c.txt\nls/e.txt\n" and
          "ls/e.txt" in FakeCos.objects and not FakeCos.batches, f"{code} {out!r} {err!r}")
    code, out, err = run(["rm", "ls/b/c.txt", "ls/e.txt"], FAKE)
    check("rm KEY KEY: one batch, deleted=2", code == 0 and out == "deleted=2\n" and FakeCos.batches == [2] and
          "ls/e.txt" not in FakeCos.objects and "ls/b/c.txt" not in FakeCos.objects, f"{code} {out!r} {err!r} {FakeCos.batches}")
    FakeCos.page_size = 1000
    for i in range(2500):
        FakeCos.objects[f"many/{i:05d}"] = b""
    code, out, err = run(["rm", "--prefix", "many/", "--dry-run"], FAKE)
    check("rm --prefix --dry-run: every key under the prefix, nothing deleted",
          code == 0 and out.splitlines() == [f"many/{i:05d}" for i in range(2500)] and len(FakeCos.batches) == 1, f"{code} {err!r}")
    FakeCos.refuse_delete = {"many/00007": ("AccessDenied", "not yours"), "many/02400": ("InternalError", "try again")}
    code, out, err = run(["rm", "--prefix", "many/"], FAKE)
    check("rm --prefix of 2500 keys: requests of 1000, 1000 and 500; the refused keys listed, exit 1",
          code == 1 and out == "deleted=2498\n" and FakeCos.batches[1:] == [1000, 1000, 500] and
          err == "error: COS refused to delete 2 of the 2500 keys:\nmany/00007\tAccessDenied\tnot yours\n"
                 "many/02400\tInternalError\ttry again\n" and sorted(k for k in FakeCos.objects if k.startswith("many/")) ==
          ["many/00007", "many/02400"], f"{code} {out!r} {err!r} {FakeCos.batches}")
    FakeCos.refuse_delete, FakeCos.page_size = {}, 2
    expect_usage("rm without KEY or --prefix", ["rm"], "rm: expects KEY... or --prefix P", FAKE)
    expect_usage("rm KEY with --prefix", ["rm", "k", "--prefix", "p/"], "--prefix", FAKE)
    expect_usage("rm --prefix ''", ["rm", "--prefix", ""], "--prefix: must not be empty", FAKE)
    expect_usage("rm of several keys, one with a leading slash", ["rm", "a", "/b"], "KEY: starts with '/'", FAKE)

    # ---- buckets, mb, rb ----------------------------------------------------------------------------
    code, out, err = run(["buckets"], dict(FAKE, COS_BUCKET="", COS_REGION=""))
    check("buckets: NAME REGION CREATED, without --bucket or --region",
          code == 0 and out == "examplebucket-1250000000\tap-beijing\t2023-11-14T22:13:20Z\n"
                               "logs-1250000000\tap-guangzhou\t2024-01-02T03:04:05Z\n", f"{code} {out!r} {err!r}")
    for command, method in (("mb", "PUT"), ("rb", "DELETE")):
        code, out, err = run(["--bucket", "new-1250000000", command], FAKE)
        check(f"{command}: {method} of --bucket", code == 0 and out == "" and
              FakeCos.bucket_calls[-1] == (method, "new-1250000000.cos.ap-beijing.myqcloud.com"), f"{code} {out!r} {err!r}")

    # ---- tag ----------------------------------------------------------------------------------------
    code, out, err = run(["tag", "ls/a.txt", "team=storage", "note=a b=c"], FAKE)
    check("tag KEY NAME=VALUE...: replaces the tags", code == 0 and out == "" and b"<Key>note</Key><Value>a b=c</Value>" in
          FakeCos.tags.get("ls/a.txt", b""), f"{code} {out!r} {err!r} {FakeCos.tags}")
    code, out, err = run(["tag", "ls/a.txt"], FAKE)
    check("tag KEY: NAME=VALUE lines", code == 0 and out == "team=storage\nnote=a b=c\n", f"{code} {out!r} {err!r}")
    code, out, err = run(["tag", "ls/a.txt", "--delete"], FAKE)
    check("tag KEY --delete", code == 0 and "ls/a.txt" not in FakeCos.tags, f"{code} {out!r} {err!r}")
    code, out, err = run(["tag", "ls/a.txt"], FAKE)
    check("tag KEY without tags prints nothing", code == 0 and out == "", f"{code} {out!r} {err!r}")
    expect_usage("tag without '='", ["tag", "k", "team"], "NAME=VALUE: 'team' has no '='", FAKE)
    expect_usage("tag with a name twice", ["tag", "k", "a=1", "a=2"], "NAME=VALUE", FAKE)
    expect_usage("tag with eleven tags", ["tag", "k"] + [f"t{i}=v" for i in range(11)], "NAME=VALUE", FAKE)
    expect_usage("tag --delete with tags", ["tag", "k", "a=1", "--delete"], "--delete", FAKE)

    # ---- restore, and a get of an archived object --------------------------------------------------
    FakeCos.objects["cold/x"] = b"archived"
    FakeCos.archived.add("cold/x")
    code, out, err = run(["get", "cold/x", os.path.join(tmp, "cold")], FAKE)
    check("get of an archived object: the error, then what to do", code == 1 and err.startswith("error: InvalidObjectState (403)") and
          err.endswith("coswire: cold/x is archived and has no readable copy (or its restore is still running); "
                       "start one with: coswire restore cold/x\n"), f"{code} {out!r} {err!r}")
    code, out, err = run(["restore", "cold/x", "--days", "3", "--tier", "Expedited"], FAKE)
    check("restore: started, ongoing", code == 0 and out == "restore=ongoing\n", f"{code} {out!r} {err!r}")
    code, out, err = run(["restore", "cold/x"], FAKE)
    check("restore again while it runs (409 RestoreAlreadyInProgress): ongoing, exit 0", code == 0 and out == "restore=ongoing\n",
          f"{code} {out!r} {err!r}")
    FakeCos.restored.add("cold/y")
    code, out, err = run(["restore", "cold/y"], FAKE)
    check("restore of an object with a restored copy (200): done", code == 0 and out == "restore=done\n", f"{code} {out!r} {err!r}")
    expect_usage("restore --tier Fast", ["restore", "k", "--tier", "Fast"], "--tier", FAKE)
    expect_usage("restore --days 0", ["restore", "k", "--days", "0"], "--days", FAKE)

    # ---- cp: put, get, and copies inside COS --------------------------------------------------------
    code, out, err = run(["cp", small, "cos://examplebucket-1250000000/cp/small.bin"], FAKE)
    check("cp local cos://: a put", code == 0 and out == f"etag={hashlib.md5(small_data).hexdigest()} crc64={crc64(small_data)} parts=1\n"
          and FakeCos.objects.get("cp/small.bin") == small_data, f"{code} {out!r} {err!r}")
    code, out, err = run(["cp", big, "cos://examplebucket-1250000000/cp/big.bin", "--threshold", "1M", "--part-size", "1M",
                          "--jobs", "2"], FAKE)
    check("cp local cos:// in parts", code == 0 and out == f"etag=feed-3 crc64={crc64(big_data)} parts=3\n" and
          FakeCos.objects.get("cp/big.bin") == big_data, f"{code} {out!r} {err!r}")
    code, out, err = run(["cp", "cos://examplebucket-1250000000/cp/big.bin", back], FAKE)
    check("cp cos:// local: a get", code == 0 and open(back, "rb").read() == big_data and out.startswith(f"bytes={len(big_data)} "),
          f"{code} {out!r} {err!r}")
    before = len(FakeCos.gets)
    code, out, err = run(["cp", "cos://examplebucket-1250000000/cp/small.bin", "cos://examplebucket-1250000000/cp/copy.bin"], FAKE)
    check("cp cos:// cos://: one PUT Object - Copy, no GET", code == 0 and
          out == f"bytes={len(small_data)} etag={hashlib.md5(small_data).hexdigest()} crc64={crc64(small_data)} parts=1\n" and
          FakeCos.objects.get("cp/copy.bin") == small_data and len(FakeCos.gets) == before and
          FakeCos.copy_sources[-1] == "examplebucket-1250000000.cos.ap-beijing.myqcloud.com/cp/small.bin", f"{code} {out!r} {err!r}")
    code, out, err = run(["cp", "cos://logs-1250000000/cp/big.bin", "cos://examplebucket-1250000000/cp/big-copy.bin",
                          "--threshold", "1M", "--part-size", "1M", "--jobs", "3"], FAKE)
    check("cp cos:// cos:// of another bucket, in parts with --jobs 3: Upload Part - Copy, no GET",
          code == 0 and out == f"bytes={len(big_data)} etag=feed-3 crc64={crc64(big_data)} parts=3\n" and
          FakeCos.objects.get("cp/big-copy.bin") == big_data and len(FakeCos.gets) == before and
          FakeCos.copy_sources[-3:] == ["logs-1250000000.cos.ap-beijing.myqcloud.com/cp/big.bin"] * 3, f"{code} {out!r} {err!r}")
    for name, args, needle in (
            ("cp of two local paths", ["cp", small, back], "cp: SRC or DST must be cos://"),
            ("cp with a bad bucket", ["cp", small, "cos://NoAppId/k"], "DST: "),
            ("cp without a key", ["cp", small, "cos://examplebucket-1250000000/"], "DST: must not be empty"),
            ("cp without a bucket", ["cp", "cos:///k", back], "SRC: cos://BUCKET-APPID/KEY names no bucket"),
            ("cp with a leading slash", ["cp", small, "cos://examplebucket-1250000000//k"], "DST: starts with '/'"),
            ("cp of a download with --threshold", ["cp", "cos://examplebucket-1250000000/k", back, "--threshold", "1M"],
             "--threshold: applies to uploads and copies")):
        expect_usage(name, args, needle, FAKE)

    # resume --jobs: the parts left are uploaded by 3 workers.
    FakeCos.uploads["up9003"] = ("dir/r.bin", {1: (big_data[:MIB], '"%s"' % hashlib.md5(big_data[:MIB]).hexdigest())})
    code, out, err = run(["resume", big, "dir/r.bin", "up9003", "--part-size", "1M", "--jobs", "3"], FAKE)
    check("resume --jobs 3", code == 0 and out == f"etag=feed-3 crc64={crc64(big_data)} parts=3 reused=1\n" and
          FakeCos.objects.get("dir/r.bin") == big_data, f"{code} {out!r} {err!r}")

    # ---- get streams (issue 16): ranges, --jobs, stdout, CRC-64, resume ---------------------------
    def ranges_asked(key):
        return [r for k, r in FakeCos.gets if k == key]

    def listing(directory):
        return sorted(os.listdir(directory))

    dl = os.path.join(tmp, "dl")
    os.makedirs(dl)
    obj = bytes((i * 31 + i // 1000) % 251 for i in range(5 * 65536 - 1000))  # 5 ranges of 64 KiB, the last shorter
    FakeCos.objects["dl/obj.bin"] = obj
    line = f"bytes={len(obj)} etag={hashlib.md5(obj).hexdigest()} crc64={crc64(obj)}\n"
    plan = [f"bytes={i * 65536}-{min((i + 1) * 65536, len(obj)) - 1}" for i in range(5)]
    out_path = os.path.join(dl, "obj")
    FakeCos.gets.clear()
    code, out, err = run(["get", "dl/obj.bin", out_path, "--part-size", "64K"], FAKE)
    check("get in ranges: the object, the line with its CRC-64, nothing left beside it",
          code == 0 and out == line and err == "" and open(out_path, "rb").read() == obj and listing(dl) == ["obj"],
          f"{code} {out!r} {err!r} {listing(dl)}")
    check("get in ranges: one GET per range, in order", ranges_asked("dl/obj.bin") == plan, str(FakeCos.gets))
    FakeCos.gets.clear()
    code, out, err = run(["get", "dl/obj.bin", out_path, "--part-size", "65536", "--jobs", "4"], FAKE)
    check("get --jobs 4: the same bytes, each range asked once",
          code == 0 and out == line and open(out_path, "rb").read() == obj and sorted(ranges_asked("dl/obj.bin")) == sorted(plan)
          and listing(dl) == ["obj"], f"{code} {out!r} {err!r} {FakeCos.gets}")
    code, out, err = run(["get", "dl/obj.bin", "-", "--part-size", "64K"], FAKE, binary=True)
    check("get - writes the object to stdout and the line to stderr", code == 0 and out == obj and err == line, f"{code} {err!r}")
    code, out, err = run(["get", "dl/obj.bin", "-", "--range", "70000-70009"], FAKE, binary=True)
    check("get - --range: the range on stdout, crc64=unchecked (COS's CRC-64 is the whole object's)",
          code == 0 and out == obj[70000:70010] and
          err == f"bytes=10 etag={hashlib.md5(obj).hexdigest()} crc64=unchecked\n", f"{code} {out!r} {err!r}")
    FakeCos.no_crc.add("dl/obj.bin")
    code, out, err = run(["get", "dl/obj.bin", out_path, "--part-size", "64K"], FAKE)
    check("get without x-cos-hash-crc64ecma: crc64=unchecked, never a claimed check",
          code == 0 and out == line.replace(f"crc64={crc64(obj)}", "crc64=unchecked") and open(out_path, "rb").read() == obj,
          f"{code} {out!r} {err!r}")
    FakeCos.no_crc.clear()
    FakeCos.wrong_crc["dl/obj.bin"] = 12345
    open(out_path, "wb").write(b"precious")
    code, out, err = run(["get", "dl/obj.bin", out_path, "--part-size", "64K", "--jobs", "2"], FAKE)
    check("get with a wrong whole-object CRC-64: refused, FILE untouched, nothing kept",
          code == 1 and out == "" and err.startswith("error: x-cos-hash-crc64ecma: COS says 12345") and err.count("\n") == 1 and
          open(out_path, "rb").read() == b"precious" and listing(dl) == ["obj"], f"{code} {out!r} {err!r} {listing(dl)}")
    FakeCos.wrong_crc.clear()

    # Interrupted by a server that fails for good after 2 GETs: ranges 0-1 are kept with the
    # checkpoint and the resume command is printed; --resume then asks only for ranges 2-4.
    hint = f"resume with: coswire get dl/obj.bin {out_path} --resume\n"

    def interrupted_get(budget=2, key="dl/obj.bin"):
        open(out_path, "wb").write(b"precious")
        FakeCos.get_budget = budget
        code, out, err = run(["get", key, out_path, "--part-size", "64K"], FAKE)
        FakeCos.get_budget = None
        return code, out, err

    code, out, err = interrupted_get()
    check("a get failing after 2 ranges: exit 1, the error, the ranges kept and how to resume",
          code == 1 and err.startswith("error: AccessDenied (403): ") and err.endswith(hint) and
          "coswire: 2 ranges are kept in " in err and open(out_path, "rb").read() == b"precious" and
          listing(dl) == ["obj", "obj.coswire-checkpoint", "obj.coswire-partial"], f"{code} {out!r} {err!r} {listing(dl)}")
    saved = open(out_path + ".coswire-checkpoint").read()
    check("the checkpoint names the object and the done ranges",
          saved.startswith("coswire-get-checkpoint 1\nbucket examplebucket-1250000000\nkey dl%2Fobj.bin\n"
                           "coswire-download-checkpoint 1\n") and saved.count("\ndone ") == 2, repr(saved))
    FakeCos.gets.clear()
    code, out, err = run(["get", "dl/obj.bin", out_path, "--part-size", "64K", "--resume"], FAKE)
    check("get --resume fetches only the missing ranges, then removes the checkpoint",
          code == 0 and out == line and open(out_path, "rb").read() == obj and ranges_asked("dl/obj.bin") == plan[2:] and
          listing(dl) == ["obj"], f"{code} {out!r} {err!r} {FakeCos.gets} {listing(dl)}")
    code, out, err = run(["get", "dl/obj.bin", out_path, "--resume"], FAKE)
    check("get --resume without a checkpoint is a plain get", code == 0 and out == line and listing(dl) == ["obj"], f"{code} {err!r}")

    code, out, err = interrupted_get()
    FakeCos.objects["dl/obj.bin"] = replaced = obj[::-1] + b"new"
    code, out, err = run(["get", "dl/obj.bin", out_path, "--part-size", "64K", "--resume"], FAKE)
    check("get --resume after the object was replaced: says so, starts over, stores the new object",
          code == 0 and "coswire: dl/obj.bin changed since the checkpoint was written; starting over\n" in err and
          open(out_path, "rb").read() == replaced and out.startswith(f"bytes={len(replaced)} ") and listing(dl) == ["obj"],
          f"{code} {out!r} {err!r} {listing(dl)}")
    FakeCos.objects["dl/obj.bin"] = obj

    code, out, err = interrupted_get()
    FakeCos.objects["dl/other.bin"] = b"other"
    code, out, err = run(["get", "dl/other.bin", out_path, "--resume"], FAKE)
    check("get --resume with another KEY's checkpoint: refused, checkpoint and FILE kept",
          code == 1 and "is for dl/obj.bin in examplebucket-1250000000, not this KEY" in err and
          open(out_path, "rb").read() == b"precious" and "obj.coswire-checkpoint" in listing(dl), f"{code} {err!r}")
    with open(out_path + ".coswire-partial", "r+b") as f:  # the partial file changed behind the checkpoint's back
        f.write(b"XX")
    code, out, err = run(["get", "dl/obj.bin", out_path, "--part-size", "64K", "--resume"], FAKE)
    check("get --resume when the partial file no longer matches: starts over, never mixes bytes",
          code == 0 and "no longer holds range 0 as its checkpoint says; starting over" in err and
          open(out_path, "rb").read() == obj and listing(dl) == ["obj"], f"{code} {out!r} {err!r}")
    code, out, err = interrupted_get()
    open(out_path + ".coswire-checkpoint", "w").write("coswire-get-checkpoint 1\nbucket x\n")
    code, out, err = run(["get", "dl/obj.bin", out_path, "--part-size", "64K", "--resume"], FAKE)
    check("get --resume with a damaged checkpoint: says so and starts over",
          code == 0 and "coswire-checkpoint is damaged (" in err and "starting over" in err and
          open(out_path, "rb").read() == obj and listing(dl) == ["obj"], f"{code} {out!r} {err!r}")

    # SIGINT mid-way: the GET of range 2 is held until the signal was sent; the driver finishes it
    # and stops before range 3, keeping the checkpoint.
    def run_signalled(args, ready, stdin_bytes=None, env=FAKE):
        """Runs coswire, waits until ready() is true (at most 30 s), sends SIGINT, releases the
        held requests and returns (exit code, stdout, stderr)."""
        FakeCos.release.clear()
        FakeCos.parts_put[0] = 0
        p = subprocess.Popen([BIN] + args, env=dict(BASE_ENV, **env), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        if stdin_bytes is not None:
            p.stdin.write(stdin_bytes)
            p.stdin.flush()
        deadline = time.monotonic() + 30
        while not ready() and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.01)
        p.send_signal(signal.SIGINT)
        FakeCos.release.set()
        out, err = p.communicate(timeout=60)
        FakeCos.hold_gets_after = FakeCos.hold_parts_after = None
        out, err = out.decode("utf-8", "surrogateescape"), err.decode("utf-8", "surrogateescape")
        OUTPUTS.append((args, out, err, SECRET_KEY, TOKEN))
        return p.returncode, out, err

    open(out_path, "wb").write(b"precious")
    FakeCos.gets.clear()
    FakeCos.hold_gets_after = 2
    code, out, err = run_signalled(["get", "dl/obj.bin", out_path, "--part-size", "64K"], lambda: len(FakeCos.gets) >= 3)
    check("SIGINT to a get: exit 130, the checkpoint kept and how to resume",
          code == 130 and "coswire: interrupted by SIGINT\n" in err and err.endswith(hint) and "3 ranges are kept" in err and
          open(out_path, "rb").read() == b"precious" and "obj.coswire-checkpoint" in listing(dl), f"{code} {out!r} {err!r}")
    FakeCos.gets.clear()
    code, out, err = run(["get", "dl/obj.bin", out_path, "--part-size", "64K", "--resume"], FAKE)
    check("get --resume after SIGINT", code == 0 and out == line and open(out_path, "rb").read() == obj and
          ranges_asked("dl/obj.bin") == plan[3:] and listing(dl) == ["obj"], f"{code} {out!r} {err!r} {FakeCos.gets}")

    # ---- put - : stdin of unknown length through upload_stream --------------------------------------
    def put_stdin(data, key, *flags):
        before = FakeCos.counter[0]
        code, out, err = run(["put", "-", key] + list(flags), FAKE, stdin_bytes=data)
        return code, out, err, FakeCos.counter[0] - before

    code, out, err, initiated = put_stdin(b"", "in/empty")
    check("put - of 0 bytes: one PUT of an empty object",
          code == 0 and out == f"etag={hashlib.md5(b'').hexdigest()} crc64=0 parts=1\n" and FakeCos.objects.get("in/empty") == b""
          and initiated == 0, f"{code} {out!r} {err!r}")
    exact = big_data[:MIB]
    code, out, err, initiated = put_stdin(exact, "in/exact", "--threshold", "1M", "--part-size", "1M")
    check("put - of exactly the threshold: one PUT",
          code == 0 and out == f"etag={hashlib.md5(exact).hexdigest()} crc64={crc64(exact)} parts=1\n" and
          FakeCos.objects.get("in/exact") == exact and initiated == 0, f"{code} {out!r} {err!r}")
    code, out, err, initiated = put_stdin(big_data, "in/parts", "--threshold", "1M", "--part-size", "1M")
    check("put - of 2.5 MiB in 1 MiB parts: a multipart upload of 3 parts",
          code == 0 and out == f"etag=feed-3 crc64={crc64(big_data)} parts=3\n" and FakeCos.objects.get("in/parts") == big_data and
          initiated == 1, f"{code} {out!r} {err!r}")

    # SIGINT to a put: the upload is aborted, or kept with --keep and the resume command printed.
    def uploads_of(key):
        return [u for u, (k, _) in FakeCos.uploads.items() if k == key]

    def parts_of(key):
        return sum(len(parts) for k, parts in FakeCos.uploads.values() if k == key)

    FakeCos.hold_parts_after = 1
    code, out, err = run_signalled(["put", big, "in/stop", "--threshold", "1M", "--part-size", "1M"],
                                   lambda: FakeCos.parts_put[0] >= 2)
    check("SIGINT to a put: exit 130, the upload aborted, nothing stored",
          code == 130 and "coswire: interrupted by SIGINT\n" in err and re.search(r"coswire: upload up\d+ aborted\n", err) and
          not uploads_of("in/stop") and "in/stop" not in FakeCos.objects, f"{code} {out!r} {err!r}")
    FakeCos.hold_parts_after = 0
    code, out, err = run_signalled(["put", big, "in/keep", "--threshold", "1M", "--part-size", "1M", "--keep"],
                                   lambda: FakeCos.parts_put[0] >= 1)
    kept = uploads_of("in/keep")
    command = f"coswire resume {big} in/keep {kept[0] if kept else '?'}"
    check("SIGINT to a put --keep: exit 130, the upload kept, its id and the resume command printed",
          code == 130 and len(kept) == 1 and parts_of("in/keep") == 1 and
          err.endswith(f"coswire: upload {kept[0]} kept; finish it with: {command}\n"), f"{code} {out!r} {err!r}")
    if kept:
        FakeCos.hold_parts_after = 0
        code, out, err = run_signalled(["resume", big, "in/keep", kept[0], "--part-size", "1M"], lambda: FakeCos.parts_put[0] >= 1)
        check("SIGINT to a resume: exit 130, the upload kept again (never aborted), the command printed again",
              code == 130 and uploads_of("in/keep") == kept and parts_of("in/keep") == 2 and
              err.endswith(f"coswire: upload {kept[0]} kept; finish it with: {command}\n"), f"{code} {out!r} {err!r}")
        code, out, err = run(["resume", big, "in/keep", kept[0], "--part-size", "1M"], FAKE)
        check("the printed resume command finishes the kept upload",
              code == 0 and out.endswith(" parts=3 reused=2\n") and FakeCos.objects.get("in/keep") == big_data, f"{code} {out!r} {err!r}")
    code, out, err = run_signalled(["put", "-", "in/pipe", "--threshold", "1M", "--part-size", "1M"],
                                   lambda: bool(uploads_of("in/pipe")), stdin_bytes=big_data[:3 * MIB // 2])
    check("SIGINT to a put - waiting for stdin: exit 130, the upload aborted",
          code == 130 and "coswire: interrupted by SIGINT\n" in err and "aborted" in err and not uploads_of("in/pipe") and
          "in/pipe" not in FakeCos.objects, f"{code} {out!r} {err!r}")

    # ---- get's memory does not grow with the object ------------------------------------------------
    # A 100 MiB object (no CRC header: the fake's pure-Python CRC-64 would take minutes), fetched
    # with 1 and 4 jobs; the peak RSS of the coswire process alone (wait4's rusage) stays far below
    # the object's size. Under AddressSanitizer freed memory stays resident, so no bound applies.
    huge = os.urandom(1024 * 1024) * 100
    FakeCos.objects["dl/huge.bin"] = huge
    FakeCos.no_crc.add("dl/huge.bin")
    asan = b"__asan_init" in open(BIN, "rb").read()
    huge_path = os.path.join(dl, "huge")
    for jobs in ("1", "4"):
        args = ["get", "dl/huge.bin", huge_path, "--jobs", jobs]
        # Measured from a small fresh Python, since a child forked from this big one starts with
        # this one's peak (Linux keeps the peak of the memory a process had before exec).
        peak_file = os.path.join(dl, "peak")
        code, out, err = run(["(measured)"] + args, env=dict(FAKE, COSWIRE_PEAK_FILE=peak_file), measure=True)
        peak = int(open(peak_file).read())
        os.unlink(peak_file)
        ok = out == f"bytes={len(huge)} etag={hashlib.md5(huge).hexdigest()} crc64=unchecked\n" and os.path.getsize(huge_path) == len(huge)
        check(f"get of 100 MiB --jobs {jobs}", ok and open(huge_path, "rb").read() == huge, f"{out!r} {err!r}")
        PEAKS[jobs] = peak
        check(f"get of 100 MiB --jobs {jobs}: peak RSS under 64 MiB", asan or peak < 64 * 1024, f"{peak} KiB")
    os.unlink(huge_path)
    del FakeCos.objects["dl/huge.bin"], huge
cos.shutdown()

# ---- a lying server: answers set per check ----------------------------------------------------------
class Liar(KeepAliveHandler):
    answer = (200, [], b"")  # status, headers (bytes values are sent raw), body
    framed = True            # False: no Content-Length, the body ends when the connection closes
    answer_for = None        # when set: answer_for(handler) gives the answer instead

    def respond(self):
        note_key_times(self.headers.get("Authorization"))
        status, headers, body = Liar.answer_for(self) if Liar.answer_for else Liar.answer
        self.send_response_only(status)
        for name, value in headers:
            self._headers_buffer.append(name.encode() + b": " + (value if isinstance(value, bytes) else value.encode()) + b"\r\n")
        if Liar.framed:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_DELETE = do_PUT = do_POST = respond

    def log_message(self, *args):
        pass


liar = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Liar)
threading.Thread(target=liar.serve_forever, daemon=True).start()
LIAR = dict(ENV, COS_ENDPOINT=f"http://127.0.0.1:{liar.server_address[1]}", COS_SESSION_TOKEN=TOKEN)
OBJECT = bytes(range(100))
WHOLE = [("ETag", '"%s"' % hashlib.md5(OBJECT).hexdigest()), ("x-cos-hash-crc64ecma", str(crc64(OBJECT)))]


def lie(status, headers, body, framed=True):
    Liar.answer, Liar.framed = (status, headers, body), framed


with tempfile.TemporaryDirectory() as tmp:
    target = os.path.join(tmp, "out.bin")

    def leftovers():
        return sorted(n for n in os.listdir(tmp) if n != "out.bin")

    # Refused answers: exit 1, one error line naming what was wrong, FILE as it was, no temporary left.
    # A whole object is fetched in ranges (bytes=0-8388607 first, then If-Match the ETag), so the
    # answer to the first one is checked against that range.
    refused = [
        ("a whole-object GET answered 206 bytes 0-3/100", [], (206, WHOLE + [("Content-Range", "bytes 0-3/100")], OBJECT[:4]),
         "error: Content-Range: range 0: 'bytes 0-3/100' is not what was asked (bytes 0-8388607)"),
        ("a whole-object GET answered 206 bytes 0-99/*", [], (206, WHOLE + [("Content-Range", "bytes 0-99/*")], OBJECT),
         "error: Content-Range: range 0: 'bytes 0-99/*' does not say the object size"),
        ("a whole-object GET answered 304", [], (304, [], b""), "error: NotModified (304): range 0: "),
        ("a range asked, 206 for another range", ["--range", "10-19"],
         (206, WHOLE + [("Content-Range", "bytes 0-9/100")], OBJECT[:10]), "error: Content-Range: bytes 0-9/100 does not answer"),
        ("a range asked, 206 shorter than its Content-Range", ["--range", "10-19"],
         (206, WHOLE + [("Content-Range", "bytes 10-19/100")], OBJECT[10:15]), "error: body: has 5 bytes where Content-Range says 10"),
        ("a range asked, the whole object answered", ["--range", "10-19"], (200, WHOLE, OBJECT), "error: status: 200"),
        ("an open range asked, 206 stopping short", ["--range", "10-"],
         (206, WHOLE + [("Content-Range", "bytes 10-19/100")], OBJECT[10:20]), "error: Content-Range: bytes 10-19/100 does not answer"),
    ]
    for name, extra, answer, expected in refused:
        with open(target, "wb") as f:
            f.write(b"precious")
        lie(*answer)
        code, out, err = run(["get", "k", target] + extra, LIAR)
        check(name + ": exit 1, one error line", code == 1 and out == "" and err.startswith(expected) and err.count("\n") == 1,
              f"{code} {out!r} {err!r}")
        check(name + ": FILE untouched", open(target, "rb").read() == b"precious" and leftovers() == [], str(leftovers()))
    # A body without Content-Length, ended by closing the connection: its size cannot be checked.
    lie(200, WHOLE, OBJECT[:50], framed=False)
    code, out, err = run(["get", "k", target], LIAR)
    check("a 200 without Content-Length is refused", code == 1 and err.startswith("error: Content-Length: range 0: is missing") and
          open(target, "rb").read() == b"precious" and leftovers() == [], f"{code} {out!r} {err!r}")

    # Accepted answers replace FILE whole, keep its permission bits, and leave nothing else behind.
    os.chmod(target, 0o640)
    lie(206, WHOLE + [("Content-Range", "bytes 0-99/100")], OBJECT)
    code, out, err = run(["get", "k", target], LIAR)
    check("a whole-object GET answered 206 bytes 0-99/100 is the object", code == 0 and open(target, "rb").read() == OBJECT and
          out == f"bytes=100 etag={hashlib.md5(OBJECT).hexdigest()} crc64={crc64(OBJECT)}\n" and leftovers() == [],
          f"{code} {out!r} {err!r}")
    check("get keeps the permission bits of the file it replaces", os.stat(target).st_mode & 0o777 == 0o640, oct(os.stat(target).st_mode))
    lie(206, WHOLE + [("Content-Range", "bytes 90-99/100")], OBJECT[90:])
    code, out, err = run(["get", "k", target, "--range", "90-200"], LIAR)
    check("a range past the end, clipped by the server", code == 0 and open(target, "rb").read() == OBJECT[90:], f"{code} {out!r} {err!r}")
    link = os.path.join(tmp, "link")
    os.symlink(target, link)
    lie(200, WHOLE, OBJECT)
    code, out, err = run(["get", "k", link], LIAR)
    check("get through a symbolic link replaces the file it points to", code == 0 and os.path.islink(link) and
          open(target, "rb").read() == OBJECT, f"{code} {out!r} {err!r}")
    os.unlink(link)
    fresh = os.path.join(tmp, "fresh")
    code, out, err = run(["get", "k", fresh], LIAR)
    mask = os.umask(0)
    os.umask(mask)
    check("a new FILE gets 0666 less the umask", code == 0 and os.stat(fresh).st_mode & 0o777 == 0o666 & ~mask,
          f"{code} {out!r} {err!r}")

    # Server text reaches the terminal escaped: C0 and C1 controls, DEL, invalid UTF-8, bidi overrides.
    EVIL = b"\x1b]0;pwned\x07\x1b[2J\x7f\xc2\x9b31m\xff\xe2\x80\xaeend"
    EVIL_SHOWN = r"\x1b]0;pwned\x07\x1b[2J\x7f\xc2\x9b31m\xff\xe2\x80\xaeend"
    PLAIN = "ordinary: a b\\c ü 腾讯云 😀 ~!@#$%^&*()"
    lie(200, [("ETag", b'"e\x1b[2Jt"'), ("x-cos-meta-evil", EVIL),
              ("x-cos-meta-plain", PLAIN.encode()), ("Content-Type", b"text/\x1b[31mplain")], b"")
    code, out, err = run(["head", "k"], LIAR)
    check("head: control characters in metadata, ETag and Content-Type are escaped",
          code == 0 and f"x-cos-meta-evil={EVIL_SHOWN}\n" in out and "etag=e\\x1b[2Jt\n" in out and
          "content-type=text/\\x1b[31mplain\n" in out, f"{code} {out!r} {err!r}")
    check("head: ordinary metadata is printed byte for byte", f"x-cos-meta-plain={PLAIN}\n" in out, repr(out))
    error_xml = ("<?xml version='1.0' encoding='utf-8' ?>\n<Error><Code>Access\u009b2JDenied</Code>"
                 "<Message>denied\nerror: all good\u202e</Message><RequestId>req\u0085x</RequestId></Error>").encode()
    lie(403, [("Content-Type", "application/xml")], error_xml)
    code, out, err = run(["rm", "k"], LIAR)
    check("an error's code, message and request id are escaped, on one line",
          code == 1 and err == "error: Access\\xc2\\x9b2JDenied (403): denied\\x0aerror: all good\\xe2\\x80\\xae "
                               "[request-id req\\xc2\\x85x]\n", f"{code} {out!r} {err!r}")
    listing = ("<ListMultipartUploadsResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>"
               "<Upload><Key>dir/%1B%5B2J%1B%5D0%3Bx%07%C2%9Bk%0Afake%09line</Key><UploadId>up1</UploadId>"
               "<Initiated>2023-11-14T22:13:20.000Z</Initiated></Upload></ListMultipartUploadsResult>").encode()
    lie(200, [], listing)
    code, out, err = run(["uploads"], LIAR)
    check("uploads: a listed key is escaped, tab and newline included",
          code == 0 and out == "dir/\\x1b[2J\\x1b]0;x\\x07\\xc2\\x9bk\\x0afake\\x09line\tup1\t2023-11-14T22:13:20Z\n",
          f"{code} {out!r} {err!r}")

    # A SignatureDoesNotMatch that echoes the session token (raw in the message, encoded in the
    # FormatString) and the secret key: none of them is printed.
    echo = ("<?xml version='1.0' encoding='utf-8' ?>\n<Error><Code>SignatureDoesNotMatch</Code>"
            f"<Message>bad signature for token {TOKEN} and key {SECRET_KEY}</Message>"
            "<StringToSign>sha1\n1;2\nabc\n</StringToSign>"
            f"<FormatString>get\n/k\n\nhost={HOST}&amp;x-cos-security-token={urllib.parse.quote(TOKEN, safe='')}\n</FormatString>"
            "<RequestId>req-sig</RequestId></Error>").encode()
    lie(403, [("Content-Type", "application/xml")], echo)
    code, out, err = run(["rm", "k"], LIAR)
    check("a SignatureDoesNotMatch echoing the token and key: hidden as ***",
          code == 1 and err.startswith("error: SignatureDoesNotMatch (403): bad signature for token *** and key *** "
                                       "[request-id req-sig]\ncoswire: diagnosis: HttpString differs in line 1 (method)"),
          f"{code} {out!r} {err!r}")

    # SignatureDoesNotMatch: the diagnosis compares COS's FormatString with what was signed. This
    # COS computes its FormatString from the request it received (lower-case names, values
    # encoded, sorted, as Tencent documents) but with another Host, so the headers line differs.
    def cos_http_string(handler, host=None):
        auth = dict(f.split("=", 1) for f in handler.headers["Authorization"].split("&"))
        url = urllib.parse.urlsplit(handler.path)
        enc = lambda v: urllib.parse.quote(v, safe="-_.~")
        query = dict((n.lower(), v) for n, v in urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        params = "&".join(f"{n}={enc(query[n])}" for n in auth["q-url-param-list"].split(";") if n)
        values = {n.lower(): v for n, v in handler.headers.items()}
        if host:
            values["host"] = host
        fields = "&".join(f"{n}={enc(values[n])}" for n in auth["q-header-list"].split(";") if n)
        return f"{handler.command.lower()}\n{urllib.parse.unquote(url.path)}\n{params}\n{fields}\n", auth["q-key-time"]

    def wrong_host(handler):
        http_string, key_time = cos_http_string(handler, host="wrong.example.com")
        body = ("<?xml version='1.0' encoding='utf-8' ?>\n<Error><Code>SignatureDoesNotMatch</Code>"
                "<Message>The Signature you specified is invalid.</Message>"
                f"<StringToSign>sha1\n{key_time}\n{hashlib.sha1(http_string.encode()).hexdigest()}\n</StringToSign>"
                f"<FormatString>{http_string.replace('&', '&amp;')}</FormatString><RequestId>req-sig</RequestId></Error>")
        return 403, [("Content-Type", "application/xml")], body.encode()

    def excerpt(text, at):  # the diagnosis shows 60 bytes from 30 before the difference
        start = max(at - 30, 0)
        return ("..." if start else "") + text[start:start + 60] + ("..." if start + 60 < len(text) else "")

    Liar.answer_for = wrong_host
    for args in (["uploads"], ["rm", "dir/a b+c.txt"], ["parts", "k", "up1"]):
        code, out, err = run(args, LIAR)
        headers_line = f"host={HOST}&x-cos-security-token=***"
        expected_cos = excerpt("host=wrong.example.com&x-cos-security-token=***", 5)
        check(f"SignatureDoesNotMatch ({args[0]}): the error line, then the diagnosis naming the Host",
              code == 1 and err == "error: SignatureDoesNotMatch (403): The Signature you specified is invalid. [request-id req-sig]\n"
              "coswire: diagnosis: HttpString differs in line 4 (headers) at byte 5:\n"
              f"  COS:    {expected_cos}\n  signed: {excerpt(headers_line, 5)}\n"
              "  likely cause: the Host sent differs from the Host signed (sign exactly the Host header, with :port when not the "
              "default)\n", f"{code} {out!r} {err!r}")
    Liar.answer_for = None

    # A 403 without a body (HEAD answers have none): the likely causes, and COS's clock.
    lie(403, [("x-cos-request-id", "req-head"), ("Date", "Thu, 16 May 2019 06:45:51 GMT")], b"")
    code, out, err = run(["head", "k"], LIAR)
    lines = err.splitlines()
    check("HEAD 403: the error line, the likely causes, the clocks",
          code == 1 and len(lines) == 3 and lines[0].startswith("error: AccessDenied (403): ") and
          lines[0].endswith("[request-id req-head]") and
          lines[1] == "coswire: a 403 without an error body most often means: a wrong --secret-key or --secret-id (the key must "
                      "belong to the id), this machine's clock far off (the signature is valid for a time window), or no "
                      "permission on this key or bucket for these credentials" and
          re.fullmatch(r"coswire: COS's clock reads 2019-05-16T06:45:51Z, this machine's \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", lines[2]),
          f"{code} {out!r} {err!r}")

    # A copy answered 200 whose body is an <Error> (COS answers a copy that fails late this way).
    def copy_fails_late(handler):
        if handler.command == "HEAD":
            return 200, WHOLE, b""
        return 200, [("Content-Type", "application/xml")], (b"<?xml version='1.0' encoding='utf-8' ?>\n<Error><Code>InternalError"
                                                              b"</Code><Message>copy failed</Message><RequestId>req-copy</RequestId></Error>")
    Liar.answer_for = copy_fails_late
    code, out, err = run(["cp", "cos://examplebucket-1250000000/a", "cos://examplebucket-1250000000/b"], LIAR)
    check("cp: a copy answered 200 with an <Error> body is an error", code == 1 and out == "" and
          err.startswith("error: InternalError (200): copy failed") and err.count("\n") == 1, f"{code} {out!r} {err!r}")

    # Listings that never end: a page that names the marker asked for again, and pages that move
    # on forever; each ends with an error rather than running on.
    pages = [0]

    def endless(moving, versions):
        def answer(handler):
            pages[0] += 1
            marker = f"k{pages[0]:06d}" if moving else "k"
            if handler.headers["Host"] == "service.cos.myqcloud.com":
                body = (f"<ListAllMyBucketsResult><Buckets></Buckets><IsTruncated>true</IsTruncated><NextMarker>{marker}</NextMarker>"
                        "</ListAllMyBucketsResult>")
            elif versions:
                body = (f"<ListVersionsResult><IsTruncated>true</IsTruncated><NextKeyMarker>{marker}</NextKeyMarker>"
                        f"<NextVersionIdMarker>v</NextVersionIdMarker></ListVersionsResult>")
            else:
                body = f"<ListBucketResult><IsTruncated>true</IsTruncated><NextMarker>{marker}</NextMarker></ListBucketResult>"
            return 200, [], body.encode()
        return answer

    for moving in (False, True):
        for versions in (False, True):
            pages[0] = 0
            Liar.answer_for = endless(moving, versions)
            args = ["ls", "--recursive"] + (["--versions"] if versions else [])
            code, out, err = run(args, LIAR)
            expected = "error: max_object_pages: " if moving else "error: NextKeyMarker: " if versions else "error: NextMarker: "
            check(f"{args} of a listing that {'moves on forever' if moving else 'repeats its marker'}: an error, exit 1",
                  code == 1 and out == "" and err.startswith(expected) and pages[0] == (1000 if moving else 2),
                  f"{code} {out!r} {err!r} after {pages[0]} pages")
        pages[0] = 0
        Liar.answer_for = endless(moving, False)
        code, out, err = run(["buckets"], LIAR)
        check(f"buckets of a list that {'moves on forever' if moving else 'repeats its marker'}: an error, exit 1",
              code == 1 and out == "" and err.startswith("error: max_object_pages: " if moving else "error: NextMarker: ") and
              pages[0] == (1000 if moving else 2), f"{code} {out!r} {err!r} after {pages[0]} pages")
    Liar.answer_for = None
liar.shutdown()

# ---- the demo, with its own made-up credentials (tools/cli/demo.hpp) ------------------------------
code, out, err = run(["demo"], secret="coswire-demo-secret-key-0000000", token="coswire-demo-session-token")
check("demo", code == 0 and "11 of 11 checks passed" in out + err, f"exit {code}")

# ---- secrets: none in any output ----------------------------------------------------------------
# A presigned URL must carry the session token (percent-encoded) as a signed parameter; nothing
# else may show it, raw or encoded. The sign key is HMAC-SHA1(secret key, key time) in hex.
check("key times were collected", len(KEY_TIMES) >= 3, str(KEY_TIMES))
for args, out, err, secret, token in OUTPUTS:
    sign_keys = [hmac.new(secret.encode(), t.encode(), hashlib.sha1).hexdigest() for t in KEY_TIMES]
    forbidden = [secret, urllib.parse.quote(secret, safe=""), token] + sign_keys
    if "presign" not in args:
        forbidden.append(urllib.parse.quote(token, safe=""))
    for text, stream in ((out, "stdout"), (err, "stderr")):
        leaked = [f for f in forbidden if f and f in text]
        check(f"no secret in the {stream} of {args[:4]}", not leaked, "a secret, token or sign key was printed")

if failures:
    print(f"{len(failures)} check(s) failed:")
    for f in failures:
        print("  " + f)
    sys.exit(1)
print("coswire CLI: all checks passed; peak RSS of get of 100 MiB: " + ", ".join(f"--jobs {j}: {k} KiB" for j, k in PEAKS.items()))
