/* \summary: the tracking engine: capture clock, the packet path, entries' lifecycle (nf_conntrack_core) */
/*
 * One frame goes through what the kernel's hooks do to it on a router, in
 * capture-time order (ct_engine_packet()):
 *
 *   expire everything due -> defrag -> conntrack in (ICMP error
 *   matching, tuple, lookup or create with early drop, tracker,
 *   SEEN_REPLY) -> forwarding (TTL) -> helper -> confirm -> one event
 *   message -> verdict.
 *
 * Each step is a function of its own, as the kernel's are separate hooks
 * (nf_conntrack_in() at PREROUTING, ip_forward() after the routing
 * decision, then nf_confirm() with the helper at POSTROUTING or INPUT),
 * so that rule chains and NAT can run between them.  The table
 * (table.c), the timers (timer.c), storage (pool.c), error messages
 * (proto_icmp.c), the helper registry (helper.c), the -j view (view.c)
 * and sharding (shard.c) live in files of their own.
 *
 * Model and deliberate differences from the kernel:
 *  - Deadlines are exact in nanoseconds (an entry is dead at
 *    refreshed + timeout); the timeout shown is computed in jiffies of
 *    1/hz s so it drops by one right after a refresh, as /proc shows.
 *  - Expired entries are destroyed exactly at their deadline, in deadline
 *    order (the kernel's GC does it "some time" later, but always before a
 *    later packet of the same tuple is seen).
 *  - The hash uses a fixed seed, so which entries early drop evicts is
 *    reproducible (the kernel's siphash key is random).  The kernel's GC
 *    "early drop mode" (evicting closing ASSURED TCP) is not modelled.
 *  - One CPU: no clash resolution.  An entry's id is the number of the
 *    frame that created it: unique (a frame creates at most one entry),
 *    in creation order, and the same whichever shard (-j, --shard) the
 *    entry lives in.
 *  - Expectations (expect.c) die exactly at their deadline too, merged in
 *    time order with the entries' (before an entry due at the same
 *    instant: they are real timers, the entries' expiry is GC).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../defrag.h"
#include "core.h"
#include "csum.h"
#include "engine_int.h"

/* Buckets early drop looks at, from the new tuple's (NF_CT_EVICTION_RANGE). */
#define ENGINE_EVICTION_RANGE 8
/* A packet may be looked up again after a reopen kill; never loop. */
#define ENGINE_MAX_REPEAT 3

/* ------------------------------------------------------------------ */
/* sinks */

static void engine_emit_event(struct ct_engine *eng, const struct ct_event *ev)
{
	int i;

	for (i = 0; i < eng->nsinks; i++)
		if (eng->sinks[i].event)
			eng->sinks[i].event(eng->sinks[i].ctx, ev);
}

static void engine_emit_verdict(struct ct_engine *eng,
				const struct ct_verdict *v)
{
	int i;

	for (i = 0; i < eng->nsinks; i++)
		if (eng->sinks[i].verdict)
			eng->sinks[i].verdict(eng->sinks[i].ctx, v);
}

/* The expectation table's notifier: forward to every expectation sink. */
static void engine_emit_exp_event(void *ctx, const struct ct_exp_event *ev)
{
	struct ct_engine *eng = ctx;
	int i;

	for (i = 0; i < eng->nexp_sinks; i++)
		if (eng->exp_sinks[i].event)
			eng->exp_sinks[i].event(eng->exp_sinks[i].ctx, ev);
}

static bool conn_has_state(const struct ct_conn *ct)
{
	return ct->l4 && ct->l4->state_name && ct->l4->state_name(ct) != NULL;
}

/* ------------------------------------------------------------------ */
/* table and storage */

static uint32_t engine_hash(const struct ct_engine *eng,
			    const struct ct_tuple *t)
{
	if (eng->hint && ct_table_tuple_equal(t, &eng->hint_tuple))
		return eng->hint_hash;
	return ct_tuple_hash(t, CT_ENGINE_HASH_SEED);
}

static struct ct_conn *engine_lookup(struct ct_engine *eng,
				     const struct ct_tuple *t, enum ct_dir *dir)
{
	return ct_table_lookup(&eng->table, &eng->pool, t, engine_hash(eng, t),
			       dir);
}

struct ct_conn *ct_engine_find(struct ct_engine *eng, const struct ct_tuple *t,
			       enum ct_dir *dir)
{
	return engine_lookup(eng, t, dir);
}

static void engine_hashes(const struct ct_engine *eng, const struct ct_conn *ct,
			  uint32_t h[2])
{
	h[CT_DIR_ORIGINAL] = engine_hash(eng, &ct->tuple[CT_DIR_ORIGINAL]);
	h[CT_DIR_REPLY] = engine_hash(eng, &ct->tuple[CT_DIR_REPLY]);
}

