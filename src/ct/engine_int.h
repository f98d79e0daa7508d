/* \summary: the engine's state, shared by the files of the engine only (engine.c, view.c) */
#ifndef CTREPLAY_CT_ENGINE_INT_H
#define CTREPLAY_CT_ENGINE_INT_H

#include "engine.h"
#include "expect.h"
#include "helper.h"
#include "core.h"
#include "l4proto.h"
#include "nat.h"
#include "pool.h"
#include "table.h"
#include "timer.h"

struct ct_defrag;

/* Fixed so bucket order, hence early-drop choices, repeat run to run
 * (the kernel's hash is keyed with a random siphash key). */
#define CT_ENGINE_HASH_SEED 0x63747270u

struct ct_engine {
	struct ct_settings set;
	/* ct_engine_packet_hashed(): the tuple whose hash is known */
	bool hint;
	uint32_t hint_hash;
	struct ct_tuple hint_tuple;
	struct ct_sink sinks[CT_MAX_SINKS];
	int nsinks;
	ct_time now;
	bool started;
	struct ct_stats stats;

	struct ct_table table;         /* both tuples of every entry */
	size_t count;                  /* confirmed, live entries */
	struct ct_timers timers;
	struct ct_pool pool;
	/* no expectation is due before this (INT64_MIN: look) */
	ct_time exp_bound;

	/* -j: a reporting view over the engines of every worker (view.c) */
	struct ct_engine *const *peers;
	size_t npeers;

	/* Entries destroyed while a frame is handled; freed after its verdict
	 * so events and the verdict may still point at them. */
	struct ct_conn **dead;
	size_t ndead;
	size_t dead_cap;

	struct ct_conn **scratch;      /* early-drop victims */
	size_t scratch_cap;

	/* view.c's answers: ct_engine_list(), ct_engine_expect_list() */
	const struct ct_conn **list;
	size_t list_cap;
	const struct ct_expect **xlist;
	size_t xlist_cap;

	/* The current frame's tracker context: verdict reason and explain
	 * point into it, so it outlives the frame's processing. */
	struct ct_pctx ctx;

	struct ct_defrag *defrag;
	uint64_t explain_frame;        /* ct_engine_set_explain() */

	/* Expectations, their reporters, and the helper behind each
	 * --helper rule (NULL when ctreplay has no such helper). */
	struct ct_expect_table *expects;
	struct ct_exp_sink exp_sinks[CT_MAX_SINKS];
	int nexp_sinks;
	const struct ct_helper_ops *helper_ops[CT_MAX_HELPERS];

	/* --firewall: the rule chains at the hooks, the packet they see,
	 * and the helpers rules attached ("ct helper set") */
	struct ct_firewall fw;
	bool has_fw;
	struct ct_hookpkt hp;
	struct ct_helper_rule fw_helpers[CT_MAX_HELPERS];
	const struct ct_helper_ops *fw_helper_ops[CT_MAX_HELPERS];
	int nfw_helpers;
	/* NAT (a firewall with nat chains): bindings and the translated
	 * packet; NULL without */
	struct ct_nat *nat;
	ct_peek_fn peek;
	void *peek_ctx;
};

/*
 * The packet path's steps (engine.c), for the firewall's path
 * (hookpath.c): nf_conntrack_in(), the helper and confirmation of
 * nf_confirm(), ip_forward()'s TTL check, and the end of a new entry
 * whose packet was dropped.
 */
struct ct_conn *ct_engine_conntrack_in(struct ct_engine *eng,
				       const struct ct_pkt *pkt,
				       struct ct_verdict *v);
bool ct_engine_helper(struct ct_engine *eng, struct ct_conn *ct,
		      struct ct_verdict *v);
void ct_engine_confirm_hook(struct ct_engine *eng, struct ct_conn *ct,
			    struct ct_verdict *v);
bool ct_engine_ttl_runs_out(const struct ct_engine *eng,
			    const struct ct_pkt *pkt);
void ct_engine_drop_unconfirmed(struct ct_engine *eng, struct ct_conn *ct,
				struct ct_verdict *v);
void ct_engine_track_fw(struct ct_engine *eng, const struct ct_pkt *pkt,
			struct ct_verdict *v);
bool ct_engine_track_fw_out(struct ct_engine *eng, const struct ct_pkt *pkt,
			    struct ct_verdict *v);

/* The zone a packet's tuples live in (--zone-from); 0 by default. */
static inline uint16_t ct_engine_pkt_zone(const struct ct_engine *eng,
					  const struct ct_pkt *pkt)
{
	if (eng->set.zone_from == CT_ZONE_FROM_VLAN && pkt->nvlan > 0)
		return pkt->vlan[0];
	return 0;
}

#endif
