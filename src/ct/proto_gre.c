/* \summary: GRE tracker (nf_conntrack_proto_gre: PPTP call-id keys, v0 keyless) */
#include <stdio.h>

#include "../bytes.h"
#include "core.h"
#include "l4proto.h"

#define GRE_BASE_HDRLEN 4      /* flags+version, protocol */
#define GRE_PPTP_KEYED_LEN 8   /* ... payload length, call id */
#define GRE_VERSION_MASK 0x07  /* low bits of the second header byte */
#define GRE_VERSION_PPTP 1
#define GRE_PROTO_PPP 0x880b

/*
 * gre_pkt_to_tuple(): only enhanced GRE (version 1, PPTP) has keys: the
 * destination key is the call id, the source key would come from the
 * keymap the PPTP helper installs (we have no PPTP helper: always 0).
 * Anything else, including a header too short to tell, gets keys 0/0
 * like the generic tracker; version 1 carrying something other than PPP
 * has no tuple at all, so the packet is INVALID.
 */
static bool gre_pkt_to_tuple(struct ct_pctx *ctx, struct ct_tuple *t)
{
	const struct ct_pkt *pkt = ctx->pkt;
	struct bytes gh = ct_pkt_l4(pkt);
	uint16_t proto;

	t->sport = 0;
	t->dport = 0;
	if (!bytes_has(&gh, 0, GRE_BASE_HDRLEN) ||
	    (bytes_u8(&gh, 1) & GRE_VERSION_MASK) != GRE_VERSION_PPTP)
		return true;
	if (pkt->l4len < GRE_PPTP_KEYED_LEN)
		return true;
	proto = bytes_be16(&gh, 2);
	if (proto != GRE_PROTO_PPP) {
		snprintf(ctx->reason_buf, sizeof(ctx->reason_buf),
			 "GRE version 1 with protocol 0x%04x, not PPP", proto);
		ctx->reason = ctx->reason_buf;
		return false;
	}
	if (!bytes_get_be16_at(&gh, 6, &t->dport)) {
		ctx->reason = "PPTP call id not captured";
		return false;
	}
	return true;
}

static bool gre_invert(struct ct_tuple *inv, const struct ct_tuple *orig)
{
	inv->sport = orig->dport;
	inv->dport = orig->sport;
	return true;
}

/*
 * The kernel copies the timeouts into the entry when it is created (a
 * PPTP helper may raise them later), and /proc prints those copies.
 */
static bool gre_new(struct ct_conn *ct, struct ct_pctx *ctx)
{
	ct->proto.gre.timeout = ctx->set->gre_timeout;
	ct->proto.gre.stream_timeout = ctx->set->gre_timeout_stream;
	return true;
}

/*
 * nf_conntrack_gre_packet(): the short timeout until a reply was seen,
 * then every packet refreshes with the stream timeout and makes the
 * entry ASSURED (no 2-second rule, unlike UDP).
 */
static enum ct_l4_verdict gre_packet(struct ct_conn *ct, struct ct_pctx *ctx)
{
	if (ct->status & CT_IPS_SEEN_REPLY) {
		ct_engine_refresh(ctx->eng, ct, ctx,
				  ct->proto.gre.stream_timeout);
		if (!(ct->status & CT_IPS_ASSURED)) {
			ct_engine_set_status(ctx->eng, ct, CT_IPS_ASSURED);
			ct_explain(ctx, "traffic both ways: stream timeout, "
				   "ASSURED");
		}
	} else {
		ct_engine_refresh(ctx->eng, ct, ctx, ct->proto.gre.timeout);
	}
	return CT_L4_ACCEPT;
}

static void gre_proc_info(const struct ct_conn *ct, char *buf, size_t len)
{
	snprintf(buf, len, "timeout=%u, stream_timeout=%u",
		 ct->proto.gre.timeout, ct->proto.gre.stream_timeout);
}

const struct ct_l4proto ct_l4proto_gre = {
	.l4num = 47,
	.name = "gre",
	.check = NULL,
	.pkt_to_tuple = gre_pkt_to_tuple,
	.invert = gre_invert,
	.new = gre_new,
	.packet = gre_packet,
	.state_name = NULL,
	.proc_info = gre_proc_info,
};
