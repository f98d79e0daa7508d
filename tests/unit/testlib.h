/* \summary: shared helpers of the unit tests: byte writers, checksums, packet builders, a recording sink */
#ifndef CTREPLAY_TESTLIB_H
#define CTREPLAY_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "ct/engine.h"
#include "ct/event.h"
#include "ct/tuple.h"
#include "decode.h"
#include "settings.h"

/* ------------------------------------------------------------------ */
/* bytes */

/* Big-endian writers and reader. */
void tl_put16(uint8_t *p, uint16_t v);
void tl_put32(uint8_t *p, uint32_t v);
uint16_t tl_get16(const uint8_t *p);

/* ------------------------------------------------------------------ */
/* RFC 1071 internet checksum, on purpose not src/ct/csum.c: a test that
 * built its packets with the code under test could not catch a bug in it */

/* Add len bytes (big-endian 16-bit words, an odd last byte padded with
 * zero) to a running, unfolded sum. */
uint32_t tl_csum_add(uint32_t acc, const uint8_t *p, size_t len);

/* Fold a running sum to 16 bits and complement it: the field's value. */
uint16_t tl_csum_fold(uint32_t acc);

/* Running sum of the IPv4 (RFC 768) or IPv6 (RFC 8200 8.1) pseudo-header
 * of l4len bytes of protocol proto between src and dst. */
uint32_t tl_csum_pseudo(uint8_t l3num, const uint8_t *src, const uint8_t *dst,
			uint8_t proto, uint32_t l4len);

/* The checksum field over len bytes alone (an IPv4 header: zero its
 * field first). */
uint16_t tl_csum(const uint8_t *p, size_t len);

/* ------------------------------------------------------------------ */
/* packets */

#define TL_IPV4_HLEN 20
#define TL_IPV6_HLEN 40
#define TL_NO_CSUM (-1)

/* The transport part of a packet to build. */
struct tl_l4 {
	uint8_t proto;         /* IP protocol / IPv6 next header */
	const uint8_t *bytes;  /* len bytes; may already sit at buf + header */
	uint32_t len;
	int csum_off;          /* offset of the 16-bit checksum field to fill
				* (with the pseudo-header, except ICMP over
				* IPv4), or TL_NO_CSUM to leave the bytes alone */
};

/*
 * Lay out in buf a 20-byte IPv4 header (TTL 64, no options or flags,
 * identification id, valid header checksum) followed by the L4 bytes, and
 * fill the L4 checksum as l4->csum_off says.  A zero L4 checksum is left
 * as zero (for UDP that reads as "no checksum").  Returns the packet's
 * length, or 0 when it does not fit in cap bytes.
 */
uint32_t tl_build_ipv4(uint8_t *buf, uint32_t cap, const uint8_t *src,
		       const uint8_t *dst, uint16_t id, const struct tl_l4 *l4);

/* Same with a 40-byte IPv6 header (hop limit 64, no extension header). */
uint32_t tl_build_ipv6(uint8_t *buf, uint32_t cap, const uint8_t *src,
		       const uint8_t *dst, const struct tl_l4 *l4);

/*
 * Decode the len bytes of a bare IP packet (raw link type) into pkt, whose
 * pointers then point into bytes, with frame and ts as given.  Returns
 * whether the decoder saw an IP packet conntrack gets (CT_PKT_IP).
 */
bool tl_pkt_from_bytes(struct ct_pkt *pkt, const uint8_t *bytes, uint32_t len,
		       uint64_t frame, ct_time ts);

/* ------------------------------------------------------------------ */
/* an engine with a recording sink */

#define TL_MAX_REC 64

/* One conntrack event, with what its entry looked like at that moment
 * (the entry pointer itself is not valid after the callback). */
struct tl_event {
	enum ct_ev_type type;
	uint32_t bits;
	ct_time ts;
	uint64_t frame;
	bool has_timeout;
	uint32_t timeout;
	bool has_protoinfo;
	enum ct_destroy_cause cause;
	uint64_t id;
	uint32_t status;
	uint8_t tcp_state;
	uint8_t sctp_state;
	struct ct_tuple orig;
};

/* One frame's verdict. */
struct tl_verdict {
	uint64_t frame;
	enum ct_ctstate state;
	enum ct_dir dir;
	uint64_t id;                   /* of the entry, 0 when none */
	const struct ct_conn *ct;      /* the entry or NULL; dies with it */
	enum ct_action action;         /* the firewall's, or a helper's drop */
	enum ct_hook hook;
	const char *helper_drop;       /* static: the helper's name */
	char reason[160];
	char explain[512];
};

/*
 * An engine and what its sink recorded, in order.  Records past
 * TL_MAX_REC are dropped, unless strict is set: then each record is a
 * fatal CUnit assertion that it fits.  frame and now are for the caller's
 * packets (tl_rec_feed numbers and stamps with them).
 */
struct tl_rec {
	struct ct_settings set;
	struct ct_engine *eng;
	struct tl_event ev[TL_MAX_REC];
	int nev;
	struct tl_verdict v[TL_MAX_REC];
	int nv;
	bool strict;
	uint64_t frame;        /* number of the last frame fed */
	ct_time now;           /* timestamp of the next frame */
};

/*
 * Zero r and start an engine with settings set, recording into r.
 * Returns 0; -1 when the engine could not be created (r->eng NULL); -2
 * when the sink could not be added.
 */
int tl_rec_start_with(struct tl_rec *r, const struct ct_settings *set);

/* Same with the default settings changed by tweak (may be NULL). */
int tl_rec_start(struct tl_rec *r, void (*tweak)(struct ct_settings *set));

/* Destroy the engine (its remaining entries are not reported). */
void tl_rec_stop(struct tl_rec *r);

/*
 * Decode a bare IP packet as frame ++r->frame at r->now and hand it to
 * the engine.  A packet that does not decode as IP fails the test (the
 * builders never make one on purpose).
 */
void tl_rec_feed(struct tl_rec *r, const uint8_t *bytes, uint32_t len);

#endif
