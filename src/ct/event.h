/* \summary: what the engine tells reporters: events and per-frame verdicts */
#ifndef CTREPLAY_CT_EVENT_H
#define CTREPLAY_CT_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "../common.h"
#include "../decode.h"
#include "conn.h"
#include "hook.h"
#include "tuple.h"

enum ct_ev_type {
	CT_EV_NEW = 0,         /* [NEW]: NEW or RELATED bit in the message */
	CT_EV_UPDATE,          /* [UPDATE]: any other bit */
	CT_EV_DESTROY,         /* [DESTROY] */
};

/* Why an entry was destroyed. */
enum ct_destroy_cause {
	CT_DC_NONE = 0,
	CT_DC_EXPIRED,         /* its timeout ran out */
	CT_DC_KILLED,          /* TCP RST/close before any reply (tracker kill) */
	CT_DC_REOPENED,        /* TCP SYN reopened the tuple from TIME_WAIT/CLOSE */
	CT_DC_EARLY_DROP,      /* evicted because the table was full */
};

/*
 * One conntrack message as ctnetlink would send it.  `ct` is the entry at
 * the time of the message (for DESTROY: its last state, about to be freed,
 * valid only during the call).
 */
struct ct_event {
	enum ct_ev_type type;
	uint32_t bits;         /* CT_IPCT_* in this message */
	ct_time ts;            /* packet time, or the deadline for expiry */
	uint64_t frame;        /* frame that caused it; 0 for expiry */
	const struct ct_conn *ct;
	bool has_timeout;      /* timeout attribute present */
	uint32_t timeout;      /* remaining seconds as the kernel computes it */
	bool has_protoinfo;    /* TCP state present in the message */
	enum ct_destroy_cause cause;
};

/* What nft's `ct state` would match for a frame. */
enum ct_ctstate {
	CT_STATE_NONE = 0,     /* conntrack never saw the frame: "-" */
	CT_STATE_NEW,
	CT_STATE_ESTABLISHED,
	CT_STATE_RELATED,
	CT_STATE_INVALID,
	CT_STATE_UNTRACKED,
	CT_STATE_DROP,         /* dropped by conntrack itself (table full) */
};

const char *ct_ctstate_name(enum ct_ctstate s);

struct ct_verdict {
	uint64_t frame;
	ct_time ts;
	enum ct_ctstate state;
	const struct ct_pkt *pkt;
	bool has_tuple;        /* tuple below is valid */
	struct ct_tuple tuple; /* the packet's own tuple */
	enum ct_dir dir;       /* packet direction in ct (when ct != NULL) */
	const struct ct_conn *ct;      /* entry the frame belongs to, or NULL */
	const char *reason;    /* INVALID/NONE/DROP reason, or NULL */
	uint8_t old_state;     /* TCP: state before (ct_tcp_state), if ct */
	uint8_t new_state;     /* TCP: state after */
	const char *explain;   /* tracker notes, may be "" */
	/* --firewall: what the ruleset decided (action CT_ACT_NONE without
	 * one), at which hook, by which rule ("inet filter forward handle
	 * 12", or the chain's policy), and whether a rule ctreplay cannot
	 * judge was reached on the way */
	enum ct_action action;
	enum ct_hook hook;
	const char *rule;
	const char *rule_comment;
	const char *unknown_rule;
	/* NAT: the rule that chose the entry's mapping (its first packet),
	 * and whether a port in it was guessed (the kernel picks at random
	 * and the capture did not show its pick) */
	const char *nat_rule;
	bool nat_inferred;
	/* A helper refused the packet (nf_confirm() runs helpers after the
	 * filter hooks, so state stays what the chains saw): its name; the
	 * action is then CT_ACT_DROP at the confirming hook, reason why */
	const char *helper_drop;
};

/*
 * A reporter: callbacks the engine calls, in order, for each event and for
 * each frame's verdict (after that frame's events).  Either may be NULL.
 */
struct ct_sink {
	void *ctx;
	void (*event)(void *ctx, const struct ct_event *ev);
	void (*verdict)(void *ctx, const struct ct_verdict *v);
};

/* ------------------------------------------------------------------ */
/* expectations (conntrack -E expect) */

struct ct_expect;

enum ct_exp_ev_type {
	CT_EXP_EV_NEW = 0,     /* IPEXP_NEW: created by a helper */
	CT_EXP_EV_DESTROY,     /* IPEXP_DESTROY: unlinked, for any reason */
};

/* Why an expectation went away. */
enum ct_exp_destroy_cause {
	CT_EXP_DC_NONE = 0,
	CT_EXP_DC_MATCHED,     /* a new connection consumed it */
	CT_EXP_DC_EXPIRED,     /* its timeout ran out */
	CT_EXP_DC_MASTER_GONE, /* its master was destroyed */
	CT_EXP_DC_EVICTED,     /* the master wanted more than max_expected */
	CT_EXP_DC_REPLACED,    /* the helper announced the same one again */
};

/*
 * One expectation message as ctnetlink would send it.  `exp` is valid
 * only during the call (a DESTROYed one is freed right after).
 */
struct ct_exp_event {
	enum ct_exp_ev_type type;
	ct_time ts;            /* packet time, or the deadline for expiry */
	uint64_t frame;        /* frame that caused it; 0 for expiry */
	const struct ct_expect *exp;
	uint32_t timeout;      /* remaining seconds as the kernel computes it */
	enum ct_exp_destroy_cause cause;
};

/*
 * A reporter of expectation events.  Separate from struct ct_sink so that
 * existing sinks (often filled in field by field) stay valid.
 */
struct ct_exp_sink {
	void *ctx;
	void (*event)(void *ctx, const struct ct_exp_event *ev);
};

#endif
