/* \summary: connection tracking helpers (nf_conntrack_helper): FTP, TFTP */
#ifndef CTREPLAY_CT_HELPER_H
#define CTREPLAY_CT_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../settings.h"
#include "conn.h"
#include "expect.h"
#include "l4proto.h"
#include "tuple.h"

struct ct_engine;

/*
 * A helper: its expectation policy and the function nf_confirm() calls
 * for every accepted packet of an entry it is attached to (except
 * RELATED_REPLY), after the tracker.  help() returns false to drop the
 * packet, with ctx->reason saying why; it creates expectations through
 * ct_helper_expect_related().
 */
struct ct_helper_ops {
	const char *name;
	uint8_t l4num;
	uint32_t max_expected;
	uint32_t timeout;              /* expectation lifetime, seconds */
	bool (*help)(struct ct_conn *ct, struct ct_pctx *ctx);
};

extern const struct ct_helper_ops ct_helper_ftp;
extern const struct ct_helper_ops ct_helper_tftp;

/* The helper called `name` ("ftp", "tftp"), or NULL (helper.c). */
const struct ct_helper_ops *ct_helper_find(const char *name);

/*
 * The --helper rule (an nft "ct helper set" rule) that attaches a helper
 * to a new entry of original tuple `orig`: the first whose protocol and
 * destination port match; its index in set->helpers, or -1.
 */
int ct_helper_rule_for(const struct ct_settings *set,
		       const struct ct_tuple *orig);

/*
 * nf_ct_expect_related() for a helper: insert `exp`, built with
 * ct_expect_init() for master ct, under the policy of `ops`, at the time
 * and frame of ctx, into the table ctx names.  The master keeps its list
 * in its extension, which it has since a helper is attached.  Returns
 * CT_EXPECT_OK or a ct_expect_err.
 */
static inline int ct_helper_expect_related(const struct ct_helper_ops *ops,
					   const struct ct_expect *exp,
					   const struct ct_pctx *ctx)
{
	if (!exp->master || !exp->master->ext || !ctx->expects)
		return CT_EXPECT_ENOMEM;
	return ct_expect_related(ctx->expects, exp, ops->max_expected,
				 ops->timeout, ctx->now,
				 ctx->pkt ? ctx->pkt->frame : 0);
}

/* ------------------------------------------------------------------ */
/* FTP command parsing, exposed for the unit tests */

/* find_pattern() results. */
enum ct_ftp_match {
	CT_FTP_PARTIAL = -1,   /* looks like a command but is not whole: drop */
	CT_FTP_NONE = 0,       /* nothing to see */
	CT_FTP_FOUND = 1,
};

/* What a command announced (struct nf_conntrack_man). */
struct ct_ftp_cmd {
	uint8_t l3num;         /* the connection's family */
	uint8_t addr[16];      /* in: the sender's address; out: announced */
	uint16_t port;
	/* out: which command (enum nf_ct_ftp_type: PORT 0, PASV 1, EPRT 2,
	 * EPSV 3) and where its address and port are in the payload, as
	 * find_pattern()'s matchoff and matchlen (what NAT rewrites) */
	uint8_t type;
	uint32_t matchoff;
	uint32_t matchlen;
	uint32_t skip;         /* getnum's own offset (227: up to a digit) */
};

/*
 * Parse one payload the way the FTP helper does for direction `dir`
 * (ORIGINAL: PORT, EPRT; REPLY: "227 ", "229 "), case-insensitively at
 * its very start.  cmd->l3num and cmd->addr must hold the connection's
 * family and the sender's address (what EPSV does not say).  *pattern
 * (may be NULL) receives the command looked for last.
 */
enum ct_ftp_match ct_ftp_parse(const uint8_t *data, size_t len,
			       enum ct_dir dir, struct ct_ftp_cmd *cmd,
			       const char **pattern);

/*
 * The kernel's in6_pton() with delimiter `delim`: parse an IPv6 address
 * from at most `len` bytes (a NUL or the end also ends it).  Returns the
 * number of bytes used (the delimiter's offset) and fills addr, or -1.
 */
int ct_ftp_in6_pton(const uint8_t *s, size_t len, int delim, uint8_t addr[16]);

/*
 * The FTP helper's newline tracking: whether a segment starting at `seq`
 * may be parsed in direction `dir`, and the update after a segment that
 * ended with a newline (next = seq + length).
 */
bool ct_ftp_seq_is_line_start(const struct ct_ftp_help *h, enum ct_dir dir,
			      uint32_t seq);
void ct_ftp_seq_update(struct ct_ftp_help *h, enum ct_dir dir, uint32_t next);

#endif
