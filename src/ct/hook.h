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
#define CT_PRIO_CONFIRM INT32_MAX

/* What a firewall decided about a packet (struct ct_verdict.action). */
enum ct_action {
	CT_ACT_NONE = 0,       /* no firewall: only conntrack's view */
	CT_ACT_ACCEPT,
	CT_ACT_DROP,
	CT_ACT_REJECT,
};

/* What an outgoing copy in the capture is (struct ct_firewall.local_out). */
enum ct_out {
	CT_OUT_FORWARDED = 0,  /* a copy of a packet the replay forwarded */
	CT_OUT_LOCAL,          /* the host made it: OUTPUT, POSTROUTING */
	CT_OUT_UNEXPECTED,     /* a forwarded copy the replay did not forward */
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
	/* A frame the host sent (a capture's outgoing copy): whether the
	 * host itself made it (its source is one of the host's addresses;
	 * the output interface is then filled in), or it is the copy of a
	 * forwarded packet, one the replay forwarded or not. */
	enum ct_out (*local_out)(void *ctx, struct ct_hookpkt *hp);
};

#endif
