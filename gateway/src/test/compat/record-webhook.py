#!/usr/bin/env python3
"""Writes the cases of the hooks-file differential test and records what webhook 2.8 answers to each.

The hooks files are in ../resources/hooks/compat/files (written by hand: tabs, YAML scalars and odd hooks are
the point of several of them). This script builds the requests (signatures computed here), starts the real tool
once per hooks file on loopback, sends every request from the case's remote address, and writes cases.json with
the tool's outcome. The Java side (WebhookCompatTest) checks Winch against the recorded outcomes;
WebhookCompatIT re-checks the recordings against the tool when it is installed.

    apt-get install webhook      # 2.8.0 in Debian
    python3 gateway/src/test/compat/record-webhook.py

Outcomes: matched (the command ran), not-matched ("Hook rules were not satisfied."), error ("Error occurred
while evaluating hook rules.", a 500), not-served ("Hook not found.": the hook was not loaded).
"""
import hashlib
import hmac
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
COMPAT = os.path.join(HERE, "..", "resources", "hooks", "compat")
FILES = os.path.join(COMPAT, "files")

BODY = '{"ref":"refs/heads/main","n":1}'


def sig(algo, secret, body, prefix=None):
    digest = hmac.new(secret.encode(), body.encode(), getattr(hashlib, algo)).hexdigest()
    return (algo + "=" if prefix is None else prefix) + digest


CASES = []


def case(name, file, hook, query="", headers=None, body="", remote="127.0.0.1", method="POST", winch=None,
         why=None):
    c = {"name": name, "file": file, "hook": hook, "method": method, "query": query,
         "headers": headers or {}, "body": body, "remote": remote}
    if winch is not None:
        c["winch"] = winch
        c["why"] = why
    CASES.append(c)


JSON_CT = {"Content-Type": "application/json"}

# ---- rules.json: and / or / not / match over url, header, string, request ----
F = "rules.json"
case("value matches", F, "value", "t=x")
case("value differs", F, "value", "t=y")
case("value is case-sensitive", F, "value", "t=X")
case("value missing", F, "value", "")
case("value empty", F, "value", "t=")
case("first of repeated query values", F, "value", "t=y&t=x")
case("first of repeated query values 2", F, "value", "t=x&t=y")
case("plus in query is a space", F, "spaced", "t=a+b")
case("percent-encoded query", F, "spaced", "t=a%20b")
case("semicolon ends nothing: pair dropped", F, "value", "t=x;u=1")
case("semicolon in another pair", F, "value", "t=x&u=1;v=2")
case("semicolon before the pair", F, "value", "u=1;t=x")
case("header matches", F, "header", headers={"X-Token": "abc"})
case("header name case", F, "header", headers={"x-token": "abc"})
case("header value differs", F, "header", headers={"X-Token": "abd"})
case("header missing", F, "header")
case("and both", F, "and", "t=x", {"X-Token": "abc"})
case("and one", F, "and", "t=x", {"X-Token": "nope"})
case("and missing header", F, "and", "t=x")
case("and missing first", F, "and", "", {"X-Token": "abc"})
case("or first", F, "or", "t=x")
case("or second", F, "or", "t=y")
case("or none", F, "or", "t=z")
case("or missing", F, "or", "")
case("not of mismatch", F, "not", "t=y")
case("not of match", F, "not", "t=x")
case("not of missing parameter", F, "not", "")
case("not and: one missing", F, "not-and", "t=x")
case("not and: both", F, "not-and", "t=x&u=y")
case("not and: second differs", F, "not-and", "t=x&u=z")
case("nested or/not pass", F, "nested", "t=x&u=q")
case("nested or/not blocked", F, "nested", "t=x&u=block")
case("nested or second arm", F, "nested", "t=y&u=q")
case("nested missing u", F, "nested", "t=x")
case("string source", F, "string", "")
case("method POST", F, "method", "")
case("raw body regex", F, "raw-body", body="say hello")
case("raw body regex absent", F, "raw-body", body="say bye")
case("raw body empty", F, "raw-body")
case("empty or", F, "empty-or", "t=x")
case("empty and", F, "empty-and", "t=anything", winch="not-served",
     why="an empty and would accept every request: Winch refuses that hook")
case("no trigger rule", F, "no-rule", "", winch="not-served",
     why="a hook without a trigger rule is open: Winch refuses that hook")
