/* \summary: the ops struct every L4 tracker fills in (nf_conntrack_l4proto) */
#ifndef CTREPLAY_CT_L4PROTO_H
#define CTREPLAY_CT_L4PROTO_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../decode.h"
#include "../settings.h"
#include "conn.h"
#include "event.h"
#include "tuple.h"

/* ctinfo values (enum ip_conntrack_info). */
enum ct_info {
	CT_INFO_ESTABLISHED = 0,
	CT_INFO_RELATED = 1,
	CT_INFO_NEW = 2,
	CT_INFO_ESTABLISHED_REPLY = 3,
	CT_INFO_RELATED_REPLY = 4,
	CT_INFO_UNTRACKED = 7,
};

/* What a tracker's error() says about an error message (ICMP). */
enum ct_l4_error {
	CT_L4_ERR_NONE = 0,    /* not an error message: track it as usual */
	CT_L4_ERR_INVALID,     /* INVALID, ctx->reason says why; ctx->related
				* names the entry when one was found */
	CT_L4_ERR_RELATED,     /* about ctx->related, in ctx->dir (ctinfo set) */
	CT_L4_ERR_UNTRACKED,   /* never tracked (ICMPv6 neighbour discovery) */
};

/* What a tracker's packet() says about the packet. */
enum ct_l4_verdict {
	CT_L4_ACCEPT = 0,      /* tracked (state may or may not have changed) */
	CT_L4_INVALID,         /* packet INVALID; entry kept as it is */
	CT_L4_REPEAT,          /* entry was killed (TCP reopen): look up again */
};

struct ct_engine;
struct ct_expect_table;

/* Everything a tracker needs to judge one packet. */
struct ct_pctx {
	const struct ct_pkt *pkt;
	const struct ct_settings *set;
	struct ct_engine *eng;
	struct ct_expect_table *expects;  /* where helpers add expectations */
	ct_time now;
	enum ct_dir dir;       /* direction of this packet in the entry */
	enum ct_info ctinfo;
	bool confirmed;        /* false while handling an entry's first packet */
	uint16_t zone;         /* the zone the packet's tuples live in */
	/* error(): the entry an error message is about, or NULL */
	struct ct_conn *related;
	/* INVALID reason: static text, or filled into reason_buf. */
	const char *reason;
	char reason_buf[160];
	/* Tracker notes for --explain (free text, may stay empty); only
	 * written when want_explain is set (ct_engine_set_explain()). */
	char explain[512];
	bool want_explain;
	/* Why ct_engine_kill() is called: the tracker sets it just before
	 * (CT_DC_REOPENED for a TCP reopen); CT_DC_NONE means CT_DC_KILLED. */
	enum ct_destroy_cause kill_cause;
};

struct ct_l4proto {
	uint8_t l4num;
	const char *name;      /* as /proc prints it: "tcp", "unknown" ... */

	/*
	 * Error messages, before the packet's own tuple is looked up
	 * (nf_conntrack_core.c, nf_conntrack_handle_icmp(): ICMP and ICMPv6
	 * only): the message's checks, then the entry it is about, found
	 * through ct_engine_find() (core.h).  Anything but CT_L4_ERR_NONE
	 * decides the packet.  May be NULL.
	 */
	enum ct_l4_error (*error)(struct ct_pctx *ctx);

	/*
	 * The tracker's own sanity checks (length, checksum, flags), which
	 * the kernel's packet handlers make first: tcp_error() at the top of
	 * nf_conntrack_tcp_packet(), udp_error() in nf_conntrack_udp_packet().
	 * So the engine calls it after the lookup, on the entry found or the
	 * new unconfirmed one, with ctx->dir, ctinfo and confirmed set, just
	 * before new() and packet().  Returns false with ctx->reason set for
	 * INVALID: the entry stays as it was, a new one is discarded.  May
	 * be NULL.
	 */
	bool (*check)(struct ct_pctx *ctx);

	/*
	 * Fill the L4 part of the tuple (ports, icmp type/code/id) from the
	 * packet.  Returns false with ctx->reason when the header is too short.
	 */
	bool (*pkt_to_tuple)(struct ct_pctx *ctx, struct ct_tuple *t);

	/*
	 * Write into `inv` the L4 part of the reply tuple for `orig` (addresses
	 * are already swapped by the caller).  Returns false when the tuple has
	 * no inverse (ICMP types without a reply type).
	 */
	bool (*invert)(struct ct_tuple *inv, const struct ct_tuple *orig);

