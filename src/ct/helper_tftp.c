/* \summary: the TFTP helper (nf_conntrack_tftp): RRQ/WRQ -> expectation */
/*
 * The server answers a read or write request from a new port, so the
 * helper expects, for every RRQ or WRQ it sees (in either direction, even
 * the entry's very first packet), a UDP flow from the server's address,
 * any port, to the client's address and port.  Other opcodes are left
 * alone.
 */
#include <string.h>

#include "../bytes.h"
#include "core.h"
#include "helper.h"

#define TFTP_UDP_HDR 8
#define TFTP_OPCODE_RRQ 1
#define TFTP_OPCODE_WRQ 2

static bool tftp_help(struct ct_conn *ct, struct ct_pctx *ctx)
{
	struct bytes udp = ct_pkt_l4(ctx->pkt);
	const struct ct_tuple *reply = &ct->tuple[CT_DIR_REPLY];
	struct ct_expect exp;
	uint16_t opcode;

	/* the kernel needs the two opcode bytes in the packet (and they
	 * must have been captured) */
	if (!bytes_get_be16_at(&udp, TFTP_UDP_HDR, &opcode))
		return true;
	if (opcode != TFTP_OPCODE_RRQ && opcode != TFTP_OPCODE_WRQ)
		return true;
	ct_expect_init(&exp, ct, reply->l3num, reply->src, reply->dst, 17,
		       NULL, reply->dport);
	if (ct_engine_nat_on(ctx->eng, ct)) {
		/* nf_nat_tftp(): the transfer follows the translation */
		exp.saved_port = exp.tuple.dport;
		exp.nat_dir = CT_DIR_REPLY;
		exp.nat_follow = true;
	}
	if (ct_helper_expect_related(&ct_helper_tftp, &exp, ctx) !=
	    CT_EXPECT_OK) {
		ctx->reason = "nf_ct_tftp: cannot add expectation";
		return false;
	}
	return true;
}

const struct ct_helper_ops ct_helper_tftp = {
	.name = "tftp",
	.l4num = 17,
	.max_expected = 1,
	.timeout = 300,
	.help = tftp_help,
};
