/* \summary: write a ruleset read from iptables-save back as iptables-save -c prints it, with counters */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ipt_int.h"
#include "ipt_save.h"

/* ------------------------------------------------------------------ */
/* writing back: iptables-save -c */

static const char *extra_of(const struct fw_ruleset *rs, const char *kind,
			    size_t table)
{
	char tag[48];
	int tl = snprintf(tag, sizeof(tag), "%s%s %zu\n", IPT_TAG, kind, table);
	size_t i;

	for (i = 0; i < rs->nstrings; i++)
		if (strncmp(rs->strings[i], tag, (size_t)tl) == 0)
			return rs->strings[i] + tl;
	return NULL;
}

static int write_tables(FILE *out, const struct fw_ruleset *rs, int fam,
			const uint64_t *pkts, const uint64_t *bytes,
			const uint64_t *pol_pkts, const uint64_t *pol_bytes)
{
	size_t t, c;

	for (t = 0; t < rs->ntables; t++) {
		const struct fw_table *tb = &rs->tables[t];
		const char *s;

		if ((tb->family != FW_FAM_IP && tb->family != FW_FAM_IP6) ||
		    (fam >= 0 && (int)tb->family != fam))
			continue;
		s = extra_of(rs, "head", t);
		if (s)
			fputs(s, out);
		fprintf(out, "*%s\n", tb->name);
		for (c = 0; c < rs->nchains; c++) {
			const struct fw_chain *ch = &rs->chains[c];

			if (ch->table != (int)t)
				continue;
			if (ch->hook == FW_HOOK_NONE)
				fprintf(out, ":%s - [%" PRIu64 ":%" PRIu64 "]\n",
					ch->name, ch->pol_packets,
					ch->pol_bytes);
			else
				fprintf(out, ":%s %s [%" PRIu64 ":%" PRIu64
					"]\n", ch->name,
					ch->policy == FW_V_DROP ? "DROP"
								: "ACCEPT",
					pol_pkts ? pol_pkts[c]
						 : ch->pol_packets,
					pol_bytes ? pol_bytes[c]
						  : ch->pol_bytes);
		}
		for (c = 0; c < rs->nchains; c++) {
			const struct fw_chain *ch = &rs->chains[c];
			uint32_t r;

			if (ch->table != (int)t)
				continue;
			for (r = ch->first_rule;
			     r < ch->first_rule + ch->nrules; r++) {
				const struct fw_rule *ru = &rs->rules[r];
				const struct fw_expr *cx = NULL;
				uint32_t k;
				uint64_t pk, by;

				for (k = ru->first; k < ru->first + ru->n; k++)
					if (rs->exprs[k].kind == FW_X_COUNTER) {
						cx = &rs->exprs[k];
						break;
					}
				pk = cx ? cx->packets : 0;
				by = cx ? cx->nbytes : 0;
				if (cx && cx->counter >= 0) {
					if (pkts)
						pk = pkts[cx->counter];
					if (bytes)
						by = bytes[cx->counter];
				}
				if (cx && cx->text)
					fprintf(out, "[%" PRIu64 ":%" PRIu64
						"] %s\n", pk, by, cx->text);
				else
					fprintf(out, "[%" PRIu64 ":%" PRIu64
						"] -A %s\n", pk, by, ch->name);
			}
		}
		fputs("COMMIT\n", out);
		s = extra_of(rs, "tail", t);
		if (s)
			fputs(s, out);
	}
	return ferror(out) ? CT_ERR_IO : CT_OK;
}

int fw_ipt_write(FILE *out, const struct fw_ruleset *rs, const uint64_t *pkts,
		 const uint64_t *bytes, const uint64_t *pol_pkts,
		 const uint64_t *pol_bytes)
{
	return write_tables(out, rs, -1, pkts, bytes, pol_pkts, pol_bytes);
}

int fw_ipt_write_family(FILE *out, const struct fw_ruleset *rs,
			enum fw_family fam, const uint64_t *pkts,
			const uint64_t *bytes, const uint64_t *pol_pkts,
			const uint64_t *pol_bytes)
{
	return write_tables(out, rs, (int)fam, pkts, bytes, pol_pkts,
			    pol_bytes);
}
