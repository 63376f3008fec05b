#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""coswire-sign against an independent implementation of COS signing (hmac/hashlib/quote).

Usage: coswire_sign_test.py PATH_TO_coswire-sign [CASES]

Checks the documented vectors, the CLI contract (exit codes, one stderr line naming the flag,
after the warning a secret given as a flag draws), secrets from files and COS_* variables, then
CASES randomized requests: Unicode and reserved characters in keys and values, valueless
and empty parameters, mixed-case names, tabs inside header values, long header sets.
"""
import hashlib
import hmac
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile
import urllib.parse

WARNING = {
    "--secret-key": "warning: --secret-key on the command line is visible to other users of this machine; "
                    "use --secret-key-file or COS_SECRET_KEY\n",
    "--token": "warning: --token on the command line is visible to other users of this machine; "
               "use --token-file or COS_SESSION_TOKEN\n",
}
BASE_ENV = {k: v for k, v in os.environ.items() if not k.startswith("COS_")}

STANDARD = {
    "cache-control", "content-disposition", "content-encoding", "content-length", "content-md5",
    "content-type", "expect", "expires", "host", "if-match", "if-modified-since", "if-none-match",
    "if-unmodified-since", "origin", "pic-operations", "range", "transfer-encoding",
}


def enc(s):
    return urllib.parse.quote(s.encode("utf-8"), safe="-_.~")


def reference(secret_id, secret_key, method, key, start, end, params, headers, token, sign_all, presign):
    """params: list of (name, value-or-None); headers: list of (name, value)."""
    key_time = f"{start};{end}"
    headers = [(n, v.strip(" \t")) for n, v in headers]
    if token and not presign:
        headers = headers + [("x-cos-security-token", token)]
    if token and presign:
        params = params + [("x-cos-security-token", token)]
    signed_headers = [(n, v) for n, v in headers
                      if sign_all or n.lower() in STANDARD or n.lower().startswith(("x-cos-", "x-ci-"))]
    p = sorted((enc(n).lower(), enc(v or "")) for n, v in params)
    h = sorted((enc(n).lower(), enc(v)) for n, v in signed_headers)
    http_string = "\n".join([method.lower(), "/" + key, "&".join(f"{a}={b}" for a, b in p),
                             "&".join(f"{a}={b}" for a, b in h), ""])
    sts = f"sha1\n{key_time}\n{hashlib.sha1(http_string.encode()).hexdigest()}\n"
    sign_key = hmac.new(secret_key.encode(), key_time.encode(), hashlib.sha1).hexdigest()
    sig = hmac.new(sign_key.encode(), sts.encode(), hashlib.sha1).hexdigest()
    hl, pl = ";".join(a for a, _ in h), ";".join(a for a, _ in p)
    if not presign:
        return (f"q-sign-algorithm=sha1&q-ak={secret_id}&q-sign-time={key_time}&q-key-time={key_time}"
                f"&q-header-list={hl}&q-url-param-list={pl}&q-signature={sig}")
    query = [enc(n) if v is None else f"{enc(n)}={enc(v)}" for n, v in params]
    query += [f"q-sign-algorithm=sha1", f"q-ak={enc(secret_id)}", f"q-sign-time={enc(key_time)}",
              f"q-key-time={enc(key_time)}", f"q-header-list={enc(hl)}", f"q-url-param-list={enc(pl)}",
              f"q-signature={sig}"]
    return "&".join(query)


def header_version():
    """MAJOR.MINOR.PATCH from the macros of include/coswire/version.hpp."""
    text = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "include", "coswire", "version.hpp")).read()
    return ".".join(re.search(rf"#define COSWIRE_VERSION_{part} (\d+)", text).group(1) for part in ("MAJOR", "MINOR", "PATCH"))


def run(tool, args, env=None):
    # meson sets MESON_EXE_WRAPPER (qemu) when the tool is cross-built.
    wrapper = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))
    return subprocess.run(wrapper + [tool] + args, capture_output=True, text=True, encoding="utf-8",
                          env=dict(BASE_ENV, **(env or {})))


def cli_args(secret_id, secret_key, method, key, start, end, params, headers, token, sign_all, presign):
    args = ["--secret-id", secret_id, "--secret-key", secret_key, "--method", method, "--key", key,
            "--start", str(start), "--end", str(end)]
    for n, v in params:
        args += ["--param", n if v is None else f"{n}={v}"]
    for n, v in headers:
        args += ["--header", f"{n}: {v}"]
    if token:
        args += ["--token", token]
    if sign_all:
        args.append("--sign-all-headers")
    if presign:
        args.append("--presign")
    return args


ALPHABET = ("abcXYZ019-_.~ /+=&;%?#!'()*,:@$[]\"<>{}|\\^`\t" + "腾讯云é€😀")
HEADER_NAMES = ["Host", "Content-Type", "Content-Length", "Content-MD5", "x-cos-meta-Tag", "X-COS-ACL",
                "x-ci-Thing", "Range", "If-Match", "User-Agent", "Date", "Cache-Control", "Origin",
                "x-cos-grant-read", "Expect", "Pic-Operations", "X-Custom", "Accept"]


def random_text(rng, lo=0, hi=12, alphabet=ALPHABET):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))


def random_case(rng):
    key = random_text(rng, 1, 30).replace("\t", "x")
    method = rng.choice(["GET", "put", "Post", "DELETE", "HEAD", "get"])
    names = set()
    params = []
    for _ in range(rng.randint(0, 6)):
        name = random_text(rng, 1, 10, ALPHABET.replace("=", "").replace("\t", ""))
        low = enc(name).lower()
        if low in names or low.startswith("q-") or low == "sign" or low == "x-cos-security-token":
            continue
        names.add(low)
        params.append((name, rng.choice([None, "", random_text(rng, 0, 15).replace("\t", "")])))
    headers = []
    seen = set()
    for _ in range(rng.randint(0, 40 if rng.random() < 0.1 else 8)):
        name = rng.choice(HEADER_NAMES) if rng.random() < 0.7 else f"x-cos-meta-{rng.randint(0, 999)}"
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        value = random_text(rng, 1, 20).strip(" \t") or "v"
        headers.append((name, value))
    token = random_text(rng, 5, 20).replace("\t", "") if rng.random() < 0.2 else None
    if token is not None and token.strip(" ") != token:
        token = token.strip(" ") or None
    start = rng.randint(0, 2**40)
    return ("AKID" + random_text(rng, 4, 20, "ABCdef0123456789"), random_text(rng, 1, 40),
            method, key, start, start + rng.randint(0, 10**6), params, headers, token,
            rng.random() < 0.3, rng.random() < 0.3)


def main():
    tool = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    failures = 0

    def check(label, ok, detail=""):
        nonlocal failures
        if not ok:
            failures += 1
            print(f"FAIL {label}: {detail}")

    # The documented PUT example with --sign-all-headers and --explain.
    doc = ["--secret-id", "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q", "--secret-key", "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz",
           "--method", "PUT", "--key", "exampleobject(腾讯云)", "--start", "1557989151", "--end", "1557996351",
           "--header", "Date: Thu, 16 May 2019 06:45:51 GMT",
           "--header", "Host: examplebucket-1250000000.cos.ap-beijing.myqcloud.com",
           "--header", "Content-Type: text/plain", "--header", "Content-Length: 13",
           "--header", "Content-MD5: mQ/fVh815F3k6TAUm8m0eg==", "--header", "x-cos-acl: private",
           "--header", 'x-cos-grant-read: uin="100000000011"', "--sign-all-headers", "--explain"]
    r = run(tool, doc)
    lines = r.stdout.splitlines()
    check("doc PUT exit", r.returncode == 0, r.stderr)
    check("doc PUT lines", len(lines) == 3, r.stdout)
    check("doc PUT signature", lines and lines[0].endswith("q-signature=3b8851a11a569213c17ba8fa7dcf2abec6935172"), r.stdout)
    check("doc PUT explain", len(lines) == 3 and lines[2] ==
          "string_to_sign: sha1\\n1557989151;1557996351\\n8b2751e77f43a0995d6e9eb9477f4b685cca4172\\n", r.stdout)
    check("doc PUT http_string", len(lines) == 3 and lines[1].startswith("http_string: put\\n/exampleobject(腾讯云)\\n\\n"), r.stdout)

    # A leading '/' in the key is kept: --key /a signs //a.
    r = run(tool, ["--secret-id", "id", "--secret-key", "k", "--method", "GET", "--key", "/a",
                   "--start", "1", "--end", "2", "--explain"])
    check("leading slash", "http_string: get\\n//a\\n" in r.stdout, r.stdout)

    # --version: the version from include/coswire/version.hpp's three macros.
    r = run(tool, ["--version"])
    check("--version", r.returncode == 0 and r.stdout == f"coswire-sign {header_version()}\n" and r.stderr == "",
          f"{r.returncode} {r.stdout!r} {r.stderr!r}")

    # Bad usage: exit 2, one line on stderr naming the flag, nothing on stdout.
    base = ["--secret-id", "id", "--secret-key", "k", "--method", "GET", "--key", "a", "--start", "1", "--end", "2"]
    # The warning for --secret-key comes once the whole command line was read; the errors found
    # while reading it (an unknown flag, a value that does not parse) come before.
    while_reading = [
        (base + ["--header", "NoColon"], "--header"),
        (base[:-2] + ["--end", "x"], "--end"),
        (base + ["--bogus"], "--bogus"),
    ]
    bad = [
        (base[2:], "--secret-id"),
        (base + ["--header", "Bad Name: v"], "--header"),
        (base + ["--header", "x-cos-meta-a: a\rb"], "--header"),
        (base[:-2] + ["--end", "0"], "--start/--end"),
        (["--secret-id", "id", "--secret-key", "", "--method", "GET", "--key", "a", "--start", "1", "--end", "2"], "--secret-key"),
        (["--secret-id", "id", "--secret-key", "k", "--method", "G T", "--key", "a", "--start", "1", "--end", "2"], "--method"),
        (base + ["--param", "a=1", "--param", "A=2"], "--param"),
    ]
    for args, flag in bad + while_reading:
        r = run(tool, args)
        read = (args, flag) not in while_reading
        warned = WARNING["--secret-key"] if read and args[args.index("--secret-key") + 1] else ""
        err = r.stderr[len(warned):].splitlines() if r.stderr.startswith(warned) else []
        check(f"bad usage {flag}", r.returncode == 2 and len(err) == 1 and flag in err[0] and r.stdout == "",
              f"rc={r.returncode} stderr={r.stderr!r}")
    r = run(tool, base + ["--token", "SESSIONSECRET", "--explain"])
    check("token never echoed", r.returncode == 0 and "SESSIONSECRET" not in r.stdout and "SESSIONSECRET" not in r.stderr, r.stdout)
    check("--secret-key and --token draw one warning each",
          r.stderr == WARNING["--secret-key"] + WARNING["--token"], repr(r.stderr))

    # Secrets from files and the environment: the same signature as from the flags, no warning,
    # no secret printed. The flags' run is the reference (its stdout is the contract).
    key, token = "fileKey+/=0123456789abcdefghij", "fileToken/+=xyz"
    common = ["--method", "GET", "--key", "a", "--start", "1", "--end", "2", "--explain"]
    want = run(tool, ["--secret-id", "id", "--secret-key", key, "--token", token] + common).stdout
    want_no_token = run(tool, ["--secret-id", "id", "--secret-key", key] + common).stdout
    check("the reference runs sign", want.count("\n") == 3 and want_no_token.count("\n") == 3 and want != want_no_token, want)
    with tempfile.TemporaryDirectory() as tmp:
        key_file, token_file = os.path.join(tmp, "key"), os.path.join(tmp, "token")
        with open(key_file, "w", newline="") as f:
            f.write(key + "\r\n")
        with open(token_file, "w", newline="") as f:
            f.write(token + "\n")
        env_all = {"COS_SECRET_ID": "id", "COS_SECRET_KEY": key, "COS_SESSION_TOKEN": token}
        sourced = [
            ("files", ["--secret-id", "id", "--secret-key-file", key_file, "--token-file", token_file], {}, want),
            ("files win over the environment",
             ["--secret-key-file", key_file, "--token-file", token_file],
             {"COS_SECRET_ID": "id", "COS_SECRET_KEY": "other-key", "COS_SESSION_TOKEN": "other-token"}, want),
            ("the environment", [], env_all, want),
            ("COS_SESSION_TOKEN is not paired with a key from a file", ["--secret-key-file", key_file], env_all, want_no_token),
        ]
        for label, args, env, expected in sourced:
            r = run(tool, args + common, env)
            check(f"secrets from {label}", r.returncode == 0 and r.stdout == expected and r.stderr == "", f"{r.stdout!r} {r.stderr!r}")
        r = run(tool, ["--secret-id", "id", "--secret-key", key] + common, env_all)
        check("COS_SESSION_TOKEN is not paired with --secret-key (the old output stays)",
              r.returncode == 0 and r.stdout == want_no_token and r.stderr == WARNING["--secret-key"], f"{r.stdout!r} {r.stderr!r}")
        empty = os.path.join(tmp, "empty")
        open(empty, "w").write("\n")
        for label, args, flag in (
                ("an empty --secret-key-file", ["--secret-key-file", empty], "--secret-key-file"),
                ("a missing --token-file", ["--secret-key-file", key_file, "--token-file", os.path.join(tmp, "none")], "--token-file"),
                ("--secret-key with --secret-key-file", ["--secret-key", key, "--secret-key-file", key_file], "--secret-key-file"),
                ("no secret key anywhere", [], "--secret-key")):
            r = run(tool, ["--secret-id", "id"] + args + common)
            warned = WARNING["--secret-key"] if "--secret-key" in args else ""
            err = r.stderr[len(warned):].splitlines() if r.stderr.startswith(warned) else []
            check(f"bad usage: {label}", r.returncode == 2 and len(err) == 1 and flag in err[0] and r.stdout == "",
                  f"rc={r.returncode} stderr={r.stderr!r}")
            check(f"bad usage: {label}: no secret printed", key not in r.stdout + r.stderr and token not in r.stdout + r.stderr)

    rng = random.Random(20261125)
    for i in range(count):
        case = random_case(rng)
        r = run(tool, cli_args(*case))
        expected = reference(*case)
        ok = r.returncode == 0 and r.stdout == expected + "\n"
        check(f"random case {i}", ok, f"args={cli_args(*case)!r}\n  got={r.stdout!r} err={r.stderr!r}\n  want={expected!r}")
        if failures > 10:
            break
    print(f"{count} random cases, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
