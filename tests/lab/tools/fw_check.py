#!/usr/bin/python3
"""fw_check.py FIREWALL DIR: check that a firewall recording (a work dir or
tests/golden/fw-*) has the golden shape; print a one-line summary per rule
set, exit 1 with the reasons otherwise.

FIREWALL is nft, iptables-nft, iptables-legacy, ufw (checked as
iptables-nft: ufw drives it) or firewalld (checked as nft, except that
firewalld gives its rules no counters). Checks:
  * fw/ (tools/ctreplay-collect before traffic) holds uname, addr.json,
    route.json, route6.json, sysctl.txt and the rules: ruleset.json (nft)
    or iptables-save.txt (iptables);
  * nft: every rule of fw/ruleset.json and nft-after.json has a counter;
    nft-after.json has the same rules (same handles) as fw/ruleset.json,
    with zero counters before and some packets counted after;
  * iptables: iptables-after.txt / ip6tables-after.txt are `-save -c`
    output ([packets:bytes] on every rule) with some packets counted;
  * kernel.log: the begin and end markers; for every logging rule, as many
    lines with its prefix as the rule's counter says (nft: the counter of
    the rule that holds the log statement; iptables: the LOG rule's).
"""
import json, os, re, sys

fw, d = sys.argv[1], sys.argv[2]
errs = []
# rulesets a firewall manager wrote: ufw's are iptables-nft rules;
# firewalld's are nft rules without counters
counters_needed = fw != "firewalld"
fw = {"ufw": "iptables-nft", "firewalld": "nft"}.get(fw, fw)


def err(msg):
    errs.append(msg)


def nft_rules(path):
    with open(path) as f:
        doc = json.load(f)
    rules = []
    for obj in doc.get("nftables", []):
        if "rule" in obj:
            rules.append(obj["rule"])
    return rules


def find(expr, key):
    """every value of key in the nested JSON expr"""
    out = []
    if isinstance(expr, dict):
        for k, v in expr.items():
            if k == key:
                out.append(v)
            out.extend(find(v, key))
    elif isinstance(expr, list):
        for v in expr:
            out.extend(find(v, key))
    return out


def rule_id(r):
    return (r["family"], r["table"], r["chain"], r["handle"])


def counter_of(r):
    c = find(r["expr"], "counter")
    if not c or not isinstance(c[0], dict):
        return None
    return c[0].get("packets")


# ------------------------------------------------------------------- fw/
fwd = os.path.join(d, "fw")
need = ["uname", "addr.json", "route.json", "route6.json", "sysctl.txt"]
need.append("ruleset.json" if fw == "nft" else "iptables-save.txt")
for f in need:
    p = os.path.join(fwd, f)
    if not os.path.isfile(p) or (os.path.getsize(p) == 0 and f != "iptables-save.txt"):
        err(f"fw/{f} missing or empty")
if fw.startswith("iptables-"):
    want = "nf_tables" if fw == "iptables-nft" else "legacy"
    try:
        v = open(os.path.join(fwd, "iptables-version")).read()
        if want not in v:
            # the collector saves the system's variant; the other one, when it
            # has tables, goes to iptables-<variant>-save.txt
            if not os.path.isfile(os.path.join(fwd, f"iptables-{fw[9:]}-save.txt")):
                err(f"fw/: no {want} iptables rules collected (system variant: {v.strip()})")
    except OSError:
        err("fw/iptables-version missing")

# ------------------------------------------------------------------- counters
log_counts = {}  # prefix -> packets counted by the logging rule(s)
log_prefixes = set()  # prefixes of log statements without a counter
if fw in ("nft", "iptables-nft"):
    p = os.path.join(d, "nft-after.json")
    if not os.path.isfile(p):
        err("nft-after.json missing")
    else:
        after = nft_rules(p)
        total = 0
        for r in after:
            c = counter_of(r)
            if c is None:
                if fw == "nft" and counters_needed:
                    err(f"rule without counter: {rule_id(r)}")
                for lg in (find(r["expr"], "log") if fw == "nft" else []):
                    if isinstance(lg, dict):
                        log_prefixes.add(lg.get("prefix", ""))
                continue
            total += c
            for lg in (find(r["expr"], "log") if fw == "nft" else []):
                pre = lg.get("prefix", "") if isinstance(lg, dict) else ""
                log_counts[pre] = log_counts.get(pre, 0) + c
        if total == 0 and counters_needed:
            err("nft-after.json: no packet counted by any rule")
        if fw == "nft" and os.path.isfile(os.path.join(fwd, "ruleset.json")):
            before = nft_rules(os.path.join(fwd, "ruleset.json"))
            if sorted(map(rule_id, before)) != sorted(map(rule_id, after)):
                err("fw/ruleset.json and nft-after.json do not have the same rules")
            for r in before:
                c = counter_of(r)
                if c is None:
                    if counters_needed:
                        err(f"fw/ruleset.json: rule without counter: {rule_id(r)}")
                elif c != 0:
                    err(f"fw/ruleset.json: counter not zero before traffic: {rule_id(r)}")
        print(f"fw_check: nft-after.json: {len(after)} rules, {total} packets counted")

if fw.startswith("iptables-"):
    total = 0
    for f in ("iptables-after.txt", "ip6tables-after.txt"):
        p = os.path.join(d, f)
        if not os.path.isfile(p):
            err(f"{f} missing")
            continue
        n = 0
        for line in open(p):
            if line.startswith("-A "):
                err(f"{f}: rule without [packets:bytes]: {line.strip()}")
            m = re.match(r"\[(\d+):(\d+)\] -A (\S+) (.*)", line)
            if not m:
                continue
            n += 1
            pk = int(m.group(1))
            total += pk
            lp = re.search(r'--log-prefix (?:"((?:[^"\\]|\\.)*)"|(\S+))', m.group(4))
            if lp and "-j LOG" in m.group(4):
                pre = lp.group(1) if lp.group(1) is not None else lp.group(2)
                log_counts[pre] = log_counts.get(pre, 0) + pk
        print(f"fw_check: {f}: {n} rules")
    if total == 0:
        err("iptables-after.txt: no packet counted by any rule")

# ------------------------------------------------------------------- kernel.log
p = os.path.join(d, "kernel.log")
if not os.path.isfile(p):
    err("kernel.log missing")
else:
    lines = open(p).read().splitlines()
    if not any(" begin realtime=" in l for l in lines) or not any(" end realtime=" in l for l in lines):
        err("kernel.log: begin/end markers missing")
    body = [l for l in lines if "ctl-lab: " not in l]
    for pre, n in sorted(log_counts.items()):
        got = sum(1 for l in body if re.match(r"<\d+>\[\s*\d+\.\d+\] " + re.escape(pre), l))
        print(f"fw_check: kernel.log: prefix {pre!r}: {got} lines, rule counter {n}")
        if got != n:
            err(f"kernel.log: {got} lines with prefix {pre!r} but the rule counted {n}")
    # log statements without a counter (firewalld): every line has the
    # prefix of one of them
    for l in body:
        if log_prefixes and not any(
                re.match(r"<\d+>\[\s*\d+\.\d+\] " + re.escape(pre), l)
                for pre in log_prefixes):
            err(f"kernel.log: a line no log statement's prefix starts: {l}")
    if log_prefixes:
        print(f"fw_check: kernel.log: {len(body)} lines of {len(log_prefixes)} "
              "log statements without counters")
    if log_counts == {} and not log_prefixes and body:
        err(f"kernel.log: {len(body)} log lines but no logging rule")

for e in errs:
    print("fw_check: " + e, file=sys.stderr)
sys.exit(1 if errs else 0)
