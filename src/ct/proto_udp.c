/* \summary: UDP and UDP-Lite trackers (nf_conntrack_proto_udp, Linux 5.0+ stream rule) */
#include <stdio.h>

#include "../bytes.h"
#include "core.h"
#include "csum.h"
#include "l4proto.h"

#define UDP_HDRLEN 8
/* A flow counts as a stream once it has lived this long with replies. */
#define UDP_STREAM_DELAY (2 * CT_NSEC_PER_SEC)

/* Capture time in jiffies, floor division (valid for negative times). */
static int64_t udp_jiffies(ct_time t, uint32_t hz)
{
	int64_t q = t / CT_NSEC_PER_SEC, r = t % CT_NSEC_PER_SEC;

	if (r < 0) {
		q--;
		r += CT_NSEC_PER_SEC;
	}
	return q * (int64_t)hz + r * (int64_t)hz / CT_NSEC_PER_SEC;
}

/*
 * udp_error(): a header that does not fit, a length field that lies, or a
 * non-zero checksum that does not verify (a zero one means "none", also
 * over IPv6, as the kernel accepts it).  Header fields we did not capture
 * cannot be judged and pass.
 */
static bool udp_error(struct ct_pctx *ctx)
{
	const struct ct_pkt *pkt = ctx->pkt;
	struct bytes uh = ct_pkt_l4(pkt);
	uint16_t len;

	if (pkt->l4len < UDP_HDRLEN) {
		ctx->reason = "short packet";
		return false;
	}
	if (!bytes_has(&uh, 0, UDP_HDRLEN))
		return true;
	len = bytes_be16(&uh, 4);
	if (len > pkt->l4len || len < UDP_HDRLEN) {
		ctx->reason = "truncated/malformed packet";
		return false;
	}
	if (bytes_be16(&uh, 6) == 0)
		return true;
	if (ctx->set->checksum && !ct_l4_csum_ok(pkt)) {
		ctx->reason = "bad checksum";
		return false;
	}
	return true;
}

static bool udp_pkt_to_tuple(struct ct_pctx *ctx, struct ct_tuple *t)
{
	return ct_l4_ports_to_tuple(ctx, t, "short packet: no ports",
				    "ports not captured");
}


/*
 * nf_conntrack_udp_packet(): 30 s until a reply has been seen (the first
 * reply itself still gets 30 s: SEEN_REPLY is set after us).  Once replied,
 * a packet more than 2 s after the first one makes the flow a stream:
 * 120 s and ASSURED.  Request/response pairs (DNS) stay unassured.
 */
static enum ct_l4_verdict udp_packet(struct ct_conn *ct, struct ct_pctx *ctx)
{
	const struct ct_settings *set = ctx->set;
	uint32_t timeout = set->udp_timeout;

	if (!ctx->confirmed)
		ct->proto.udp.stream_ts = ctx->now + UDP_STREAM_DELAY;

	if (ct->status & CT_IPS_SEEN_REPLY) {
		/* time_after() in jiffies: strictly later, jiffy granular */
		if (udp_jiffies(ctx->now, set->hz) >
		    udp_jiffies(ct->proto.udp.stream_ts, set->hz)) {
			timeout = set->udp_timeout_stream;
			if (!(ct->status & CT_IPS_ASSURED))
				ct_engine_set_status(ctx->eng, ct,
						     CT_IPS_ASSURED);
			ct_explain(ctx, "replied stream older than 2 s: "
				   "stream timeout");
		}
	}
	ct_engine_refresh(ctx->eng, ct, ctx, timeout);
	return CT_L4_ACCEPT;
}

/*
 * udplite_error(): the header must be there; the length field is the
 * checksum coverage (0 = the whole packet) and must lie between the header
 * and the packet's end; the checksum is mandatory.  The kernel verifies
 * the covered bytes with a pseudo-header naming protocol 17 (UDP), not
 * 136, over the whole UDP-Lite length: we do the same.  Coverage not
 * captured cannot be judged and passes.
 */
static bool udplite_error(struct ct_pctx *ctx)
{
	const struct ct_pkt *pkt = ctx->pkt;
	struct bytes uh = ct_pkt_l4(pkt);
	uint32_t cscov, sum;

	if (pkt->l4len < UDP_HDRLEN) {
		ctx->reason = "short packet";
		return false;
	}
	if (!bytes_has(&uh, 0, UDP_HDRLEN))
		return true;
	cscov = bytes_be16(&uh, 4);
	if (cscov == 0) {
		cscov = pkt->l4len;
	} else if (cscov < UDP_HDRLEN || cscov > pkt->l4len) {
		ctx->reason = "invalid checksum coverage";
		return false;
	}
	if (bytes_be16(&uh, 6) == 0) {
		ctx->reason = "checksum missing";
		return false;
	}
	if (!ctx->set->checksum || !bytes_has(&uh, 0, cscov))
		return true;
	sum = ct_csum_pseudo(pkt->l3num, pkt->src, pkt->dst, 17, pkt->l4len);
	sum = ct_csum_add(sum, bytes_ptr(&uh, 0), cscov);
	if (ct_csum_fold(sum) != 0) {
		ctx->reason = "bad checksum";
		return false;
	}
	return true;
}

/*
 * nf_conntrack_udplite_packet(): UDP's pre-5.0 rule, kept for UDP-Lite:
 * once a reply was seen, every packet gives the stream timeout and makes
 * the entry ASSURED.  Shares the UDP sysctls.
 */
static enum ct_l4_verdict udplite_packet(struct ct_conn *ct,
					 struct ct_pctx *ctx)
{
	const struct ct_settings *set = ctx->set;

	if (ct->status & CT_IPS_SEEN_REPLY) {
		ct_engine_refresh(ctx->eng, ct, ctx, set->udp_timeout_stream);
		if (!(ct->status & CT_IPS_ASSURED)) {
			ct_engine_set_status(ctx->eng, ct, CT_IPS_ASSURED);
			ct_explain(ctx, "replied: stream timeout, ASSURED");
		}
	} else {
		ct_engine_refresh(ctx->eng, ct, ctx, set->udp_timeout);
	}
	return CT_L4_ACCEPT;
}

const struct ct_l4proto ct_l4proto_udplite = {
	.l4num = 136,
	.name = "udplite",
	.check = udplite_error,
	.pkt_to_tuple = udp_pkt_to_tuple,
	.invert = ct_l4_ports_invert,
	.new = NULL,
	.packet = udplite_packet,
	.state_name = NULL,
	.proc_info = NULL,
};

const struct ct_l4proto ct_l4proto_udp = {
	.l4num = 17,
	.name = "udp",
	.check = udp_error,
	.pkt_to_tuple = udp_pkt_to_tuple,
	.invert = ct_l4_ports_invert,
	.new = NULL,
	.packet = udp_packet,
	.state_name = NULL,
	.proc_info = NULL,
};