case("rule with no operator", F, "no-operator", "t=x", winch="not-served",
     why="an empty rule object never matches: Winch refuses that hook")
case("unknown hook", F, "nope", "t=x")
case("empty value, empty parameter", F, "empty-value", "t=", winch="not-served",
     why="an empty value matches an empty parameter, never meant as a token: Winch refuses that hook")
case("empty value, parameter set", F, "empty-value", "t=x", winch="not-served",
     why="an empty value matches an empty parameter, never meant as a token: Winch refuses that hook")
case("empty secret", F, "empty-secret", "", {"X-Sig": "sha256=00"}, winch="not-served",
     why="an empty secret is an error on every request: Winch refuses that hook")
case("not over a rule with no operator", F, "not-no-operator", "t=x", winch="not-served",
     why="an empty rule object never matches: Winch refuses that hook")
case("ip-range that does not parse", F, "bad-range", "", winch="not-served",
     why="an ip-range that does not parse is refused when the file is loaded, not on each request")
case("dotted query name whole", F, "dotted-query", "a.b=x")
case("dotted query name nested", F, "dotted-query", "a=x")

# ---- signatures.json ----
F = "signatures.json"
S = "s3cret"
for algo, hook in (("sha1", "sha1"), ("sha256", "sha256"), ("sha512", "sha512")):
    H = "X-Sig"
    case(algo + " right", F, hook, headers={**JSON_CT, H: sig(algo, S, BODY)}, body=BODY)
    case(algo + " wrong", F, hook, headers={**JSON_CT, H: sig(algo, "other", BODY)}, body=BODY)
    case(algo + " missing", F, hook, headers=JSON_CT, body=BODY)
    case(algo + " bare hex", F, hook, headers={**JSON_CT, H: sig(algo, S, BODY, "")}, body=BODY)
    case(algo + " upper-case hex", F, hook, headers={**JSON_CT, H: algo + "=" + sig(algo, S, BODY, "").upper()},
         body=BODY)
    case(algo + " upper-case prefix", F, hook,
         headers={**JSON_CT, H: algo.upper() + "=" + sig(algo, S, BODY, "")}, body=BODY)
    case(algo + " list, right second", F, hook,
         headers={**JSON_CT, H: sig(algo, "other", BODY) + "," + sig(algo, S, BODY)}, body=BODY)
    case(algo + " list with a space", F, hook,
         headers={**JSON_CT, H: sig(algo, "other", BODY) + ", " + sig(algo, S, BODY)}, body=BODY)
    case(algo + " list with bare hex", F, hook,
         headers={**JSON_CT, H: sig(algo, "other", BODY) + "," + sig(algo, S, BODY, "")}, body=BODY)
    case(algo + " trailing space", F, hook, headers={**JSON_CT, H: sig(algo, S, BODY) + " "}, body=BODY)
    case(algo + " body changed", F, hook, headers={**JSON_CT, H: sig(algo, S, BODY)}, body=BODY + " ")
case("sha256 prefix on a sha1 match", F, "sha1", headers={**JSON_CT, "X-Sig": "sha256=" + sig("sha1", S, BODY, "")},
     body=BODY)
case("deprecated payload-hash-sha1", F, "hash-sha1", headers={**JSON_CT, "X-Sig": sig("sha1", S, BODY)}, body=BODY)
case("deprecated payload-hash-sha1 wrong", F, "hash-sha1", headers={**JSON_CT, "X-Sig": sig("sha1", "x", BODY)},
     body=BODY)
case("signature over an empty body", F, "sha1", headers={"X-Sig": sig("sha1", S, "")})
case("wrong signature in or, token right", F, "or-sig", "t=x", {"X-Sig": sig("sha256", "other", "")})
case("missing signature in or, token right", F, "or-sig", "t=x")
case("right signature in or", F, "or-sig", "t=y", {"X-Sig": sig("sha256", S, "")})
case("wrong signature in or, soft failures", F, "or-sig-soft", "t=x", {"X-Sig": sig("sha256", "other", "")})
case("wrong signature alone, soft failures", F, "sig-soft", "", {"X-Sig": sig("sha256", "other", "")})
case("right signature, soft failures", F, "sig-soft", "", {"X-Sig": sig("sha256", S, "")})
case("wrong signature under not", F, "not-sig", "", {"X-Sig": sig("sha256", "other", "")})
case("right signature under not", F, "not-sig", "", {"X-Sig": sig("sha256", S, "")})
case("missing signature under not", F, "not-sig", "")
case("wrong signature in and, other false", F, "and-sig", "t=y", {"X-Sig": sig("sha256", "other", "")})
case("wrong signature in and after false", F, "and-sig-late", "t=y", {"X-Sig": sig("sha256", "other", "")})
case("wrong signature in and after true", F, "and-sig-late", "t=x", {"X-Sig": sig("sha256", "other", "")})
case("or: first arm true before a wrong signature", F, "or-token-first", "t=x",
     {"X-Sig": sig("sha256", "other", "")})
