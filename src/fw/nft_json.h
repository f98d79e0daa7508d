/* \summary: read `nft -j list ruleset` into a ruleset, and write its counters back */
#ifndef CTREPLAY_FW_NFT_JSON_H
#define CTREPLAY_FW_NFT_JSON_H

#include <stdio.h>

#include "fw.h"

/*
 * Read the JSON text (len bytes) into rs (source FW_SRC_NFT_JSON).
 * Returns 0, or CT_ERR_PARSE / CT_ERR_NOMEM with errbuf naming the file
 * and the chain and rule handle at fault.  Call fw_finish() after.
 */
int fw_nft_read(struct fw_ruleset *rs, const char *text, size_t len,
		const char *filename, char *errbuf);

/*
 * The ruleset as it was read, every counter expression's packets and
 * bytes replaced by pkts[i]/bytes[i] (i: fw_expr.counter), as one line
 * of JSON (NULL arrays: the counts as read).  Returns 0 or CT_ERR_IO.
 */
int fw_nft_write(FILE *out, const struct fw_ruleset *rs,
		 const uint64_t *pkts, const uint64_t *bytes);

/* A family's nft name ("ip", "inet" ...) to enum fw_family. */
bool fw_family_parse(const char *s, enum fw_family *out);

#endif