/* An entry that was never confirmed: gone without a trace. */
static void engine_discard(struct ct_engine *eng, struct ct_conn *ct)
{
	ct_nat_forget(eng->nat, ct);
	/* a helper may already have created expectations for it (TFTP on
	 * the first packet): they go with it */
	if (ct->ext && ct->ext->expectations)
		ct_expect_remove_master(eng->expects, ct, eng->now,
					eng->ctx.pkt ? eng->ctx.pkt->frame : 0);
	if (ct_conn_master(ct) && ct_conn_master(ct)->ext &&
	    ct_conn_master(ct)->ext->use > 0)
		ct_conn_master(ct)->ext->use--;
	ct_pool_release(&eng->pool, ct);
}

static void engine_defer_free(struct ct_engine *eng, struct ct_conn *ct)
{
	if (eng->ndead == eng->dead_cap) {
		size_t cap = eng->dead_cap ? eng->dead_cap * 2 : 16;
		struct ct_conn **d = realloc(eng->dead, cap * sizeof(*d));

		if (!d) {
			/* cannot keep it for the verdict: leak it rather than
			 * hand reporters a dangling pointer */
			return;
		}
		eng->dead = d;
		eng->dead_cap = cap;
	}
	eng->dead[eng->ndead++] = ct;
}

static void engine_reap_dead(struct ct_engine *eng)
{
	size_t i;

	for (i = 0; i < eng->ndead; i++)
		ct_pool_release(&eng->pool, eng->dead[i]);
	eng->ndead = 0;
}

/* ------------------------------------------------------------------ */
/* destruction */

/*
 * Take a confirmed entry out of the table and the timer heap.  Expected
 * children outlive their master (the kernel keeps a reference; here the
 * link is simply cut).
 */
static void engine_unlink(struct ct_engine *eng, struct ct_conn *ct)
{
	uint32_t h[2];

	engine_hashes(eng, ct, h);
	ct_table_remove(&eng->table, ct, h);
	ct_timer_remove(&eng->timers, ct);
	ct_nat_forget(eng->nat, ct);
	eng->count--;
	ct->status |= CT_IPS_DYING;
	if (ct_conn_use(ct) > 0) {
		size_t i;

		/* its children, found by a scan of the pool (rare: masters
		 * of FTP/TFTP data connections) */
		for (i = 0; i < ct_pool_slots(&eng->pool); i++) {
			struct ct_conn *c = ct_pool_at(&eng->pool, (uint32_t)i);

			if ((c->status & CT_IPS_CONFIRMED) &&
			    ct_conn_master(c) == ct)
				c->ext->master = NULL;
		}
		ct->ext->use = 0;
	}
	if (ct_conn_master(ct)) {
		struct ct_conn *m = ct->ext->master;

		if (m->ext && m->ext->use > 0)
			m->ext->use--;
		ct->ext->master = NULL;
	}
}

/*
 * nf_ct_delete() of a confirmed entry: DESTROY message, then unlink.
 * Killed entries carry the time they had left when non-zero (ctnetlink
 * since 5.11); expired ones carry none.
 */
static void engine_destroy(struct ct_engine *eng, struct ct_conn *ct,
			   ct_time ts, uint64_t frame,
			   enum ct_destroy_cause cause)
{
	struct ct_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = CT_EV_DESTROY;
	ev.bits = CT_IPCT_DESTROY;
	ev.ts = ts;
	ev.frame = frame;
	ev.ct = ct;
	ev.cause = cause;
	if (cause != CT_DC_EXPIRED &&
	    ct_kernel_info(eng->set.kernel)->destroy_timeout) {
		ev.timeout = ct_conn_remaining(ct, ts, eng->set.hz);
		ev.has_timeout = ev.timeout != 0;
	}
	/* 5.10: no timeout, no protoinfo in DESTROY (settings.c) */
	ev.has_protoinfo = conn_has_state(ct) &&
			   ct_kernel_info(eng->set.kernel)->destroy_protoinfo;
	/* pending UPDATE bits die with the entry */
	ct->events = 0;
	engine_emit_event(eng, &ev);
	engine_unlink(eng, ct);
	/* its pending expectations die with it; expected children live on */
	if (ct->ext && ct->ext->expectations)
		ct_expect_remove_master(eng->expects, ct, ts, frame);
}

