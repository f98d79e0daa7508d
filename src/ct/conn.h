/* \summary: one tracked connection (struct nf_conn's counterpart) */
#ifndef CTREPLAY_CT_CONN_H
#define CTREPLAY_CT_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common.h"
#include "../settings.h"
#include "tuple.h"

/* Status bits: the values of the kernel's enum ip_conntrack_status. */
#define CT_IPS_EXPECTED    (1u << 0)
#define CT_IPS_SEEN_REPLY  (1u << 1)
#define CT_IPS_ASSURED     (1u << 2)
#define CT_IPS_CONFIRMED   (1u << 3)
#define CT_IPS_SRC_NAT     (1u << 4)
#define CT_IPS_DST_NAT     (1u << 5)
#define CT_IPS_NAT_MASK    (CT_IPS_SRC_NAT | CT_IPS_DST_NAT)
#define CT_IPS_SEQ_ADJUST  (1u << 6)
#define CT_IPS_SRC_NAT_DONE (1u << 7)
#define CT_IPS_DST_NAT_DONE (1u << 8)
#define CT_IPS_DYING       (1u << 9)
#define CT_IPS_HELPER      (1u << 13)

/* Event bits: the values of the kernel's enum ip_conntrack_events. */
#define CT_IPCT_NEW        (1u << 0)
#define CT_IPCT_RELATED    (1u << 1)
#define CT_IPCT_DESTROY    (1u << 2)
#define CT_IPCT_REPLY      (1u << 3)
#define CT_IPCT_ASSURED    (1u << 4)
#define CT_IPCT_PROTOINFO  (1u << 5)
#define CT_IPCT_HELPER     (1u << 6)
#define CT_IPCT_MARK       (1u << 7)

/* Per-direction TCP window data (struct ip_ct_tcp_state). */
#define CT_TCP_FLAG_WINDOW_SCALE        0x01
#define CT_TCP_FLAG_SACK_PERM           0x02
#define CT_TCP_FLAG_CLOSE_INIT          0x04
#define CT_TCP_FLAG_BE_LIBERAL          0x08
#define CT_TCP_FLAG_DATA_UNACKNOWLEDGED 0x10
#define CT_TCP_FLAG_MAXACK_SET          0x20
#define CT_TCP_FLAG_EXP_CHALLENGE_ACK   0x40
#define CT_TCP_FLAG_SIMULTANEOUS_OPEN   0x80

struct ct_tcp_dir {
	uint32_t td_end;       /* max of seq + len sent */
	uint32_t td_maxend;    /* max of ack + max(win, 1) seen from the peer */
	uint32_t td_maxwin;    /* max window advertised, >= 1 once seen */
	uint32_t td_maxack;    /* max ack sent */
	uint8_t td_scale;      /* window scale factor */
	uint8_t flags;         /* CT_TCP_FLAG_* */
};

struct ct_tcp {
	struct ct_tcp_dir seen[2];
	uint8_t state;         /* enum ct_tcp_state */
	uint8_t last_dir;
	uint8_t retrans;
	uint8_t last_index;
	uint32_t last_seq;
	uint32_t last_ack;
	uint32_t last_end;
	uint16_t last_win;
	uint8_t last_wscale;
	uint8_t last_flags;
};

struct ct_l4proto;
struct ct_expect;

/*
 * FTP helper state (struct nf_ct_ftp_master): per direction, up to two
 * sequence numbers that follow a segment ending in a newline.
 */
struct ct_ftp_help {
	uint32_t seq_aft_nl[2][2];
	uint8_t seq_aft_nl_num[2];
};

/*
 * What only entries with a helper or a master need (the kernel's
 * nf_conn_help and master pointer): attached by the engine, from a pool,
 * when the entry gets a helper, becomes expected or expects; NULL on
 * most entries.
 */
struct ct_conn_ext {
	const struct ct_helper_rule *helper;
	struct ct_conn *master;
	/* Pending expectations this entry is master of (nf_conn_help):
	 * newest first, linked by the expectation table. */
	struct ct_expect *expectations;
	uint32_t expecting;            /* how many are pending */
	uint32_t use;                  /* extra references (expected children) */
	union {
		struct ct_ftp_help ftp;
	} help;                        /* the helper's private data */
	/* sequence number adjustment per direction after a NAT helper
	 * changed a payload's length (struct nf_ct_seqadj) */
	struct {
		uint32_t correction_pos;
		int32_t offset_before;
		int32_t offset_after;
	} seqadj[2];
};