case("or: first arm false before a wrong signature", F, "or-token-first", "t=y",
     {"X-Sig": sig("sha256", "other", "")})
case("signature of a query parameter", F, "sig-from-query",
     "sig=" + urllib.parse.quote(sig("sha256", S, BODY)), JSON_CT, BODY)
case("signature with extra header (2.8 ignores)", F, "sig-extra-header",
     headers={**JSON_CT, "X-Sig": sig("sha256", S, BODY), "X-Time": "1"}, body=BODY)

# ---- regex.json ----
F = "regex.json"
def q(value):
    return "v=" + urllib.parse.quote(value, safe="")
case("anchored", F, "anchored", q("abc"))
case("anchored rejects longer", F, "anchored", q("abcd"))
case("dollar before trailing newline", F, "anchored", q("abc\n"))
case("unanchored finds inside", F, "inside", q("xxabcxx"))
case("backslash-z", F, "end-z", q("abc"))
case("lookbehind", F, "lookbehind", q("ab"), winch="not-served",
     why="a pattern RE2 cannot compile is refused when the file is loaded, not on each request")
case("backreference", F, "backref", q("aa"), winch="not-served",
     why="a pattern RE2 cannot compile is refused when the file is loaded, not on each request")
case("possessive", F, "possessive", q("aaa"), winch="not-served",
     why="a pattern RE2 cannot compile is refused when the file is loaded, not on each request")
case("backslash-Z", F, "big-z", q("abc"), winch="not-served",
     why="a pattern RE2 cannot compile is refused when the file is loaded, not on each request")
case("\\s and vertical tab", F, "space", q("a\x0bb"))
case("\\s and tab", F, "space", q("a\tb"))
case("\\s and no-break space", F, "space", q("a\u00a0b"))
case("\\b and accented letter", F, "boundary", q("caf\u00e9s"))
case("\\b ascii", F, "boundary", q("cafe s"))
case("\\w and accented letter", F, "word", q("\u00e9"))
case("\\d and arabic digit", F, "digit", q("\u0663"))
case("dot against CR", F, "dot", q("a\rb"))
case("dot against LF", F, "dot", q("a\nb"))
case("dot against U+2028", F, "dot", q("a\u2028b"))
case("named group", F, "named", q("v12"))
case("posix class", F, "posix", q("v1.2"))
case("posix class no match", F, "posix", q("vx.2"))
case("case-insensitive flag", F, "ci", q("ABC"))
case("unicode class", F, "greek", q("\u03b1\u03b2"))
case("alternation leftmost", F, "alt", q("ab"))
case("quote meta", F, "quoted", q("a.b*c"))
case("quote meta differs", F, "quoted", q("axbbc"))
case("regex on missing parameter", F, "anchored", "")
case("multiline flag", F, "multiline", q("x\nabc\ny"))
case("no multiline", F, "anchored", q("x\nabc"))
case("repeat over 1000", F, "big-repeat", q("a"), winch="not-served",
     why="a pattern RE2 cannot compile is refused when the file is loaded, not on each request")
case("regex from payload number", F, "payload-number", headers=JSON_CT, body='{"n":1e3}')
case("regex from payload number 2", F, "payload-number", headers=JSON_CT, body='{"n":10}')

# ---- payload.json ----
F = "payload.json"
def p(name, hook, body, ct="application/json", **kw):
    case(name, F, hook, headers={"Content-Type": ct} if ct else {}, body=body, **kw)
