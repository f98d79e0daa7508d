/* \summary: the expectation table (nf_conntrack_expect): create, match, expire */
#ifndef CTREPLAY_CT_EXPECT_H
#define CTREPLAY_CT_EXPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common.h"
#include "../settings.h"
#include "conn.h"
#include "event.h"
#include "tuple.h"

/* Expectation flags (NF_CT_EXPECT_*). */
#define CT_EXPECT_F_PERMANENT 0x1
#define CT_EXPECT_F_INACTIVE  0x2
#define CT_EXPECT_F_USERSPACE 0x4

/*
 * One expected connection.  A new entry whose original tuple equals
 * `tuple` on every bit `mask` keeps (source address and port; destination
 * address, port, family and protocol always) becomes RELATED to `master`.
 */
struct ct_expect {
	struct ct_tuple tuple;
	struct ct_tuple mask;          /* only src[] and sport are used */
	struct ct_conn *master;
	uint32_t flags;                /* CT_EXPECT_F_* */
	uint32_t class;
	uint32_t timeout;              /* seconds, the helper policy's */
	ct_time created;
	ct_time expires;               /* created + timeout: gone when <= now */
	uint64_t id;                   /* creation order from 1 */
	/* NAT helpers (nf_nat_ftp, nf_nat_tftp): the new connection takes
	 * its master's translation (nf_nat_follow_master()): the port the
	 * command announced (saved_port) and the direction it comes from */
	bool nat_follow;
	uint8_t nat_dir;               /* enum ct_dir */
	uint16_t saved_port;

	/* table linkage, private to expect.c */
	struct ct_expect *hnext;       /* hash chain */
	struct ct_expect *tprev, *tnext; /* deadline order */
	struct ct_expect *mnext;       /* master's list, newest first */
};

/* Where expectation events go (the engine forwards them to its sinks). */
typedef void (*ct_expect_notify_fn)(void *ctx, const struct ct_exp_event *ev);

struct ct_expect_table;
struct ct_stats;

/*
 * Create a table holding at most `max` expectations (nf_conntrack_expect_max,
 * 0 = unlimited) whose shown timeouts count in jiffies of 1/hz s.  Every
 * NEW/DESTROY goes to notify(ctx, ...) (may be NULL); expect_create,
 * expect_delete are counted into *stats (may be NULL).  NULL on no memory.
 */
struct ct_expect_table *ct_expect_table_create(uint32_t max, uint32_t hz,
					       struct ct_stats *stats,
					       ct_expect_notify_fn notify,
					       void *ctx);
void ct_expect_table_destroy(struct ct_expect_table *t);

/*
 * nf_ct_expect_init(): fill `exp` for master `master`: family l3num,
 * src/dst addresses (src NULL = any source address), protocol l4num,
 * source port (sport NULL = any), destination port.  Class 0, no flags.
 */
void ct_expect_init(struct ct_expect *exp, struct ct_conn *master,
		    uint8_t l3num, const uint8_t *src, const uint8_t *dst,
		    uint8_t l4num, const uint16_t *sport, uint16_t dport);

/* Results of ct_expect_related(). */
enum ct_expect_err {
	CT_EXPECT_OK = 0,
	CT_EXPECT_EALREADY = -1,       /* same expectation, other master/class */
	CT_EXPECT_EBUSY = -2,          /* overlaps one of another master */
	CT_EXPECT_EMFILE = -3,         /* master's max or table limit reached */
	CT_EXPECT_ENOMEM = -4,
};

/*
 * nf_ct_expect_related(): insert a copy of `exp` at `now` (frame for the
 * events), replacing an identical one of the same master, evicting the
 * master's oldest when it already has max_expected (0 = no limit), and
 * refusing when the table is full.  The copy lives `timeout` seconds.
 */
int ct_expect_related(struct ct_expect_table *t, const struct ct_expect *exp,
		      uint32_t max_expected, uint32_t timeout, ct_time now,
		      uint64_t frame);

/*
 * nf_ct_find_expectation(): the expectation a new entry with original
 * tuple `orig` fulfils.  Only when its master is confirmed and not dying;
 * a non-permanent one is consumed (DESTROY).  Returns the master (the
 * caller takes the reference), or NULL; *found (may be NULL) receives a
 * copy of the expectation.
 */
struct ct_conn *ct_expect_find(struct ct_expect_table *t,
			       const struct ct_tuple *orig, ct_time now,
			       uint64_t frame, struct ct_expect *found);

/* nf_ct_remove_expectations(): drop every expectation of `master`. */
void ct_expect_remove_master(struct ct_expect_table *t,
			     struct ct_conn *master, ct_time now,
			     uint64_t frame);

/* Earliest deadline, or INT64_MAX when the table is empty. */
ct_time ct_expect_next_deadline(const struct ct_expect_table *t);

/* Expire the expectation with the earliest deadline if it is <= now;
 * the DESTROY is stamped with its deadline.  Returns whether one was. */
bool ct_expect_expire_one(struct ct_expect_table *t, ct_time now);

size_t ct_expect_count(const struct ct_expect_table *t);

/* Live expectations in deadline order (creation order for one helper). */
const struct ct_expect *ct_expect_first(const struct ct_expect_table *t);
const struct ct_expect *ct_expect_next(const struct ct_expect *exp);

/*
 * Remaining lifetime in whole seconds as /proc and ctnetlink show it at
 * `now`: (expires - jiffies) / HZ in jiffies of 1/hz s, never negative.
 */
uint32_t ct_expect_remaining(const struct ct_expect *exp, ct_time now,
			     uint32_t hz);

#endif
