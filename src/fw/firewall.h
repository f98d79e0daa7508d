/* \summary: --firewall DIR: the ruleset, interfaces and routes of one firewall, as the engine's hooks */
#ifndef CTREPLAY_FW_FIREWALL_H
#define CTREPLAY_FW_FIREWALL_H

#include <stdbool.h>
#include <stdio.h>

#include "../ct/hook.h"
#include "eval.h"
#include "fw.h"
#include "route.h"

/* The files of a firewall directory (ctreplay-collect writes them); any
 * may be NULL.  An explicit file wins over the directory's. */
struct fw_paths {
	const char *dir;
	const char *ruleset;       /* nft -j list ruleset */
	const char *iptables;      /* iptables-save */
	const char *ip6tables;     /* ip6tables-save */
	const char *addr;          /* ip -j addr show */
	const char *route;         /* ip -j route show table all */
	const char *route6;        /* ip -6 -j route show table all */
	const char *iif;           /* --iif: the capture's one interface */
};

struct fw_firewall {
	struct fw_ruleset *rs;
	struct fw_state *st;
	struct fw_net net;
	char iif[16];
	const char *ruleset_file;  /* what was read, for messages */
	FILE *log;                 /* --log, or NULL */
	/*
	 * The prediction against what left (a capture with the firewall's
	 * outgoing frames): datagrams the replay forwarded whose copy has not
	 * been seen leaving yet, by a hash of what forwarding keeps (open
	 * addressing, 0 free), and the disagreements found.
	 */
	uint64_t *expect;
	size_t expect_cap, expect_n;
	/* the RSTs rejects made (reject with tcp reset), by the same kind of
	 * hash of what the RST will carry: their copies in the capture are
	 * the firewall's own packets, though from another's address */
	uint64_t *resets;
	size_t resets_cap, resets_n;
	bool seen_outgoing;
	/* no outgoing frame after FW_COPIES_PROBE forwarded datagrams: the
	 * capture holds none (an Ethernet capture of what came in), so
	 * nothing is expected any more (until one shows up) */
	bool no_copies;
	uint64_t left_unexpected;  /* left although the replay dropped it */
};

/* After the replay: datagrams the replay forwarded that never left (when
 * the capture holds outgoing frames at all; else 0), and copies that left
 * although the replay did not forward them. */
void fw_firewall_prediction(const struct fw_firewall *fw, uint64_t *unseen,
			    uint64_t *unexpected);

/* --log FILE: where the log lines go (set before the first packet). */
void fw_firewall_set_log(struct fw_firewall *fw, FILE *out);

/*
 * Read what `paths` names (the directory's ruleset.json, else its
 * iptables-save.txt and ip6tables-save.txt; addr.json, route.json,
 * route6.json).  Returns 0, or an error with errbuf naming the file and
 * the rule or line at fault.  A directory with no ruleset is an error.
 */
int fw_firewall_load(struct fw_firewall **out, const struct fw_paths *paths,
		     char *errbuf);
void fw_firewall_destroy(struct fw_firewall *fw);

/* The engine's view of it (ct_engine_set_firewall()). */
void fw_firewall_hooks(struct fw_firewall *fw, struct ct_firewall *hooks);

/* --counters: the ruleset in the form it was given, with this replay's
 * counters. */
int fw_firewall_write_counters(const struct fw_firewall *fw, FILE *out);

/* The path of a file in the firewall directory, or NULL (static
 * buffer-free: the caller gives buf). */
const char *fw_dir_file(const char *dir, const char *name, char *buf,
			size_t size);

#endif
