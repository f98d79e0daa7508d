/* \summary: IPv4/IPv6 reassembly as the kernel's defrag hooks do it before conntrack */
#ifndef CTREPLAY_DEFRAG_H
#define CTREPLAY_DEFRAG_H

#include <stddef.h>

#include "common.h"
#include "decode.h"

/*
 * Fragments are queued per (family, source, destination, id, and for IPv4
 * the protocol), exactly as nf_defrag_ipv4 (ip_defrag) and nf_defrag_ipv6
 * (nf_ct_frag6_gather) queue them at PREROUTING.  Conntrack never sees a
 * fragment, only the datagram they make up, stamped with the time of the
 * fragment that completed it.  Queues die ipfrag_time (IPv4, 30 s) or
 * nf_conntrack_frag6_timeout (IPv6, 60 s) after their first fragment,
 * measured on the capture clock.
 */
struct ct_defrag;

/* Returns NULL when memory runs out. */
struct ct_defrag *ct_defrag_create(void);
void ct_defrag_destroy(struct ct_defrag *d);

/*
 * Feed one decoded packet (expiring stale queues at in->ts first).
 *  1: *out is the packet conntrack sees.  For a completed datagram it is
 *     a CT_PKT_IP view of the reassembled bytes (IPv4 total length,
 *     fragment field and header checksum rewritten; IPv6 fragment header
 *     removed, next header and payload length fixed), with in's frame, ts,
 *     VLAN tags and NFLOG fields and is_fragment false; l3cap covers the
 *     captured prefix (a fragment cut by the snap length leaves a hole,
 *     which ends it).  Its pointers stay valid until the next call.  A packet that is
 *     not a fragment -- or an IPv6 fragment the kernel lets through
 *     untouched (a non-last fragment whose length is not a multiple of 8)
 *     -- comes back as a plain copy of *in.
 *  0: the fragment is held (or was a duplicate, which the kernel drops
 *     while keeping the queue); conntrack does not see this frame.
 * -1: the fragment was dropped and its datagram, where the kernel does
 *     so, discarded (overlap, inconsistent lengths, oversize, memory
 *     limit); ct_defrag_reason() says why.
 */
int ct_defrag_feed(struct ct_defrag *d, const struct ct_pkt *in,
		   struct ct_pkt *out);

/* Discard every queue whose deadline is <= now. */
void ct_defrag_expire(struct ct_defrag *d, ct_time now);

/* Why the last ct_defrag_feed() returned -1 or 0 (static string). */
const char *ct_defrag_reason(const struct ct_defrag *d);

/* Queues currently held (incomplete datagrams). */
size_t ct_defrag_pending(const struct ct_defrag *d);

#endif
