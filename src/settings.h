/* \summary: engine settings: the kernel's sysctls, helpers and version profile */
#ifndef CTREPLAY_SETTINGS_H
#define CTREPLAY_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common.h"

/* TCP timeout slots, in the kernel's order (nf_conntrack_tcp.h). */
enum ct_tcp_state {
	CT_TCP_NONE = 0,
	CT_TCP_SYN_SENT,
	CT_TCP_SYN_RECV,
	CT_TCP_ESTABLISHED,
	CT_TCP_FIN_WAIT,
	CT_TCP_CLOSE_WAIT,
	CT_TCP_LAST_ACK,
	CT_TCP_TIME_WAIT,
	CT_TCP_CLOSE,
	CT_TCP_SYN_SENT2,
	CT_TCP_MAX,            /* sIV in the state table */
	CT_TCP_IGNORE,         /* sIG in the state table */
	CT_TCP_RETRANS,        /* timeout slot only */
	CT_TCP_UNACK,          /* timeout slot only */
	CT_TCP_TIMEOUT_MAX
};

/* SCTP timeout slots (enum sctp_conntrack order). */
enum ct_sctp_state {
	CT_SCTP_NONE = 0,
	CT_SCTP_CLOSED,
	CT_SCTP_COOKIE_WAIT,
	CT_SCTP_COOKIE_ECHOED,
	CT_SCTP_ESTABLISHED,
	CT_SCTP_SHUTDOWN_SENT,
	CT_SCTP_SHUTDOWN_RECD,
	CT_SCTP_SHUTDOWN_ACK_SENT,
	CT_SCTP_HEARTBEAT_SENT,
	CT_SCTP_TIMEOUT_MAX
};

/*
 * Kernel profiles: what differs between the kernels users run (see the
 * table in settings.c and tests/lab/README.md "Other kernels").  A version
 * between two profiles gets the older one.
 */
enum ct_kernel_profile {
	CT_KERNEL_6 = 0,       /* the newest, "current": Linux 6.18 (default) */
	CT_KERNEL_5_10,        /* Linux 5.10 LTS */
	CT_KERNEL_5_15,        /* Linux 5.15 LTS (5.10's rules, cited) */
	CT_KERNEL_6_1,         /* Linux 6.1 LTS */
	CT_KERNEL_6_12,        /* Linux 6.12 LTS */
	CT_KERNEL_NPROFILES
};
#define CT_KERNEL_CURRENT CT_KERNEL_6

/* One profile: the behaviours that differ, each set from that kernel's
 * source (the comments in settings.c cite the commits). */
struct ct_kernel_info {
	enum ct_kernel_profile id;
	const char *name;         /* "5.10", ..., "6.18" */
	unsigned major, minor;    /* the oldest version it stands for */
	bool tcp_5_10;            /* the 5.10/5.15 TCP window and RST rules */
	bool tcp_rst_5_14;        /* RST seq 0 answers a SYN; tcp_ignore_invalid_rst */
	bool tcp_rst_inexact_keeps_timeout; /* only a state-changing RST
				   * lowers the timeout to CLOSE's (6.12) */
	bool destroy_protoinfo;   /* DESTROY events carry the TCP state */
	bool destroy_timeout;     /* a killed entry's DESTROY carries its time left */
	bool dccp;                /* nf_conntrack_dccp_* sysctls exist */
	bool stats_chaintoolong;  /* conntrack -S shows chaintoolong= */
};

/* The profile's description (never NULL). */
const struct ct_kernel_info *ct_kernel_info(enum ct_kernel_profile k);

/* Where an entry's conntrack zone comes from (all tuples of a packet). */
enum ct_zone_from {
	CT_ZONE_FROM_NONE = 0, /* zone 0 for everything (the default) */
	CT_ZONE_FROM_VLAN,     /* the outermost 802.1Q VLAN id, 0 untagged */
};

#define CT_MAX_HELPERS 16

struct ct_helper_rule {
	char name[16];         /* "ftp", "tftp" */
	uint8_t l4num;         /* 6 or 17 */
	uint16_t port;         /* original-direction destination port */
};

/* All timeouts in seconds, as the sysctls hold them. */
struct ct_settings {
	uint32_t tcp_timeouts[CT_TCP_TIMEOUT_MAX];
	bool tcp_loose;
	bool tcp_be_liberal;
	bool tcp_ignore_invalid_rst;
	uint32_t tcp_max_retrans;
	uint32_t udp_timeout;
	uint32_t udp_timeout_stream;
	uint32_t icmp_timeout;
	uint32_t icmpv6_timeout;
	uint32_t generic_timeout;
	uint32_t gre_timeout;
	uint32_t gre_timeout_stream;
	uint32_t sctp_timeouts[CT_SCTP_TIMEOUT_MAX];
	uint32_t frag6_timeout;
	uint32_t frag6_high_thresh;
	uint32_t frag6_low_thresh;
	uint32_t log_invalid;
	uint32_t events;
	bool checksum;
	bool acct;
	bool timestamp;
	uint32_t max;          /* nf_conntrack_max, 0 = unlimited */
	uint32_t buckets;
	uint32_t expect_max;
	uint32_t hz;           /* jiffy rate used to round shown timeouts */
	bool forwarding;       /* the capture is a router's: packets whose TTL
				* runs out are dropped before nf_confirm() */
	enum ct_kernel_profile kernel;
	enum ct_zone_from zone_from;   /* --zone-from */
	struct ct_helper_rule helpers[CT_MAX_HELPERS];
	int nhelpers;
};

/* Linux 6.x defaults (those of this project's reference kernel). */
void ct_settings_init(struct ct_settings *s);

/*
 * Set one value.  key is a sysctl name with or without the
 * "net.netfilter." and "nf_conntrack_" prefixes
 * ("tcp_timeout_established", "net.netfilter.nf_conntrack_max").
 * Returns 0, or CT_ERR_PARSE with errbuf filled for an unknown key or a
 * value that is not a number.  Read-only keys (count, buckets) are
 * accepted and ignored where they cannot matter.
 */
int ct_settings_set(struct ct_settings *s, const char *key, const char *value,
		    char *errbuf);

/*
 * Read "net.netfilter.KEY = VALUE" lines as `sysctl -a` prints them.
 * Other lines are ignored; unknown netfilter keys produce one warning each
 * on `warn` (may be NULL).  Returns 0 or a ct_err with errbuf filled.
 */
int ct_settings_load_sysctl(struct ct_settings *s, const char *path,
			    FILE *warn, char *errbuf);

/* Parse "ftp:tcp/21" and append it.  Returns 0 or CT_ERR_PARSE. */
int ct_settings_add_helper(struct ct_settings *s, const char *spec,
			   char *errbuf);

/*
 * Parse "6.1", "5.10", "6.12.48+deb13-amd64" (uname -r), "current" or "6"
 * (the newest profile) into a profile, and set that kernel's defaults
 * (call it before loading sysctls).  Returns 0 or CT_ERR_PARSE.
 */
int ct_settings_set_kernel(struct ct_settings *s, const char *version,
			   char *errbuf);

#endif
