/* \summary: the tracking engine: capture clock, table, expiry, dispatch */
#ifndef CTREPLAY_CT_ENGINE_H
#define CTREPLAY_CT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common.h"
#include "../decode.h"
#include "../settings.h"
#include "conn.h"
#include "event.h"
#include "stats.h"

#define CT_MAX_SINKS 8

struct ct_engine;

/*
 * Create an engine with a copy of `set`.  Returns NULL when memory runs
 * out.  Sinks are added before the first packet.
 */
struct ct_engine *ct_engine_create(const struct ct_settings *set);
void ct_engine_destroy(struct ct_engine *eng);
int ct_engine_add_sink(struct ct_engine *eng, const struct ct_sink *sink);

/*
 * Move the clock to `now`: destroy (DESTROY events, in deadline order,
 * each stamped with its deadline) every entry whose deadline is <= now.
 * The clock never goes back; an earlier `now` is ignored.
 */
void ct_engine_advance(struct ct_engine *eng, ct_time now);

/*
 * Process one decoded frame at pkt->ts (advancing the clock first):
 * emits the frame's events then its verdict to every sink.
 */
void ct_engine_packet(struct ct_engine *eng, const struct ct_pkt *pkt);

/*
 * Which frames get tracker notes (struct ct_verdict.explain, what
 * --explain prints): every frame (CT_ENGINE_EXPLAIN_ALL, the default),
 * the one frame numbered `frame`, or none (0).  The notes cost formatting
 * on every packet, so a run without --explain turns them off.
 */
#define CT_ENGINE_EXPLAIN_ALL UINT64_MAX
void ct_engine_set_explain(struct ct_engine *eng, uint64_t frame);

/*
 * Whether entries keep their packet and byte counters (struct ct_conn's
 * optional tail, ->counted).  On by default; a run that reports no
 * counters (no accounting, no JSON) turns it off before the first packet
 * and saves their memory.  Ignored once an entry was created.
 */
void ct_engine_set_counters(struct ct_engine *eng, bool keep);

/*
 * Which of `nshards` shards a frame belongs to (--shard): a hash of the
 * unordered pair of its IP addresses, so both directions of a flow, the
 * data connections of an FTP/TFTP master (same hosts) and IP fragments
 * (outer header, before reassembly) stay together; an ICMP/ICMPv6 error
 * goes by the addresses of the packet it quotes, so it lands with the
 * entry it is RELATED to.  Frames conntrack never sees go to shard 0.
 * Entries of one shard never interact with another's, except through the
 * table-wide limits (nf_conntrack_max, expect_max), which then hold per
 * shard.  Returns 0 when nshards <= 1.
 */
uint32_t ct_engine_shard_of(const struct ct_pkt *pkt, uint32_t nshards);

/*
 * -j: make `view` (an engine that gets no packets) report the union of
 * the `n` engines in `peers`, which run with the same settings and clock
 * on disjoint flows: ct_engine_now(), ct_engine_count(), ct_engine_list()
 * and ct_engine_expect_list() of the view then cover them all, in the
 * order one engine would have.  The peers must not change while the view
 * is read.  `peers` must outlive the view.
 */
void ct_engine_set_peers(struct ct_engine *view,
			 struct ct_engine *const *peers, size_t n);

/*
 * Warm the cache for a TCP or UDP frame that ct_engine_packet() will get
 * soon (a batch of frames is known in advance with -j): with hash 0,
 * prefetch the table slots of the frame's tuple and return its hash (0
 * when the frame has no such tuple); later, given that hash, prefetch the
 * entry the slot names.  Changes nothing: output is the same without.
 */
uint32_t ct_engine_prefetch(const struct ct_engine *eng,
			    const struct ct_pkt *pkt, uint32_t hash);

/*
 * What of a frame's tracking depends only on the frame and the settings,
 * done ahead, on a thread that has just read the frame: its L4 checksum
 * verdict, noted in pkt when the settings verify checksums, and the hash
 * ct_engine_prefetch(eng, pkt, 0) would return (with no prefetch).  Reads
 * nothing but settings fixed at creation, so it may run while another
 * thread tracks other frames on eng.
 */
uint32_t ct_engine_prepare(const struct ct_engine *eng, struct ct_pkt *pkt);

/* Prefetch the table slot of a hash from ct_engine_prepare(). */
void ct_engine_prefetch_slot(const struct ct_engine *eng, uint32_t hash);

/*
 * ct_engine_packet() for a frame whose ct_engine_prefetch(eng, pkt, 0)
 * returned `hash` (0: not asked), so that the lookup need not compute the
 * hash again.  The output is ct_engine_packet()'s.
 */
void ct_engine_packet_hashed(struct ct_engine *eng, const struct ct_pkt *pkt,
			     uint32_t hash);

/*
 * --firewall: run the rule chains of `fw` at the hooks a packet crosses,
 * around conntrack's own steps (hook.h), before the first packet.  Every
 * verdict then carries the firewall's decision.
 */
void ct_engine_set_firewall(struct ct_engine *eng,
			    const struct ct_firewall *fw);

/*
 * Where the frames after the current one can be looked at (NAT learns a
 * port the kernel picked at random from the translated copy the capture
 * holds); fn(ctx, k) gives the k-th next frame or NULL.
 */
typedef const struct ct_pkt *(*ct_peek_fn)(void *ctx, unsigned k);
void ct_engine_set_peek(struct ct_engine *eng, ct_peek_fn fn, void *ctx);

/* Current clock. */
ct_time ct_engine_now(const struct ct_engine *eng);

/* Number of live entries. */
size_t ct_engine_count(const struct ct_engine *eng);

/*
 * Live entries sorted by id (creation order) into a buffer the engine
 * owns; valid until the next engine call.  *n receives the count.
 */
const struct ct_conn *const *ct_engine_list(struct ct_engine *eng, size_t *n);

const struct ct_settings *ct_engine_settings(const struct ct_engine *eng);

/*
 * Expectation reporters (conntrack -E expect): called for every NEW and
 * DESTROY of an expectation, in order with the other events.
 */
int ct_engine_add_expect_sink(struct ct_engine *eng,
			      const struct ct_exp_sink *sink);

/* The expectation table, for listing (see expect.h). */
struct ct_expect_table;
const struct ct_expect_table *ct_engine_expectations(
	const struct ct_engine *eng);
const struct ct_stats *ct_engine_stats(const struct ct_engine *eng);

/*
 * Live expectations in deadline order (ties: creation time) into a buffer
 * the engine owns, valid until the next engine call; of every peer for a
 * view (ct_engine_set_peers).  *n receives the count.
 */
const struct ct_expect *const *ct_engine_expect_list(struct ct_engine *eng,
						    size_t *n);

#endif
