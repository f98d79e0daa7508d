/* \summary: read iptables-save / ip6tables-save text into a ruleset, and write it back with counters */
#ifndef CTREPLAY_FW_IPT_SAVE_H
#define CTREPLAY_FW_IPT_SAVE_H

#include <stdint.h>
#include <stdio.h>

#include "fw.h"

/*
 * Read `iptables-save` (fam FW_FAM_IP) or `ip6tables-save` (FW_FAM_IP6)
 * output, with or without -c, from iptables-legacy or iptables-nft: len
 * bytes of text into rs (made with fw_ruleset_new(FW_SRC_IPTABLES)).  An
 * IPv4 and an IPv6 file may be read into the same ruleset, one call each;
 * then call fw_finish().  Returns 0, CT_ERR_PARSE with errbuf
 * (CT_ERRBUF_SIZE bytes) saying "FILE:LINE: what is wrong", or
 * CT_ERR_NOMEM.  After an error rs holds part of the file: free it.
 *
 * Each rule is its matches (FW_X_MATCH ...), one FW_X_COUNTER, then its
 * target; the counter expression's `text` is the rule as it was written
 * ("-A CHAIN ..."), which fw_ipt_write() prints back.  A match or target
 * ctreplay cannot judge makes the rule unknown (fw_rule_unknown()) where
 * it stands.
 */
int fw_ipt_read(struct fw_ruleset *rs, const char *text, size_t len,
		enum fw_family fam, const char *filename, char *errbuf);

/*
 * The ruleset as `iptables-save -c` prints it, after fw_finish(): tables,
 * chains and rules in the order they were read (with the comment lines
 * around each table), every rule as it was written, prefixed by
 * [pkts[i]:bytes[i]] (i: its counter expression's fw_expr.counter), every
 * built-in chain with its policy, [pol_pkts[c]:pol_bytes[c]] (c: chain
 * index).  A NULL array means the counts as read.  User chains keep the
 * counts they were read with ("- [0:0]").  Returns 0 or CT_ERR_IO.
 */
int fw_ipt_write(FILE *out, const struct fw_ruleset *rs, const uint64_t *pkts,
		 const uint64_t *bytes, const uint64_t *pol_pkts,
		 const uint64_t *pol_bytes);

/* The same for the tables of one family only (FW_FAM_IP or FW_FAM_IP6):
 * when both files were read into one ruleset, each written back apart. */
int fw_ipt_write_family(FILE *out, const struct fw_ruleset *rs,
			enum fw_family fam, const uint64_t *pkts,
			const uint64_t *bytes, const uint64_t *pol_pkts,
			const uint64_t *pol_bytes);

#endif
