/* \summary: one tracked connection (struct nf_conn's counterpart) */
#ifndef CTREPLAY_CT_CONN_H
#define CTREPLAY_CT_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "../common.h"
#include "../settings.h"
#include "tuple.h"

/* Status bits: the values of the kernel's enum ip_conntrack_status. */
#define CT_IPS_EXPECTED    (1u << 0)
#define CT_IPS_SEEN_REPLY  (1u << 1)
#define CT_IPS_ASSURED     (1u << 2)
#define CT_IPS_CONFIRMED   (1u << 3)
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

/* Hash chain link; one per direction so both tuples find the entry. */
struct ct_hnode {
	struct ct_hnode *next;
};

struct ct_conn {
	/* the hash chain links first, next to the tuples they stand for, so
	 * walking a chain costs about one cache line per entry */
	struct ct_hnode hnode[2];      /* table linkage, engine-private */
	struct ct_tuple tuple[2];      /* [CT_DIR_ORIGINAL], [CT_DIR_REPLY] */
	const struct ct_l4proto *l4;
	uint64_t id;                   /* frame that created it: unique, in
					* creation order, shard-independent */
	uint64_t first_frame;          /* frame that created the entry */
	uint32_t status;               /* CT_IPS_* */
	uint32_t events;               /* cached CT_IPCT_* not yet delivered */
	uint32_t timeout;              /* seconds last set by a refresh */
	ct_time refreshed;             /* when timeout was last set */
	ct_time expires;               /* refreshed + timeout: dead when <= now */
	ct_time start;                 /* creation (confirmation) time */
	uint64_t packets[2];
	uint64_t bytes[2];
	uint32_t heap_index;           /* timer position, engine-private */
	ct_time timer_key;             /* timer's key, engine-private */
	uint32_t use;                  /* extra references (expected children) */
	uint32_t mark;
	const struct ct_helper_rule *helper;
	struct ct_conn *master;
	/* Pending expectations this entry is master of (nf_conn_help):
	 * newest first, linked by the expectation table. */
	struct ct_expect *expectations;
	uint32_t expecting;            /* how many are pending */
	union {
		struct ct_ftp_help ftp;
	} help;                        /* the helper's private data */
	bool acct;                     /* accounting extension at creation */
	bool tstamp;                   /* timestamp extension at creation */
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
};

/*
 * Remaining lifetime in whole seconds as the kernel shows it at `now`:
 * it counts in jiffies of 1/hz seconds, so a read in the same jiffy as the
 * refresh shows the full timeout and any later one at least a jiffy less
 * (the /proc "431999").  Never negative.
 */
uint32_t ct_conn_remaining(const struct ct_conn *ct, ct_time now, uint32_t hz);

static inline enum ct_dir ct_conn_dir_of(const struct ct_conn *ct,
					 const struct ct_hnode *n)
{
	return n == &ct->hnode[CT_DIR_ORIGINAL] ? CT_DIR_ORIGINAL
						: CT_DIR_REPLY;
}

#endif
