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

  bench/genruleset.py masq DIR        the router of gencap -m: lan0
                                      (clients 10/8) and wan0 (servers
                                      172.16/16), established and new
                                      forwarded, every connection leaving
                                      wan0 masqueraded (addr.json and
                                      route.json beside the ruleset)
  bench/genruleset.py fwd DIR         the same without the nat chain: the
                                      run masquerading is compared with

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


def router(masq):
    t = "fw"
    out = [table(t), chain(t, "forward", "forward", handle=2)]
    out.append(rule(t, "forward", 10, [match(CT_STATE, ["established", "related"], "in"),
                                        COUNTER, {"accept": None}]))
    out.append(rule(t, "forward", 11, [match(CT_STATE, "new", "in"), COUNTER,
                                        {"accept": None}]))
    if masq:
        out.append({"table": {"family": "ip", "name": "nat", "handle": 3}})
        out.append({"chain": {"family": "ip", "table": "nat", "name": "postrouting",
                              "handle": 1, "type": "nat", "hook": "postrouting",
                              "prio": 100, "policy": "accept"}})
        out.append({"rule": {"family": "ip", "table": "nat", "chain": "postrouting",
                             "handle": 2, "expr": [
                                 match({"meta": {"key": "oifname"}}, "wan0"),
                                 COUNTER, {"masquerade": None}]}})
    return out


def router_net(d):
    def iface(idx, name, addr, plen, mac):
        return {"ifindex": idx, "ifname": name, "address": mac,
                "addr_info": [{"family": "inet", "local": addr, "prefixlen": plen}]}
    addrs = [iface(1, "lo", "127.0.0.1", 8, "00:00:00:00:00:00"),
             iface(2, "lan0", "10.255.255.254", 8, "02:00:00:00:00:01"),
             iface(3, "wan0", "172.16.255.254", 16, "02:00:00:00:00:01")]
    routes = [{"dst": "10.0.0.0/8", "dev": "lan0", "prefsrc": "10.255.255.254"},
              {"dst": "172.16.0.0/16", "dev": "wan0", "prefsrc": "172.16.255.254"},
              {"type": "local", "dst": "10.255.255.254", "dev": "lan0", "table": "local"},
              {"type": "local", "dst": "172.16.255.254", "dev": "wan0", "table": "local"}]
    with open(os.path.join(d, "addr.json"), "w") as f:
        json.dump(addrs, f)
    with open(os.path.join(d, "route.json"), "w") as f:
        json.dump(routes, f)


def main():
    kinds = ("filter200", "kube2000", "masq", "fwd")
    if len(sys.argv) != 3 or sys.argv[1] not in kinds:
        sys.exit(__doc__)
    os.makedirs(sys.argv[2], exist_ok=True)
    if sys.argv[1] in ("masq", "fwd"):
        objs = router(sys.argv[1] == "masq")
        router_net(sys.argv[2])
    else:
        objs = filter200() if sys.argv[1] == "filter200" else kube2000()
    with open(os.path.join(sys.argv[2], "ruleset.json"), "w") as f:
        json.dump({"nftables": objs}, f)
    n = sum(1 for o in objs if "rule" in o)
    print("%s: %d rules" % (sys.argv[2], n), file=sys.stderr)


if __name__ == "__main__":
    main()
