/* \summary: what the conntrack core offers trackers and helpers (and nothing else) */
#ifndef CTREPLAY_CT_CORE_H
#define CTREPLAY_CT_CORE_H

/*
 * A tracker (proto_*.c) or a helper (helper_*.c) reaches the engine only
 * through these calls, as the kernel's trackers call nf_ct_refresh_acct(),
 * nf_conntrack_event_cache(), nf_ct_kill() and nf_ct_expect_related():
 * never through the engine's state.  The engine's own interface for
 * readers of captures and reporters is engine.h.
 */

#include <stdbool.h>
#include <stdint.h>

#include "conn.h"
#include "l4proto.h"
#include "tuple.h"

struct ct_engine;
struct ct_expect;
struct ct_helper_ops;

/*
 * Services the engine offers trackers.  Refresh sets the timeout to
 * `seconds` from ctx->now and counts the packet (packets/bytes of the
 * packet's direction); it is what the kernel's nf_ct_refresh_acct() does.
 * set_status ORs bits in and caches the matching event (ASSURED ->
 * CT_IPCT_ASSURED).  cache_event adds event bits for the next delivery.
 * kill destroys the entry now (DESTROY event with remaining timeout).
 */
void ct_engine_refresh(struct ct_engine *eng, struct ct_conn *ct,
		       struct ct_pctx *ctx, uint32_t seconds);
void ct_engine_set_status(struct ct_engine *eng, struct ct_conn *ct,
			  uint32_t bits);
void ct_engine_cache_event(struct ct_engine *eng, struct ct_conn *ct,
			   uint32_t bits);
void ct_engine_account(struct ct_engine *eng, struct ct_conn *ct,
		       struct ct_pctx *ctx);
void ct_engine_kill(struct ct_engine *eng, struct ct_conn *ct,
		    struct ct_pctx *ctx);

/*
 * The confirmed entry holding tuple t, and t's direction in it, or NULL
 * (nf_conntrack_find_get()): for error messages, which name the entry
 * they are about.  Counts nothing.
 */
struct ct_conn *ct_engine_find(struct ct_engine *eng, const struct ct_tuple *t,
			       enum ct_dir *dir);

/*
 * Engine service for helpers (nf_ct_expect_related): insert `exp`, built
 * with ct_expect_init() for master ct, under the policy of `ops`, at the
 * time and frame of ctx.  Returns CT_EXPECT_OK or a ct_expect_err.
 */
int ct_engine_expect_related(struct ct_engine *eng,
			     const struct ct_helper_ops *ops,
			     const struct ct_expect *exp,
			     const struct ct_pctx *ctx);

#endif