p("top-level field", "ref", '{"ref":"main"}')
p("top-level field differs", "ref", '{"ref":"dev"}')
p("missing field", "ref", '{"other":"main"}')
p("nested field", "nested", '{"a":{"b":"main"}}')
p("dotted key whole", "nested", '{"a.b":"main"}')
p("dotted key wins over nested", "nested", '{"a.b":"main","a":{"b":"dev"}}')
p("list index", "index", '{"items":[{"name":"x"},{"name":"main"}]}')
p("list index out of range", "index", '{"items":[{"name":"main"}]}')
p("top-level list root.0", "root", '[{"event":"processed"}]')
p("top-level list with space before", "root", ' \n [{"event":"processed"}]')
p("top-level list other", "root", '[{"event":"dropped"}]')
p("top-level list without content type", "root", '[{"event":"processed"}]', ct=None)
p("number written with exponent", "number", '{"n":1e3}')
p("number 1000 against 1e3", "number", '{"n":1000}')
p("number with trailing zero", "decimal", '{"n":1.50}')
p("number 1.5 against 1.50", "decimal", '{"n":1.5}')
p("big integer", "big", '{"n":12345678901234567890}')
p("negative zero", "negzero", '{"n":-0}')
p("boolean", "bool", '{"b":true}')
p("boolean as string", "bool", '{"b":"true"}')
p("null", "null", '{"z":null}')
p("null as string", "null", '{"z":"null"}')
p("object keys sorted", "object", '{"o":{"b":1,"a":"x"}}')
p("object html escaped", "html", '{"o":{"a":"<&>"}}')
p("list as json", "list", '{"l":[1,"x",true,null]}')
p("list with spaces", "list", '{"l": [1, "x", true, null]}')
p("nested number in object", "object-number", '{"o":{"n":1e3}}')
p("empty object", "empty-object", '{"o":{}}')
p("unicode escape", "ref", '{"ref":"\\u006dain"}')
p("duplicate key, last wins", "ref", '{"ref":"dev","ref":"main"}')
p("charset parameter", "ref", '{"ref":"main"}', ct="application/json; charset=utf-8")
p("vendor json type", "ref", '{"ref":"main"}', ct="application/vnd.github+json")
p("upper-case content type", "ref", '{"ref":"main"}', ct="APPLICATION/JSON")
p("text/plain", "ref", '{"ref":"main"}', ct="text/plain")
p("no content type", "ref", '{"ref":"main"}', ct=None)
p("trailing garbage after json", "ref", '{"ref":"main"} trailing')
p("second document after json", "ref", '{"ref":"main"}{"ref":"dev"}')
p("trailing newline", "ref", '{"ref":"main"}\n')
p("truncated json", "ref", '{"ref":"main"')
p("json string body", "ref", '"main"')
p("empty body with json type", "ref", '')
p("form body", "ref", 'ref=main', ct="application/x-www-form-urlencoded",
  winch="not-matched", why="Winch reads JSON payloads only (a form body is answered 415)")
p("payload and query together", "payload-and-query", '{"ref":"main"}', query="t=x")
p("payload index on object", "index-on-object", '{"items":{"0":"main"}}')
p("deep path through string", "nested", '{"a":"main"}')
p("number in list index", "root-number", '[5]')
p("value of empty string", "empty-string", '{"e":""}')

# ---- request.json: remote address, ip-whitelist ----
F = "request.json"
case("remote-addr value without port", F, "addr-value")
case("remote-addr regex with port", F, "addr-port-regex")
case("remote-addr regex without port", F, "addr-regex")
case("remote-addr regex other host", F, "addr-port-regex", remote="127.0.0.2")
case("whitelist /32", F, "wl-32")
case("whitelist /32 other host", F, "wl-32", remote="127.0.0.2")
case("whitelist /8", F, "wl-8", remote="127.0.0.3")
case("whitelist elsewhere", F, "wl-10")
case("whitelist bare address", F, "wl-bare", remote="127.0.0.2")
case("whitelist bare address other", F, "wl-bare")
case("whitelist list of ranges", F, "wl-list", remote="127.0.0.9")
case("whitelist list, none", F, "wl-list-none")
case("whitelist spaces around", F, "wl-spaced")
case("whitelist ipv6 range from ipv4", F, "wl-v6")
case("whitelist in and with token", F, "wl-and", "t=x")
case("whitelist in and without token", F, "wl-and", "t=y")
case("not whitelisted", F, "wl-not", remote="127.0.0.2")
case("not whitelisted: listed", F, "wl-not")
case("method value", F, "method")