void ct_engine_advance(struct ct_engine *eng, ct_time now)
{
	engine_reap_dead(eng);
	if (!eng->started) {
		eng->started = true;
		eng->now = now;
	}
	if (now < eng->now)
		now = eng->now;
	/* nothing can be due yet: most packets stop here */
	if (now < eng->timers.bound && now < eng->exp_bound) {
		eng->now = now;
		return;
	}
	for (;;) {
		ct_time cdl, edl = ct_expect_next_deadline(eng->expects);
		struct ct_conn *ct = ct_timer_first(&eng->timers, now, &cdl);

		if (cdl > now && edl > now) {
			eng->exp_bound = edl;
			break;
		}
		if (edl <= cdl) {
			/* expectation timers fire on time; on a tie before
			 * the connection GC */
			if (edl > eng->now)
				eng->now = edl;
			ct_expect_expire_one(eng->expects, edl);
			continue;
		}
		if (cdl > eng->now)
			eng->now = cdl;
		engine_destroy(eng, ct, cdl, 0, CT_DC_EXPIRED);
		ct_pool_release(&eng->pool, ct);
	}
	eng->now = now;
}

/*
 * early_drop(): the table is full.  Look at up to ENGINE_EVICTION_RANGE
 * buckets from the new tuple's; in the first one holding any confirmed
 * entry that is not ASSURED, evict all such entries (in id order, for a
 * stable event order).  Returns the number evicted.
 */
