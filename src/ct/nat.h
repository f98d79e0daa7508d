/* \summary: NAT as nf_nat_core.c does it: bindings, tuple choice, and the packet as the later hooks see it */
#ifndef CTREPLAY_CT_NAT_H
#define CTREPLAY_CT_NAT_H

#include <stdbool.h>
#include <stdint.h>

#include "../decode.h"
#include "conn.h"
#include "hook.h"

struct ct_engine;
struct ct_nat;

/*
 * Where the upcoming frames of the capture can be looked at (the replay
 * driver's read-ahead): the k-th frame after the current one, or NULL
 * when there is none (end of capture, or too far ahead).  NAT uses it to
 * learn the port the kernel picked at random from the translated copy an
 * `-i any` capture holds.
 */
#include "engine.h"
#include "l4proto.h"

struct ct_nat *ct_nat_create(void);
void ct_nat_destroy(struct ct_nat *nat);
void ct_nat_set_peek(struct ct_nat *nat, ct_peek_fn fn, void *ctx);

/*
 * nf_nat_setup_info(): give the unconfirmed entry ct its mapping of kind
 * m within range r (the reply tuple becomes the inverse of the
 * translated original).  pkt is the packet that set it up (its copy
 * leaving the firewall may tell a port chosen at random).  Returns false
 * when the packet is to be dropped (no room to remember the mapping).
 */
bool ct_nat_setup(struct ct_engine *eng, struct ct_conn *ct,
		  const struct ct_nat_range *r, enum ct_nat_manip m,
		  const struct ct_pkt *pkt);

/* nf_nat_alloc_null_binding(): the mapping that keeps the addresses
 * (only a clashing port moves). */
bool ct_nat_null_binding(struct ct_engine *eng, struct ct_conn *ct,
			 enum ct_nat_manip m, const struct ct_pkt *pkt);

static inline bool ct_nat_initialized(const struct ct_conn *ct,
				      enum ct_nat_manip m)
{
	return ct->status & (m == CT_NAT_MANIP_SRC ? CT_IPS_SRC_NAT_DONE
						   : CT_IPS_DST_NAT_DONE);
}

/* An entry leaves the table (or is discarded unconfirmed): forget its
 * source mapping (nf_nat_cleanup_conntrack()). */
void ct_nat_forget(struct ct_nat *nat, const struct ct_conn *ct);

/* Whether the mapping of ct's source was guessed (a port the kernel
 * picked at random, with no copy of the packet in the capture). */
bool ct_nat_inferred(const struct ct_nat *nat, const struct ct_conn *ct);

/*
 * nf_nat_packet(): the packet as it leaves the NAT step of a hook whose
 * manipulation is m, for a packet in direction dir of ct; pkt itself
 * when nothing changes.  The view returned is the NAT state's own
 * (valid until the next frame) and carries the translated addresses,
 * ports (ICMP ids) and checksums, as the kernel rewrites them.
 */
const struct ct_pkt *ct_nat_packet(struct ct_nat *nat,
				   const struct ct_pkt *pkt,
				   const struct ct_conn *ct, enum ct_dir dir,
				   enum ct_nat_manip m);

/*
 * nf_nat_icmp_reply_translation(): an ICMP error RELATED to ct (dir: the
 * direction it travels in), its quoted packet and its outer header
 * rewritten for manipulation m.
 */
const struct ct_pkt *ct_nat_icmp_error(struct ct_nat *nat,
				       const struct ct_pkt *pkt,
				       const struct ct_conn *ct,
				       enum ct_dir dir, enum ct_nat_manip m);

/*
 * A frame the host sent, captured after NAT rewrote it (tcpdump -Q out
 * sees POSTROUTING's result): when no entry answers to its tuple but one
 * translated connection does to the inverse, the packet as the host made
 * it (that connection's tuple of its direction); NULL otherwise.
 */
const struct ct_pkt *ct_nat_untranslate(struct ct_engine *eng,
					const struct ct_pkt *pkt);

/*
 * nf_nat_follow_master(): an expected connection of a translated master
 * (FTP data, TFTP) takes its translation: from where the master sends
 * to, to its expected end on the port the command named.
 */
void ct_nat_follow_master(struct ct_engine *eng, struct ct_conn *ct,
			  const struct ct_conn *master, enum ct_dir edir,
			  uint16_t saved_port, const struct ct_pkt *pkt);

/*
 * nf_ct_seq_adjust() at confirmation: a packet of an entry whose payload
 * lengths a NAT helper changed leaves with its sequence number, its
 * acknowledgement and its SACK blocks moved by the offsets.
 */
const struct ct_pkt *ct_nat_seq_adjust(struct ct_nat *nat,
				       const struct ct_pkt *pkt,
				       const struct ct_conn *ct, enum ct_dir dir);

/* The 32-bit hash the kernel's jhash2() gives for n words (lookup3). */
uint32_t ct_nat_jhash2(const uint32_t *k, uint32_t n, uint32_t initval);

#endif