/*
 * One entry.  Hot fields first (the tuples a lookup compares, then what
 * every packet reads); the traffic counters come last because the engine
 * leaves them out of every entry when nothing reports them (no
 * accounting, no JSON: see ct_engine_set_counters()), as the kernel's
 * acct extension is only there when enabled.  Never read packets/bytes of
 * an entry without `counted`.
 */
struct ct_conn {
	struct ct_tuple tuple[2];      /* [CT_DIR_ORIGINAL], [CT_DIR_REPLY] */
	const struct ct_l4proto *l4;
	struct ct_conn_ext *ext;       /* helper, master, expectations or NULL */
	uint64_t id;                   /* frame that created it: unique, in
					* creation order, shard-independent */
	ct_time refreshed;             /* when timeout was last set */
	ct_time start;                 /* creation (confirmation) time */
	uint32_t timeout;              /* seconds last set by a refresh: dead
					* at refreshed + timeout (ct_conn_expires) */
	uint32_t tslot;                /* timer position, engine-private */
	uint32_t pool_index;           /* storage slot, engine-private */
	uint32_t mark;
	uint16_t status;               /* CT_IPS_* (all below bit 16) */
	uint8_t events;                /* cached CT_IPCT_* not yet delivered */
	bool acct;                     /* accounting extension at creation */
	bool tstamp;                   /* timestamp extension at creation */
	bool counted;                  /* packets/bytes below exist */
	union {
		struct ct_tcp tcp;
		struct {
			ct_time stream_ts; /* first packet + 2 s */
		} udp;
		struct {
			uint32_t timeout;
			uint32_t stream_timeout;
		} gre;
		struct {
			uint8_t state;         /* enum ct_sctp_state */
			uint8_t flags;         /* heartbeat vtag failed */
			uint8_t last_dir;      /* direction of that failure */
			uint8_t init[2];       /* INIT seen per direction */
			uint32_t vtag[2];      /* expected vtag per direction */
		} sctp;
	} proto;
	/* optional tail: only when `counted` (see above) */
	uint64_t packets[2];
	uint64_t bytes[2];
};

/* Size of an entry without its counters. */
#define CT_CONN_SIZE_UNCOUNTED offsetof(struct ct_conn, packets)

/* When the entry dies: refreshed + timeout. */
static inline ct_time ct_conn_expires(const struct ct_conn *ct)
{
	return ct->refreshed + (ct_time)ct->timeout * CT_NSEC_PER_SEC;
}

static inline const struct ct_helper_rule *ct_conn_helper(
	const struct ct_conn *ct)
{
	return ct->ext ? ct->ext->helper : NULL;
}

static inline struct ct_conn *ct_conn_master(const struct ct_conn *ct)
{
	return ct->ext ? ct->ext->master : NULL;
}

/*
 * nf_ct_seq_offset(): what NAT added to direction dir's sequence numbers
 * at seq (0 unless a NAT helper changed a payload's length).
 */
static inline int32_t ct_seqadj_offset(const struct ct_conn *ct, int dir,
				       uint32_t seq)
{
	if (!(ct->status & CT_IPS_SEQ_ADJUST) || !ct->ext)
		return 0;
	return (int32_t)(seq - ct->ext->seqadj[dir].correction_pos) > 0
		       ? ct->ext->seqadj[dir].offset_after
		       : ct->ext->seqadj[dir].offset_before;
}

/* Extra references: expected children alive. */
static inline uint32_t ct_conn_use(const struct ct_conn *ct)
{
	return ct->ext ? ct->ext->use : 0;
}

/*
 * Remaining lifetime in whole seconds as the kernel shows it at `now`:
 * it counts in jiffies of 1/hz seconds, so a read in the same jiffy as the
 * refresh shows the full timeout and any later one at least a jiffy less
 * (the /proc "431999").  Never negative.
 */
uint32_t ct_conn_remaining(const struct ct_conn *ct, ct_time now, uint32_t hz);

/* floor(t * hz / 1e9): the kernel's jiffies at capture time t (timer.c),
 * for every timeout shown. */
int64_t ct_jiffies(ct_time t, uint32_t hz);

#endif
