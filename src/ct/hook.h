/* \summary: the firewall around conntrack: what the engine hands a rule chain at each hook */
#ifndef CTREPLAY_CT_HOOK_H
#define CTREPLAY_CT_HOOK_H

#include <stdbool.h>
#include <stdint.h>

#include "../common.h"
#include "../decode.h"
#include "conn.h"

/* Netfilter hooks (enum nf_inet_hooks), in the order a packet meets them. */
enum ct_hook {
	CT_HOOK_PREROUTING = 0,
	CT_HOOK_INPUT,
	CT_HOOK_FORWARD,
	CT_HOOK_OUTPUT,
	CT_HOOK_POSTROUTING,
};

/* Priorities the engine's own steps sit at (enum nf_ip_hook_priorities). */
#define CT_PRIO_CONNTRACK (-200)
#define CT_PRIO_NAT_DST (-100)
#define CT_PRIO_NAT_SRC 100
#define CT_PRIO_CONFIRM INT32_MAX

/* What a firewall decided about a packet (struct ct_verdict.action). */
enum ct_action {
	CT_ACT_NONE = 0,       /* no firewall: only conntrack's view */
	CT_ACT_ACCEPT,
	CT_ACT_DROP,
	CT_ACT_REJECT,
};

/*
 * A NAT mapping a nat rule asks for (struct nf_nat_range2): flags are the
 * kernel's NF_NAT_RANGE_* values; addresses in network order (IPv4 in the
 * first 4 bytes), ports in host order.
 */
#define CT_NAT_MAP_IPS           0x01u
#define CT_NAT_PROTO_SPECIFIED   0x02u
#define CT_NAT_PROTO_RANDOM      0x04u
#define CT_NAT_PERSISTENT        0x08u
#define CT_NAT_PROTO_RANDOM_FULLY 0x10u
#define CT_NAT_PROTO_OFFSET      0x20u
#define CT_NAT_NETMAP            0x40u
#define CT_NAT_PROTO_RANDOM_ALL (CT_NAT_PROTO_RANDOM | CT_NAT_PROTO_RANDOM_FULLY)

enum ct_nat_manip {
	CT_NAT_MANIP_SRC = 0,
	CT_NAT_MANIP_DST,
};

struct ct_nat_range {
	uint32_t flags;
	uint8_t min_addr[16];
	uint8_t max_addr[16];
	uint16_t min_port;
	uint16_t max_port;
	uint16_t base_port;    /* PROTO_OFFSET: the rule's own base */
};

/* What an outgoing copy in the capture is (struct ct_firewall.local_out). */
enum ct_out {
	CT_OUT_FORWARDED = 0,  /* a copy of a packet the replay forwarded */
	CT_OUT_LOCAL,          /* the host made it: OUTPUT, POSTROUTING */
	CT_OUT_UNEXPECTED,     /* a forwarded copy the replay did not forward */
	CT_OUT_LOCAL_RELATED,  /* the host made it in answer to a packet (a
				* reject's RST): nf_ct_attach() makes it
				* RELATED to that packet's entry, it tracks
				* nothing */
};

/*
 * One packet on its way through the hooks: what rules read (interfaces,
 * mark, the conntrack entry and its state as nft's "ct state" sees it)
 * and what they may change (mark, notrack, a helper to attach) or decide.
 */
struct ct_hookpkt {
	const struct ct_pkt *pkt;
	ct_time now;
	/* interfaces: names zero-padded as the kernel keeps them */
	char iifname[16];
	char oifname[16];
	uint32_t iif;
	uint32_t oif;
	uint8_t pkttype;       /* PACKET_HOST 0, BROADCAST 1, MULTICAST 2 */
	bool local;            /* the routing decision: for the router */
	uint32_t mark;         /* skb->mark */
	/* conntrack's view: the entry (NULL when none is attached: INVALID,
	 * or before the conntrack hook) and nft's ct state bit */
	struct ct_conn *ct;
	enum ct_dir dir;
	uint32_t ctstate;      /* 0 before conntrack ran */
	bool untracked;
	/* set by rules */
	bool notrack;          /* "notrack" before conntrack */
	const char *helper;    /* "ct helper set": helper type name */
	/* NAT: a nat rule's statement sets the connection's mapping up
	 * through nat_setup() (NULL: no NAT here); false drops the packet.
	 * nat_rule names the rule that chose it. */
	bool (*nat_setup)(void *ctx, struct ct_hookpkt *hp,
			  const struct ct_nat_range *r, enum ct_nat_manip m);
	void *nat_ctx;
	const char *nat_rule;
	bool nat_inferred;     /* this packet's mapping has a guessed port */
	/* the decision */
	enum ct_action action;
	enum ct_hook hook;     /* the hook the packet is at */
	enum ct_hook rule_hook;  /* where `rule` decided */
	const char *rule;      /* "inet filter forward handle 12" */
	const char *comment;   /* the rule's comment, or NULL */
	bool unknown;          /* a rule ctreplay cannot judge was reached */
	const char *unknown_rule;
};

/*
 * A firewall the engine calls (--firewall).  enter() fills in what the
 * packet arrived with (input interface, packet type).  run() runs the base chains
 * of `hook` whose priority p satisfies lo <= p < hi, in priority order,
 * and returns false when one of them drops the packet (hp->action and
 * hp->rule then say how and where).  route() makes the routing decision
 * (hp->local, the output interface).
 */
struct ct_firewall {
	void *ctx;
	void (*enter)(void *ctx, struct ct_hookpkt *hp);
	bool (*run)(void *ctx, enum ct_hook hook, int32_t lo, int32_t hi,
		    struct ct_hookpkt *hp);
	void (*route)(void *ctx, struct ct_hookpkt *hp);
	/* A forwarded packet left (after POSTROUTING, NAT and helpers): the
	 * copy a capture of the outgoing side will hold. */
	void (*left)(void *ctx, const struct ct_hookpkt *hp);
	/* The nat chains of `hook` (every one of them, in priority order:
	 * they run where the NAT core sits, nf_nat_inet_fn()), for a
	 * connection's first packet; false when one drops the packet.
	 * NULL: the firewall has no nat chains. */
	bool (*run_nat)(void *ctx, enum ct_hook hook, struct ct_hookpkt *hp);
	/* Whether a nat chain exists for the family (4 or 6): the NAT core's
	 * hooks are registered then, and every new connection gets its
	 * bindings (nf_nat_register_fn()). */
	bool nat4, nat6;
	/* A frame the host sent (a capture's outgoing copy): whether the
	 * host itself made it (its source is one of the host's addresses;
	 * the output interface is then filled in), or it is the copy of a
	 * forwarded packet, one the replay forwarded or not. */
	enum ct_out (*local_out)(void *ctx, struct ct_hookpkt *hp);
	/* The frame local_out() called unexpected was the host's own after
	 * all (NAT had rewritten its source): take it back from the count,
	 * and fill in the output interface. */
	void (*local_after_all)(void *ctx, struct ct_hookpkt *hp);
};

#endif
