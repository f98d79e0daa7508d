/* \summary: generic tracker for protocols without one (nf_conntrack_proto_generic) */
#include "core.h"
#include "l4proto.h"

/* One entry per address pair and protocol: the tuple has no L4 part. */
static bool generic_pkt_to_tuple(struct ct_pctx *ctx, struct ct_tuple *t)
{
	(void)ctx;
	t->sport = 0;
	t->dport = 0;
	return true;
}

static bool generic_invert(struct ct_tuple *inv, const struct ct_tuple *orig)
{
	(void)orig;
	inv->sport = 0;
	inv->dport = 0;
	return true;
}

/* Every packet refreshes; no state, never ASSURED. */
static enum ct_l4_verdict generic_packet(struct ct_conn *ct,
					 struct ct_pctx *ctx)
{
	ct_engine_refresh(ctx->eng, ct, ctx, ctx->set->generic_timeout);
	return CT_L4_ACCEPT;
}

const struct ct_l4proto ct_l4proto_generic = {
	.l4num = 255,
	.name = "unknown",
	.check = NULL,
	.pkt_to_tuple = generic_pkt_to_tuple,
	.invert = generic_invert,
	.new = NULL,
	.packet = generic_packet,
	.state_name = NULL,
};
