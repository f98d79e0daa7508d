/* \summary: what the conntrack core offers trackers and helpers (and nothing else) */
#ifndef CTREPLAY_CT_CORE_H
#define CTREPLAY_CT_CORE_H

/*
 * A tracker (proto_*.c) or a helper (helper_*.c) reaches the engine only
 * through these calls, as the kernel's trackers call nf_ct_refresh_acct(),
 * nf_conntrack_event_cache() and nf_ct_kill(): never through the
 * engine's state.  Helpers create expectations through the expectation
 * table the packet's context names (helper.h, ct_helper_expect_related()),
 * not through the engine.  The engine's own interface for readers of
 * captures and reporters is engine.h.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "l4proto.h"
#include "tuple.h"

struct ct_engine;

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
 * NAT helpers (nf_nat_ftp, nf_nat_tftp): whether ct's addresses are
 * translated, so that a helper rewrites what its payloads announce.
 * nf_nat_mangle_tcp_packet(): the packet leaves with `len` bytes of its
 * TCP payload from `off` replaced by the n bytes of buf; a change of
 * length moves the direction's later sequence numbers (seqadj).  False
 * when it cannot be done (the kernel drops the packet).
 */
bool ct_engine_nat_on(const struct ct_engine *eng, const struct ct_conn *ct);
bool ct_engine_nat_mangle_tcp(struct ct_engine *eng, struct ct_conn *ct,
			      struct ct_pctx *ctx, uint32_t off, uint32_t len,
			      const char *buf, size_t n);

#endif