# ---- odd.json: hooks webhook loads that Winch refused file-wide ----
F = "odd.json"
case("good hook beside odd ones", F, "good", "t=x")
case("good hook, mismatch", F, "good", "t=y")
case("number unquoted in match", F, "number", "t=5")
case("number unquoted, other", F, "number", "t=6")
case("decimal unquoted", F, "decimal", "t=1.10")
case("boolean unquoted", F, "boolean", "t=true")
case("parse-parameters-as-json", F, "json-parameter", "p=" + urllib.parse.quote('{"event":"media.play"}'),
     winch="not-served", why="parse-parameters-as-json is not supported: Winch refuses that hook")
case("unknown field", F, "unknown-field", "t=x")
case("empty and beside good", F, "empty-and", "", winch="not-served",
     why="an empty and would accept every request: Winch refuses that hook")
case("duplicate id first", F, "twice", "t=first")
case("duplicate id second", F, "twice", "t=second")
case("exponent as written", F, "exponent", "t=1e7")
case("exponent as go prints it", F, "exponent", "t=" + urllib.parse.quote("1e+07"))
case("exponent in full", F, "exponent", "t=10000000")
case("fraction", F, "half", "t=0.5")
case("fraction other", F, "half", "t=.5")
case("float32 rounding as written", F, "million", "t=1234567.5")
for hook, written, printed in (("exp-no-sign", "1.5e3", "1500"), ("exp-signed", "1e+7", "1e+07"),
                               ("minus-zero", "-0.0", "-0"), ("one-point-zero", "1.0", "1"),
                               ("uint64", "12345678901234567890", "1.2345679e+19")):
    case("number " + written + " as written", F, hook, "t=" + urllib.parse.quote(written))
    case("number " + written + " as " + printed, F, hook, "t=" + urllib.parse.quote(printed))
case("float32 rounding as go prints it", F, "million", "t=" + urllib.parse.quote("1.2345675e+06"))

# ---- odd.yaml ----
F = "odd.yaml"
case("yaml good", F, "good", "t=x")
case("yaml number", F, "number", "t=5")
case("yaml decimal 1.10 as 1.1", F, "decimal", "t=1.1")
case("yaml decimal 1.10 as written", F, "decimal", "t=1.10")
case("yaml boolean", F, "boolean", "t=true")
case("yaml yes", F, "yes", "t=yes")
case("yaml yes as true", F, "yes", "t=true")
case("yaml regex", F, "regex", "v=v1.2")
case("yaml signature", F, "signed", headers={**JSON_CT, "X-Sig": sig("sha256", S, BODY)}, body=BODY)

# ---- tabs.json ----
F = "tabs.json"
case("tab-indented file", F, "tabbed", "token=t0k&ns=demo")
case("tab-indented file mismatch", F, "tabbed", "token=t0k&ns=other")

# ---- seed001.json: the seed's template, filled in ----
F = "seed001.json"
SEED = "token=s3cr3t-token&ns=default&workload=deployment%2Fwebhooks&container=webhooks&repo_type=dockerhub"
case("seed all parameters", F, "cnrancher_website", SEED, JSON_CT, BODY)
case("seed wrong token", F, "cnrancher_website", SEED.replace("s3cr3t", "wrong"), JSON_CT, BODY)
case("seed missing container", F, "cnrancher_website", SEED.replace("&container=webhooks", ""), JSON_CT, BODY)
case("seed other namespace", F, "cnrancher_website", SEED.replace("ns=default", "ns=kube-system"), JSON_CT, BODY)
case("seed without body", F, "cnrancher_website", SEED)

# ---- tool-tests.json: hooks shaped like the tool's own test hooks ----
F = "tool-tests.json"
GH = '{"ref":"refs/heads/master","head_commit":{"id":"1","author":{"email":"a@b"}}}'
case("github push", F, "github", headers={**JSON_CT, "X-Hub-Signature": sig("sha1", "mysecret", GH)}, body=GH)
case("github wrong signature", F, "github", headers={**JSON_CT, "X-Hub-Signature": sig("sha1", "x", GH)}, body=GH)
case("github other branch", F, "github",
     headers={**JSON_CT, "X-Hub-Signature": sig("sha1", "mysecret", GH.replace("master", "dev"))},
     body=GH.replace("master", "dev"))