	/*
	 * First packet of a not yet confirmed entry: initialise ct->proto.
	 * Returns false with ctx->reason when such a packet may not create an
	 * entry (TCP SYN/ACK, ICMP echo reply ...).  May be NULL.
	 */
	bool (*new)(struct ct_conn *ct, struct ct_pctx *ctx);

	/*
	 * Track the packet: update ct->proto, refresh the timeout through
	 * ct_engine_refresh(), set status bits through ct_engine_set_status().
	 */
	enum ct_l4_verdict (*packet)(struct ct_conn *ct, struct ct_pctx *ctx);

	/*
	 * Text the kernel prints after the timeout: the state name for TCP
	 * ("ESTABLISHED"), NULL for protocols without one.
	 */
	const char *(*state_name)(const struct ct_conn *ct);

	/*
	 * Text /proc prints where state_name would go when the tracker's
	 * print_conntrack() shows something other than a state (GRE:
	 * "timeout=30, stream_timeout=180"), without the trailing space.
	 * Events never carry it (ctnetlink has no such attribute).  NULL:
	 * /proc prints state_name.
	 */
	void (*proc_info)(const struct ct_conn *ct, char *buf, size_t len);
};

extern const struct ct_l4proto ct_l4proto_tcp;
extern const struct ct_l4proto ct_l4proto_udp;
extern const struct ct_l4proto ct_l4proto_icmp;
extern const struct ct_l4proto ct_l4proto_icmpv6;
extern const struct ct_l4proto ct_l4proto_generic;
extern const struct ct_l4proto ct_l4proto_sctp;
extern const struct ct_l4proto ct_l4proto_gre;
extern const struct ct_l4proto ct_l4proto_udplite;

/*
 * The port-based trackers' tuple work (the kernel's nf_ct_get_tuple_ports
 * and the port swap of its invert): source and destination port from the
 * first four bytes.  pkt_to_tuple fails with `short` as the reason when
 * the datagram has fewer than four L4 bytes and with `uncaptured` when
 * the snap length cut them off.
 */
bool ct_l4_ports_to_tuple(struct ct_pctx *ctx, struct ct_tuple *t,
			  const char *short_reason,
			  const char *uncaptured_reason);
bool ct_l4_ports_invert(struct ct_tuple *inv, const struct ct_tuple *orig);

/* Name of a TCP state (enum ct_tcp_state) as /proc prints it; "?" if none. */
const char *ct_tcp_state_text(unsigned state);

/* Name of an SCTP state (enum ct_sctp_state) as /proc prints it; "?" if none. */
const char *ct_sctp_state_text(unsigned state);

/*
 * Add a note for --explain to ctx->explain, after a "; " when there are
 * notes already: the tracker's and then the helper's notes of one frame
 * all show.  Does nothing unless ctx->want_explain; a note that does not
 * fit is cut.
 */
void ct_explain(struct ct_pctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ct_vexplain(struct ct_pctx *ctx, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Tracker for (l3num, l4num); generic when there is no specific one. */
const struct ct_l4proto *ct_l4proto_find(uint8_t l3num, uint8_t l4num);

/* A tuple's addresses and protocols from a packet; ports stay zero.
 * Inline: every frame's lookup and prefetch build one. */
static inline void ct_l4_tuple_from_pkt(struct ct_tuple *t,
					const struct ct_pkt *pkt)
{
	size_t alen = pkt->l3num == CT_L3_IPV6 ? 16 : 4;

	memset(t, 0, sizeof(*t));
	t->l3num = pkt->l3num;
	t->l4num = pkt->l4num;
	memcpy(t->src, pkt->src, alen);
	memcpy(t->dst, pkt->dst, alen);
}

/*
 * The tracker that inverts a tuple: ICMP numbers pick theirs by protocol
 * alone, whatever the family (nf_ct_invert_tuple() switches on the
 * protocol number).
 */
const struct ct_l4proto *ct_l4proto_of_tuple(const struct ct_tuple *t);

/* The reply tuple of `orig` (nf_ct_invert_tuple()); false when it has
 * none. */
bool ct_l4_invert(struct ct_tuple *inv, const struct ct_tuple *orig);

/* ICMP types that are error messages (quote a packet). */
bool ct_icmp_is_error_type(uint8_t type);

/* Whether a packet is an ICMP or ICMPv6 error message. */
bool ct_icmp_pkt_is_error(const struct ct_pkt *pkt);

#endif