static size_t engine_early_drop(struct ct_engine *eng, uint32_t hash,
				const struct ct_pkt *pkt)
{
	uint32_t b = ct_table_bucket(&eng->table, hash);
	int i;

	for (i = 0; i < ENGINE_EVICTION_RANGE;
	     i++, b = (b + 1) % eng->table.nbuckets) {
		size_t n, k, j;

		n = ct_table_bucket_victims(&eng->table, &eng->pool, b,
					    &eng->scratch, &eng->scratch_cap);
		if (n == 0)
			continue;
		/* insertion sort by id: victims of one bucket are few */
		for (k = 1; k < n; k++) {
			struct ct_conn *c = eng->scratch[k];

			for (j = k; j > 0 && eng->scratch[j - 1]->id > c->id; j--)
				eng->scratch[j] = eng->scratch[j - 1];
			eng->scratch[j] = c;
		}
		for (k = 0; k < n; k++) {
			engine_destroy(eng, eng->scratch[k], eng->now,
				       pkt->frame, CT_DC_EARLY_DROP);
			engine_defer_free(eng, eng->scratch[k]);
		}
		eng->stats.early_drop += n;
		return n;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* services for trackers */

void ct_engine_account(struct ct_engine *eng, struct ct_conn *ct,
		       struct ct_pctx *ctx)
{
	(void)eng;
	if (!ctx || !ctx->pkt || !ct->counted)
		return;
	ct->packets[ctx->dir]++;
	ct->bytes[ctx->dir] += ctx->pkt->l3len;
}

void ct_engine_refresh(struct ct_engine *eng, struct ct_conn *ct,
		       struct ct_pctx *ctx, uint32_t seconds)
{
	ct_time now = ctx ? ctx->now : eng->now;
	ct_time was = ct_conn_expires(ct);

	ct->timeout = seconds;
	ct->refreshed = now;
	if ((ct->status & CT_IPS_CONFIRMED) && !(ct->status & CT_IPS_DYING))
		ct_timer_update(&eng->timers, ct, was);
	ct_engine_account(eng, ct, ctx);
}

void ct_engine_set_status(struct ct_engine *eng, struct ct_conn *ct,
			  uint32_t bits)
{
	uint32_t fresh = bits & ~ct->status;

	ct->status |= bits;
	if (fresh & CT_IPS_ASSURED)
		ct_engine_cache_event(eng, ct, CT_IPCT_ASSURED);
}

void ct_engine_cache_event(struct ct_engine *eng, struct ct_conn *ct,
			   uint32_t bits)
{
	(void)eng;
	ct->events |= bits;
}

void ct_engine_kill(struct ct_engine *eng, struct ct_conn *ct,
		    struct ct_pctx *ctx)
{
	enum ct_destroy_cause cause = CT_DC_KILLED;

	if (ct->status & CT_IPS_DYING)
		return;
	if (!(ct->status & CT_IPS_CONFIRMED)) {
		/* never in the table: it vanishes with the packet, silently */
		ct->status |= CT_IPS_DYING;
		return;
	}
	if (ctx && ctx->kill_cause != CT_DC_NONE)
		cause = ctx->kill_cause;
	engine_destroy(eng, ct, eng->now, ctx && ctx->pkt ? ctx->pkt->frame : 0,
		       cause);
	engine_defer_free(eng, ct);
}

/* ------------------------------------------------------------------ */
/* the per-packet path */

static enum ct_ctstate ctinfo_state(enum ct_info ctinfo)
{
	switch (ctinfo) {
	case CT_INFO_NEW:
		return CT_STATE_NEW;
	case CT_INFO_ESTABLISHED:
	case CT_INFO_ESTABLISHED_REPLY:
		return CT_STATE_ESTABLISHED;
	case CT_INFO_RELATED:
	case CT_INFO_RELATED_REPLY:
		return CT_STATE_RELATED;
	case CT_INFO_UNTRACKED:
		return CT_STATE_UNTRACKED;
	}
	return CT_STATE_INVALID;
}


/*
 * Expectation hook (init_conntrack -> nf_ct_find_expectation): a matching
 * expectation of a confirmed, live master is consumed and makes the new
 * entry EXPECTED with that master (the caller takes the reference).
 */
static struct ct_conn *engine_expect_match(struct ct_engine *eng,
					   struct ct_conn *ct,
					   struct ct_expect *exp)
{
	struct ct_conn *master;

	if (ct_expect_count(eng->expects) == 0)
		return NULL;
	master = ct_expect_find(eng->expects, &ct->tuple[CT_DIR_ORIGINAL],
				eng->now, eng->ctx.pkt ? eng->ctx.pkt->frame : 0,
				exp);
	if (master)
		eng->stats.expect_new++;
	return master;
}

/* Explicit helper rules (nft "ct helper set"; helper.c matches them). */
static void engine_assign_helper(struct ct_engine *eng, struct ct_conn *ct)
{
	int i = ct_helper_rule_for(&eng->set, &ct->tuple[CT_DIR_ORIGINAL]);

	if (i < 0 || !ct_pool_ext(&eng->pool, ct))
		return;
	ct->ext->helper = &eng->set.helpers[i];
	ct->status |= CT_IPS_HELPER;
}

/*
 * init_conntrack(): invert the tuple, make room (early drop), take an
 * entry from the pool, match expectations or assign a helper.  On failure
 * fills the verdict and returns NULL.
 */
static struct ct_conn *engine_new_conn(struct ct_engine *eng,
				       const struct ct_tuple *t,
				       const struct ct_l4proto *l4,
				       struct ct_verdict *v)
{
	struct ct_pctx *ctx = &eng->ctx;
	struct ct_tuple inv;
	struct ct_conn *ct, *master;
	struct ct_expect exp;

	if (!ct_l4_invert(&inv, t)) {
		eng->stats.invalid++;
		v->state = CT_STATE_INVALID;
		snprintf(ctx->reason_buf, sizeof(ctx->reason_buf),
			 "%s packet without a reply tuple", l4->name);
		v->reason = ctx->reason_buf;
		return NULL;
	}
	if (eng->set.max != 0 && eng->count + 1 > eng->set.max &&
	    engine_early_drop(eng, engine_hash(eng, t), ctx->pkt) == 0) {
		eng->stats.drop++;
		v->state = CT_STATE_DROP;
		v->reason = "table full";
		return NULL;
	}
	ct = ct_pool_alloc(&eng->pool);
	if (!ct) {
		eng->stats.drop++;
		v->state = CT_STATE_DROP;
		v->reason = "out of memory";
		return NULL;
	}
	ct->tuple[CT_DIR_ORIGINAL] = *t;
	ct->tuple[CT_DIR_REPLY] = inv;
	ct->l4 = l4;
	ct->id = ctx->pkt->frame;
	ct->refreshed = eng->now;
	ct->acct = eng->set.acct;
	ct->tstamp = eng->set.timestamp;

	master = engine_expect_match(eng, ct, &exp);
	if (master && ct_pool_ext(&eng->pool, ct) &&
	    ct_pool_ext(&eng->pool, master)) {
		ct->status |= CT_IPS_EXPECTED;
		ct->ext->master = master;
		ct->mark = master->mark;
		master->ext->use++;
		/* init_conntrack(): the expectation's function, a NAT
		 * helper's nf_nat_follow_master() */
		if (exp.nat_follow)
			ct_nat_follow_master(eng, ct, master,
					     (enum ct_dir)exp.nat_dir,
					     exp.saved_port, ctx->pkt);
	} else {
		engine_assign_helper(eng, ct);
	}
	return ct;
}

/* __nf_conntrack_confirm(): into the table, with its id and NEW bits. */
static bool engine_confirm(struct ct_engine *eng, struct ct_conn *ct)
{
	enum ct_dir d;
	uint32_t h[2];

	engine_hashes(eng, ct, h);
	if (ct_table_lookup(&eng->table, &eng->pool,
			    &ct->tuple[CT_DIR_ORIGINAL], h[CT_DIR_ORIGINAL],
			    &d) ||
	    ct_table_lookup(&eng->table, &eng->pool, &ct->tuple[CT_DIR_REPLY],
			    h[CT_DIR_REPLY], &d)) {
		eng->stats.insert_failed++;
		eng->stats.drop++;
		return false;
	}
	if (!ct_table_reserve(&eng->table)) {
		eng->stats.drop++;
		return false;
	}
	ct->status |= CT_IPS_CONFIRMED;
	ct->start = eng->now;
	ct_table_insert(&eng->table, ct, h);
	ct_timer_add(&eng->timers, ct);
	eng->count++;
	/* 6.x counts no insert here: conntrack -S shows insert=0 however
	 * many entries were confirmed (recorded: syn-flood-max). */
	ct_table_note_count(&eng->table, eng->count);
	ct->events |= ct_conn_master(ct) ? CT_IPCT_RELATED : CT_IPCT_NEW;
	if (ct_conn_helper(ct))
		ct->events |= CT_IPCT_HELPER;
	return true;
}

/* nf_ct_deliver_cached_events(): everything cached, as one message. */
static void engine_deliver(struct ct_engine *eng, struct ct_conn *ct,
			   uint64_t frame)
{
	struct ct_event ev;
	uint32_t bits = ct->events;

	if (bits == 0)
		return;
	ct->events = 0;
	memset(&ev, 0, sizeof(ev));
	ev.type = (bits & (CT_IPCT_NEW | CT_IPCT_RELATED)) ? CT_EV_NEW
							   : CT_EV_UPDATE;
	ev.bits = bits;
	ev.ts = eng->now;
	ev.frame = frame;
	ev.ct = ct;
	ev.has_timeout = true;
	ev.timeout = ct_conn_remaining(ct, eng->now, eng->set.hz);
	ev.has_protoinfo = (bits & CT_IPCT_PROTOINFO) ||
			   (ev.type == CT_EV_NEW && conn_has_state(ct));
	ev.cause = CT_DC_NONE;
	engine_emit_event(eng, &ev);
}

static bool conn_is_tcp(const struct ct_conn *ct)
{
	return ct->l4 == &ct_l4proto_tcp;
}

/* The packet is INVALID for the tracker: an unconfirmed entry vanishes. */
static void engine_track_invalid(struct ct_engine *eng, struct ct_conn *ct,
				 bool confirmed, struct ct_verdict *v)
{
	eng->stats.invalid++;
	v->state = CT_STATE_INVALID;
	v->reason = eng->ctx.reason ? eng->ctx.reason : "invalid";
	if (!confirmed) {
		engine_discard(eng, ct);
		v->ct = NULL;
	}
}

/* The packet gets no conntrack at all: INVALID to nft's "ct state". */
static bool engine_no_conntrack(struct ct_engine *eng, struct ct_verdict *v,
				const char *reason)
{
	eng->stats.invalid++;
	v->state = CT_STATE_INVALID;
	v->reason = reason;
	return false;
}

/*
 * Error messages (nf_conntrack_handle_icmp()): the tracker's error() op
 * finds the entry the message is about.  True when it decided the packet.
 */
static bool engine_error_msg(struct ct_engine *eng,
			     const struct ct_l4proto *l4, struct ct_verdict *v)
{
	struct ct_pctx *ctx = &eng->ctx;
	const struct ct_pkt *pkt = ctx->pkt;
	enum ct_l4_error res = l4->error(ctx);

	if (res == CT_L4_ERR_NONE)
		return false;
	if (ctx->related) {
		eng->stats.found++;
		v->ct = ctx->related;
		v->dir = ctx->dir;
	}
	switch (res) {
	case CT_L4_ERR_RELATED:
		v->state = CT_STATE_RELATED;
		break;
	case CT_L4_ERR_UNTRACKED:
		v->state = CT_STATE_UNTRACKED;
		break;
	default:
		eng->stats.icmp_error++;
		v->state = CT_STATE_INVALID;
		v->reason = ctx->reason;
		break;
	}
	if (l4->pkt_to_tuple && pkt->l4cap >= 8) {
		ct_l4_tuple_from_pkt(&v->tuple, pkt);
		v->tuple.zone = ctx->zone;
		v->has_tuple = l4->pkt_to_tuple(ctx, &v->tuple);
	}
	return true;
}

/*
 * resolve_normal_ct() and the tracker, until it accepts: look the tuple
 * up or create an entry, then the tracker's checks, new() and packet().
 * A tracker that kills the entry (TCP reopen) has the tuple looked up
 * again.  Returns the entry, or NULL with the verdict filled in.
 */
static struct ct_conn *engine_resolve(struct ct_engine *eng,
				      const struct ct_l4proto *l4,
				      const struct ct_tuple *t,
				      struct ct_verdict *v)
{
	struct ct_pctx *ctx = &eng->ctx;
	struct ct_conn *ct = NULL;
	enum ct_dir dir = CT_DIR_ORIGINAL;
	bool confirmed = false;
	uint8_t old_state = 0;
	int round;

	for (round = 0; round < ENGINE_MAX_REPEAT; round++) {
		enum ct_l4_verdict res;

		ct = engine_lookup(eng, t, &dir);
		confirmed = ct != NULL;
		if (ct) {
			eng->stats.found++;
		} else {
			ct = engine_new_conn(eng, t, l4, v);
			if (!ct)
				return NULL;
			dir = CT_DIR_ORIGINAL;
		}
		if (dir == CT_DIR_REPLY)
			ctx->ctinfo = CT_INFO_ESTABLISHED_REPLY;
		else if (ct->status & CT_IPS_SEEN_REPLY)
			ctx->ctinfo = CT_INFO_ESTABLISHED;
		else if (ct->status & CT_IPS_EXPECTED)
			ctx->ctinfo = CT_INFO_RELATED;
		else
			ctx->ctinfo = CT_INFO_NEW;
		ctx->dir = dir;
		ctx->confirmed = confirmed;
		v->ct = ct;
		v->dir = dir;
		if (conn_is_tcp(ct))
			old_state = ct->proto.tcp.state;
		v->old_state = v->new_state = old_state;

		if (l4->check && !l4->check(ctx)) {
			engine_track_invalid(eng, ct, confirmed, v);
			return NULL;
		}
		if (!confirmed && l4->new && !l4->new(ct, ctx)) {
			engine_track_invalid(eng, ct, confirmed, v);
			return NULL;
		}
		res = l4->packet(ct, ctx);
		if (conn_is_tcp(ct))
			v->new_state = ct->proto.tcp.state;
		if (res == CT_L4_INVALID) {
			engine_track_invalid(eng, ct, confirmed, v);
			return NULL;
		}
		if (res == CT_L4_ACCEPT)
			return ct;
		/* CT_L4_REPEAT: the tracker killed the entry; look again */
		if (!confirmed)
			engine_discard(eng, ct);
		ct = NULL;
		ctx->kill_cause = CT_DC_NONE;
	}
	eng->stats.invalid++;
	v->state = CT_STATE_INVALID;
	v->ct = NULL;
	v->reason = "tracker asked to repeat the lookup too often";
	return NULL;
}

/* A new entry leaves with its packet: it was never confirmed. */
void ct_engine_drop_unconfirmed(struct ct_engine *eng, struct ct_conn *ct,
				struct ct_verdict *v)
{
	if (!eng->ctx.confirmed) {
		engine_discard(eng, ct);
		v->ct = NULL;
	}
}

/*
 * The PREROUTING hook, nf_conntrack_in(): the packet's entry, found or
 * new (unconfirmed), with ctx->ctinfo set.  NULL when the packet leaves
 * conntrack with the verdict already decided (INVALID, RELATED by an
 * error message, UNTRACKED, a table full, or killed by its own packet).
 */
struct ct_conn *ct_engine_conntrack_in(struct ct_engine *eng,
				       const struct ct_pkt *pkt,
				       struct ct_verdict *v)
{
	struct ct_pctx *ctx = &eng->ctx;
	const struct ct_l4proto *l4;
	struct ct_conn *ct;
	struct ct_tuple t;

	memset(ctx, 0, offsetof(struct ct_pctx, reason_buf));
	ctx->reason_buf[0] = '\0';
	ctx->explain[0] = '\0';
	ctx->kill_cause = CT_DC_NONE;
	ctx->pkt = pkt;
	ctx->set = &eng->set;
	ctx->eng = eng;
	ctx->now = eng->now;
	ctx->expects = eng->expects;
	ctx->zone = ct_engine_pkt_zone(eng, pkt);
	ctx->want_explain = eng->explain_frame == CT_ENGINE_EXPLAIN_ALL ||
			    eng->explain_frame == pkt->frame;
	v->explain = ctx->explain;

	/*
	 * get_l4proto(): a fragment that is not the first (one defrag let
	 * through) and an IPv6 header chain that ends without a transport
	 * header (next header 59, or headers running past the packet:
	 * ipv6_skip_exthdr() fails for both) give no conntrack at all.
	 */
	if (pkt->is_fragment && pkt->frag_off != 0)
		return engine_no_conntrack(eng, v, "non-first fragment"), NULL;
	if (pkt->l3num == CT_L3_IPV6 && pkt->l4num == 59)
		return engine_no_conntrack(eng, v, "can't find proto in pkt"),
		       NULL;
	if ((pkt->l4num == 1 && pkt->l3num != CT_L3_IPV4) ||
	    (pkt->l4num == 58 && pkt->l3num != CT_L3_IPV6))
		return engine_no_conntrack(eng, v, "icmp in wrong family"), NULL;
	l4 = ct_l4proto_find(pkt->l3num, pkt->l4num);
	if (l4->error && engine_error_msg(eng, l4, v))
		return NULL;

	ct_l4_tuple_from_pkt(&t, pkt);
	t.zone = ctx->zone;
	if (!l4->pkt_to_tuple(ctx, &t))
		return engine_no_conntrack(eng, v,
					   ctx->reason ? ctx->reason
						       : "no tuple"), NULL;
	v->has_tuple = true;
	v->tuple = t;

	ct = engine_resolve(eng, l4, &t, v);
	if (!ct)
		return NULL;
	v->state = ctinfo_state(ctx->ctinfo);
	if (ct->status & CT_IPS_DYING) {
		/* killed by its own packet (TCP RST before any reply): the
		 * DESTROY is all that was sent */
		ct_engine_drop_unconfirmed(eng, ct, v);
		return NULL;
	}
	if (ctx->ctinfo == CT_INFO_ESTABLISHED_REPLY &&
	    !(ct->status & CT_IPS_SEEN_REPLY)) {
		ct->status |= CT_IPS_SEEN_REPLY;
		ct->events |= CT_IPCT_REPLY;
	}
	return ct;
}

/*
 * Whether a router would drop the packet for its TTL (hop limit) after
 * conntrack saw it: ip_forward()/ip6_forward() refuse TTL <= 1.  Only
 * forwarded packets are concerned; multicast, broadcast and IPv6
 * link-local destinations are delivered to the router itself.  With
 * forwarding=0 (a capture taken on an end host) nothing is forwarded.
 */
bool ct_engine_ttl_runs_out(const struct ct_engine *eng,
			    const struct ct_pkt *pkt)
{
	const uint8_t *d = pkt->dst;

	if (!eng->set.forwarding || pkt->ttl > 1)
		return false;
	if (pkt->l3num == CT_L3_IPV4)
		return !(d[0] >= 224 ||
			 (d[0] == 255 && d[1] == 255 && d[2] == 255 &&
			  d[3] == 255));
	return !(d[0] == 0xff || (d[0] == 0xfe && (d[1] & 0xc0) == 0x80));
}

/*
 * Between the hooks, the forwarding path: ip_forward() drops a packet
 * whose TTL runs out before the FORWARD hook, so nf_confirm() never runs
 * for it: no helper, no confirmation.  A new entry vanishes, and what the
 * packet changed in an existing one is reported with that entry's next
 * packet.  True when the packet goes on.
 */
static bool engine_forward(struct ct_engine *eng, struct ct_conn *ct,
			   struct ct_verdict *v)
{
	if (!ct_engine_ttl_runs_out(eng, eng->ctx.pkt))
		return true;
	v->reason = "TTL runs out in forwarding: entry not confirmed";
	ct_engine_drop_unconfirmed(eng, ct, v);
	return false;
}

/* The helper behind an entry's helper rule: a --helper rule's, or one a
 * "ct helper set" rule attached (NULL when ctreplay has none). */
static const struct ct_helper_ops *engine_helper_ops(
	const struct ct_engine *eng, const struct ct_helper_rule *r)
{
	int i;

	for (i = 0; i < CT_MAX_HELPERS; i++) {
		if (r == &eng->set.helpers[i])
			return eng->helper_ops[i];
		if (r == &eng->fw_helpers[i])
			return eng->fw_helper_ops[i];
	}
	return NULL;
}

/*
 * nf_confirm()'s helper call (net/netfilter/nf_conntrack_proto.c): after
 * the tracker and the filter chains, at the last hook (POSTROUTING, or
 * INPUT for the host itself), for every accepted packet of an entry with
 * a helper, except RELATED_REPLY.  True when the packet goes on.  A
 * helper's NF_DROP moves no counter, and leaves the ct state the chains
 * matched (nft counted the packet ESTABLISHED, say): the verdict keeps
 * its state and says the helper dropped it, with action drop at that
 * hook.  Without a firewall the replay is a router's: POSTROUTING.
 */
bool ct_engine_helper(struct ct_engine *eng, struct ct_conn *ct,
		      struct ct_verdict *v)
{
	struct ct_pctx *ctx = &eng->ctx;
	const struct ct_helper_ops *ops;

	if (!ct_conn_helper(ct) || ctx->ctinfo == CT_INFO_RELATED_REPLY)
		return true;
	ops = engine_helper_ops(eng, ct_conn_helper(ct));
	/* an nft helper object only binds to its own protocol */
	if (!ops || ops->l4num != ct->tuple[CT_DIR_ORIGINAL].l4num)
		return true;
	/* a helper may add expectations: their deadlines are unknown here */
	eng->exp_bound = INT64_MIN;
	if (ops->help(ct, ctx))
		return true;
	v->action = CT_ACT_DROP;
	v->hook = CT_HOOK_POSTROUTING;
	v->helper_drop = ops->name;
	v->reason = ctx->reason ? ctx->reason : "dropped by helper";
	ct_engine_drop_unconfirmed(eng, ct, v);
	return false;
}

/* The rest of nf_confirm(): a new entry into the table, then the
 * entry's cached events as one message. */
void ct_engine_confirm_hook(struct ct_engine *eng, struct ct_conn *ct,
			    struct ct_verdict *v)
{
	if (!eng->ctx.confirmed && !engine_confirm(eng, ct)) {
		engine_discard(eng, ct);
		v->ct = NULL;
		v->state = CT_STATE_DROP;
		v->reason = "insert failed";
		return;
	}
	engine_deliver(eng, ct, eng->ctx.pkt->frame);
}

/* One whole (reassembled) packet through the hooks. */
static void engine_track(struct ct_engine *eng, const struct ct_pkt *pkt,
			 struct ct_verdict *v)
{
	struct ct_conn *ct;

	if (eng->has_fw) {
		ct_engine_track_fw(eng, pkt, v);
		return;
	}
	ct = ct_engine_conntrack_in(eng, pkt, v);
	if (!ct || !engine_forward(eng, ct, v) || !ct_engine_helper(eng, ct, v))
		return;
	ct_engine_confirm_hook(eng, ct, v);
}

void ct_engine_packet(struct ct_engine *eng, const struct ct_pkt *pkt)
{
	struct ct_verdict v;
	struct ct_pkt whole;

	ct_engine_advance(eng, pkt->ts);
	memset(&v, 0, sizeof(v));
	v.frame = pkt->frame;
	v.ts = eng->now;
	v.pkt = pkt;
	v.explain = "";
	v.state = CT_STATE_NONE;

	if (pkt->kind != CT_PKT_IP) {
		/* what the host itself sent goes through OUTPUT */
		if (!(pkt->outgoing && eng->has_fw &&
		      ct_engine_track_fw_out(eng, pkt, &v)))
			v.reason = pkt->reason ? pkt->reason
					       : "not seen by conntrack";
	} else if (pkt->is_fragment) {
		/* reassembly in front of conntrack (nf_defrag_ipv4/ipv6):
		 * 1 when the frame completes a datagram, 0 while it is held,
		 * -1 when reassembly threw it away */
		int r = ct_defrag_feed(eng->defrag, pkt, &whole);

		if (r > 0) {
			v.pkt = &whole;
			engine_track(eng, &whole, &v);
		} else {
			const char *why = ct_defrag_reason(eng->defrag);

			v.reason = r == 0 ? "fragment held for reassembly"
			     : why ? why : "fragment discarded by reassembly";
		}
	} else {
		engine_track(eng, pkt, &v);
	}
	engine_emit_verdict(eng, &v);
	engine_reap_dead(eng);
}

/* ------------------------------------------------------------------ */
/* lifecycle and queries */

struct ct_engine *ct_engine_create(const struct ct_settings *set)
{
	struct ct_engine *eng = calloc(1, sizeof(*eng));
	int i;

	if (!eng)
		return NULL;
	eng->set = *set;
	eng->explain_frame = CT_ENGINE_EXPLAIN_ALL;
	eng->exp_bound = INT64_MIN;
	if (eng->set.hz == 0)
		eng->set.hz = 250;
	ct_pool_init(&eng->pool);
	if (!ct_table_init(&eng->table, eng->set.buckets) ||
	    !ct_timers_init(&eng->timers, &eng->pool))
		goto out_free;
	eng->defrag = ct_defrag_create();
	if (!eng->defrag)
		goto out_free;
	eng->expects = ct_expect_table_create(eng->set.expect_max, eng->set.hz,
					      &eng->stats,
					      engine_emit_exp_event, eng);
	if (!eng->expects)
		goto out_free;
	for (i = 0; i < eng->set.nhelpers && i < CT_MAX_HELPERS; i++)
		eng->helper_ops[i] = ct_helper_find(eng->set.helpers[i].name);
	return eng;

out_free:
	ct_engine_destroy(eng);
	return NULL;
}

void ct_engine_destroy(struct ct_engine *eng)
{
	if (!eng)
		return;
	ct_defrag_destroy(eng->defrag);
	ct_expect_table_destroy(eng->expects);
	ct_nat_destroy(eng->nat);
	ct_pool_free_all(&eng->pool);
	ct_table_free(&eng->table);
	ct_timers_free(&eng->timers);
	free(eng->dead);
	free(eng->scratch);
	free(eng->list);
	free(eng->xlist);
	free(eng);
}

int ct_engine_add_sink(struct ct_engine *eng, const struct ct_sink *sink)
{
	if (eng->nsinks >= CT_MAX_SINKS)
		return CT_ERR_NOMEM;
	eng->sinks[eng->nsinks++] = *sink;
	return CT_OK;
}

int ct_engine_add_expect_sink(struct ct_engine *eng,
			      const struct ct_exp_sink *sink)
{
	if (eng->nexp_sinks >= CT_MAX_SINKS)
		return CT_ERR_NOMEM;
	eng->exp_sinks[eng->nexp_sinks++] = *sink;
	return CT_OK;
}

void ct_engine_set_explain(struct ct_engine *eng, uint64_t frame)
{
	eng->explain_frame = frame;
}

void ct_engine_set_counters(struct ct_engine *eng, bool keep)
{
	ct_pool_set_counters(&eng->pool, keep);
}