case("github no signature", F, "github", headers=JSON_CT, body=GH)
case("gitlab push", F, "gitlab", headers=JSON_CT, body='{"ref":"refs/heads/master","commits":[{"id":"1"}]}')
case("gitlab other", F, "gitlab", headers=JSON_CT, body='{"ref":"refs/heads/x"}')
case("sendgrid list", F, "sendgrid", headers=JSON_CT, body='[{"event":"processed"},{"event":"open"}]')
case("sendgrid second only", F, "sendgrid", headers=JSON_CT, body='[{"event":"open"},{"event":"processed"}]')
case("bitbucket form payload", F, "bitbucket", headers={"Content-Type": "application/x-www-form-urlencoded"},
     body="payload=" + urllib.parse.quote('{"canon_url":"https://bitbucket.org","commits":[{"branch":"master"}]}'),
     winch="not-served", why="parse-parameters-as-json is not supported: Winch refuses that hook")
case("empty payload signature", F, "empty-payload-signature", headers={"X-Hub-Signature": sig("sha1", "mysecret", "")})
case("empty payload wrong signature", F, "empty-payload-signature", headers={"X-Hub-Signature": "sha1=00"})
case("static hook without rule", F, "static-params-ok", winch="not-served",
     why="a hook without a trigger rule is open: Winch refuses that hook")
case("mismatch code out of range, match", F, "odd-mismatch-code", headers=JSON_CT, body='{"ref":"refs/heads/master"}')
case("mismatch code out of range, mismatch", F, "odd-mismatch-code", headers=JSON_CT, body='{"ref":"x"}')
case("method list with odd case and space", F, "methods", headers=JSON_CT, body='{"ref":"refs/heads/master"}')

# ---- tool-tests.yaml ----
F = "tool-tests.yaml"
case("yaml github push", F, "github", headers={**JSON_CT, "X-Hub-Signature": sig("sha1", "mysecret", GH)}, body=GH)
case("yaml github wrong", F, "github", headers={**JSON_CT, "X-Hub-Signature": sig("sha1", "other", GH)}, body=GH)
case("yaml sendgrid", F, "sendgrid", headers=JSON_CT, body='[{"event":"processed"}]')
case("yaml gitlab", F, "gitlab", headers=JSON_CT, body='{"ref":"refs/heads/master"}')


# ---- running the tool ----

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def outcome(status, body):
    text = body.decode("utf-8", "replace").strip()
    if text == "Hook not found.":
        return "not-served"
    if text == "Hook rules were not satisfied.":
        return "not-matched"
    if text == "Error occurred while evaluating hook rules.":
        return "error"
    if status == 200:
        return "matched"
    return "other: %d %s" % (status, text)


def send(port, c):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(c["remote"], 0))
    path = "/hooks/" + c["hook"] + ("?" + c["query"] if c["query"] else "")
    conn.request(c["method"], path, body=c["body"].encode("utf-8"), headers=c["headers"])
    response = conn.getresponse()
    result = outcome(response.status, response.read())
    conn.close()
    return result


def run(file, cases):
    port = free_port()
    log = open(os.path.join("/tmp", "webhook-" + file + ".log"), "w")
    tool = subprocess.Popen(["webhook", "-hooks", os.path.join(FILES, file), "-port", str(port), "-ip",
                             "127.0.0.1", "-verbose"], stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if tool.poll() is not None:
                    break
                time.sleep(0.1)
        for c in cases:
            c["tool"] = "not-served" if tool.poll() is not None else send(port, c)
    finally:
        tool.terminate()
        tool.wait()


def main():
    by_file = {}
    for c in CASES:
        by_file.setdefault(c["file"], []).append(c)
    for file, cases in by_file.items():
        run(file, cases)
    ordered = [{k: c[k] for k in ("name", "file", "hook", "method", "query", "headers", "body", "remote", "tool",
                                  "winch", "why") if k in c} for c in CASES]
    with open(os.path.join(COMPAT, "cases.json"), "w") as out:
        out.write("[\n" + ",\n".join(json.dumps(c, ensure_ascii=False) for c in ordered) + "\n]\n")
    others = [c for c in CASES if c["tool"].startswith("other")]
    print("%d cases, %d files; %d with another answer" % (len(CASES), len(by_file), len(others)), file=sys.stderr)
    for c in others:
        print("  %s: %s" % (c["name"], c["tool"]), file=sys.stderr)


if __name__ == "__main__":
    main()
