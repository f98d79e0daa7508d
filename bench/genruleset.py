#!/usr/bin/env python3
"""Write a firewall directory (ruleset.json) for bench/run.sh.

  bench/genruleset.py filter200 DIR   200 rules: established,related
                                      accepted by the first; new traffic
                                      walks 199 rules that do not match
                                      (address/port pairs), then a tcp/udp
                                      port set, policy accept
  bench/genruleset.py kube2000 DIR    2,000 rules in the shape kube-proxy
                                      (nftables mode) gives a cluster of
                                      ~650 services: a KUBE-SERVICES chain
                                      of `ip daddr SVC tcp dport P jump
                                      KUBE-SVC-N` rules, each service chain
                                      spreading to 2 endpoints by numgen,
                                      behind an established accept

Deterministic: the same arguments write the same file.  The rules are
shaped after what nft -j list ruleset prints (libnftables-json(5))."""
import json
import os
import sys


def table(name):
    return {"table": {"family": "inet", "name": name, "handle": 1}}


def chain(t, name, hook=None, prio=0, policy="accept", handle=2):
    c = {"family": "inet", "table": t, "name": name, "handle": handle}
    if hook:
        c.update({"type": "filter", "hook": hook, "prio": prio, "policy": policy})
    return {"chain": c}


def rule(t, c, handle, exprs):
    return {"rule": {"family": "inet", "table": t, "chain": c, "handle": handle,
                     "expr": exprs}}


def match(left, right, op="=="):
    return {"match": {"op": op, "left": left, "right": right}}


CT_STATE = {"ct": {"key": "state"}}
COUNTER = {"counter": {"packets": 0, "bytes": 0}}


def payload(proto, field):
    return {"payload": {"protocol": proto, "field": field}}


def filter200():
    t = "filter"
    out = [table(t), chain(t, "forward", "forward")]
    h = 10
    out.append(rule(t, "forward", h, [match(CT_STATE, ["established", "related"], "in"),
                                       COUNTER, {"accept": None}]))
    for i in range(198):
        h += 1
        out.append(rule(t, "forward", h, [
            match(payload("ip", "saddr"), "192.168.%d.%d" % (i // 250, i % 250 + 1)),
            match(payload("tcp", "dport"), 10000 + i), COUNTER, {"drop": None}]))
    h += 1
    out.append(rule(t, "forward", h, [
        match(payload("th", "dport"), {"set": [22, 53, 80, 443, 8080]}),
        match(CT_STATE, "new", "in"), COUNTER, {"accept": None}]))
    return out


def kube2000():
    t = "kube-proxy"
    out = [table(t), chain(t, "forward", "forward", handle=2),
           chain(t, "services", handle=3)]
    h = 10
    out.append(rule(t, "forward", h, [match(CT_STATE, ["established", "related"], "in"),
                                       COUNTER, {"accept": None}]))
    h += 1
    out.append(rule(t, "forward", h, [match(CT_STATE, "new", "in"),
                                       {"jump": {"target": "services"}}]))
    nsvc = 666
    for s in range(nsvc):
        name = "svc-%04d" % s
        out.insert(3 + s, chain(t, name, handle=100 + s))
        h += 1
        out.append(rule(t, "services", h, [
            match(payload("ip", "daddr"), "10.96.%d.%d" % (s // 250, s % 250 + 1)),
            match(payload("tcp", "dport"), 80 + s % 7),
            {"jump": {"target": name}}]))
        for e in range(2):
            h += 1
            out.append(rule(t, name, h, [
                match({"numgen": {"mode": "random", "mod": 2, "offset": 0}}, e),
                COUNTER, {"accept": None}]))
    return out


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("filter200", "kube2000"):
        sys.exit(__doc__)
    os.makedirs(sys.argv[2], exist_ok=True)
    objs = filter200() if sys.argv[1] == "filter200" else kube2000()
    with open(os.path.join(sys.argv[2], "ruleset.json"), "w") as f:
        json.dump({"nftables": objs}, f)
    n = sum(1 for o in objs if "rule" in o)
    print("%s: %d rules" % (sys.argv[2], n), file=sys.stderr)


if __name__ == "__main__":
    main()
