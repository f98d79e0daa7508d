/* \summary: the counters conntrack -S prints (struct ip_conntrack_stat) */
#ifndef CTREPLAY_CT_STATS_H
#define CTREPLAY_CT_STATS_H

#include <stdint.h>

/* conntrack -S counters (one CPU). */
struct ct_stats {
	uint64_t found;
	uint64_t invalid;
	uint64_t insert;
	uint64_t insert_failed;
	uint64_t drop;
	uint64_t early_drop;
	uint64_t icmp_error;
	uint64_t expect_new;
	uint64_t expect_create;
	uint64_t expect_delete;
	uint64_t search_restart;
	uint64_t clash_resolve;
	uint64_t chaintoolong;
};

#endif
