/* \summary: running a ruleset on packets at the hooks: chains, rules, counters, limits */
#ifndef CTREPLAY_FW_EVAL_H
#define CTREPLAY_FW_EVAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../ct/hook.h"
#include "fw.h"

struct fw_state;

/*
 * The state of a ruleset while a capture replays: the counters of every
 * counter expression and chain policy, the token buckets of limits, the
 * packet counts of statistic matches, and per rule how often it decided
 * a packet (for -S).  Allocated once; evaluation allocates nothing.
 */
struct fw_state *fw_state_create(const struct fw_ruleset *rs);
void fw_state_destroy(struct fw_state *st);

/*
 * Run the base chains of `hook` with priority lo <= p < hi that see the
 * packet's family, in priority order (ties: in the order they were
 * declared), as nf_hook_slow() runs the hook's entries.  An accept ends
 * one chain and the next one runs; a drop (or reject, or a queue nobody
 * reads) ends the packet: returns false with hp->action, hp->hook,
 * hp->rule set.  NAT chains see a connection's first packet only.
 */
bool fw_run_hook(struct fw_state *st, enum ct_hook hook, int32_t lo,
		 int32_t hi, struct ct_hookpkt *hp);

/* --trace FRAME: that frame's way through the chains, as nft monitor
 * trace prints it (the packet as each base chain sees it, every rule
 * whose matches held and its verdict, the policy), written to out. */
/* The nat chains of a hook, run where the NAT core sits for a
 * connection's first packet (nf_nat_inet_fn()); false on a drop. */
bool fw_run_nat(struct fw_state *st, enum ct_hook hook, struct ct_hookpkt *hp);

/* Whether a base chain of type nat exists for family 4 or 6 (inet
 * tables count for both). */
bool fw_state_has_nat(const struct fw_state *st, int family);

/* The firewall's interfaces, for the addresses masquerade and redirect
 * take, and its addresses and routes, which fib keys (nft fib, xt
 * addrtype) look up (without them those keys have no value). */
struct fw_net;
void fw_state_set_net(struct fw_state *st, const struct fw_net *net);

void fw_state_set_trace(struct fw_state *st, FILE *out, uint64_t frame);

/* The kernel's HZ (xt_limit counts in jiffies); 250 by default. */
void fw_state_set_hz(struct fw_state *st, uint32_t hz);

/* What -S prints: drops per rule, rules never hit, unknown rules. */
void fw_state_summary(const struct fw_state *st, FILE *out);

/* The totals of counter expression i and of chain c's policy. */
void fw_state_counters(const struct fw_state *st, const uint64_t **pkts,
		       const uint64_t **bytes, const uint64_t **pol_pkts,
		       const uint64_t **pol_bytes);

/* After fw_run_hook() rejected a packet: how (enum fw_reject); -1 when
 * the last hook run rejected nothing. */
int fw_state_reject(const struct fw_state *st);

/* How often frames reached a rule ctreplay cannot judge (--strict). */
uint64_t fw_state_unknown_hits(const struct fw_state *st);

/* What log statements and LOG targets call (--log): the rule's prefix
 * and the packet as the hook sees it. */
typedef void (*fw_log_fn)(void *ctx, const char *prefix, unsigned flags,
			  const struct ct_hookpkt *hp);
void fw_state_set_log(struct fw_state *st, fw_log_fn fn, void *ctx);

#endif
