/* \summary: conntrack(8)-style selection of entries, events and verdicts */
#ifndef CTREPLAY_REPORT_SELECT_H
#define CTREPLAY_REPORT_SELECT_H

#include <stdbool.h>
#include <stdint.h>

#include "../common.h"
#include "../ct/conn.h"
#include "../ct/event.h"

/*
 * One filter object shared by every reporter.  The engine always sees
 * every frame; selection only decides what is printed:
 *  - events (-E, JSON transitions) and verdicts go through a wrapper sink
 *    (report_select_wrap) that drops what does not match;
 *  - table dumps (snapshots, -L, JSON survivors) ask report_select_conn()
 *    per entry.
 * Entry criteria follow conntrack(8): addresses and ports of the original
 * (-s, -d, --sport, --dport) or reply tuple, protocol, TCP state, status
 * bits, mark and zone; all given criteria must hold.  The time window
 * (--from, --to) applies to events and verdicts only.
 */
enum report_select_key {
	REPORT_SEL_PROTO = 0,  /* -p tcp | 6 */
	REPORT_SEL_SRC,        /* -s ADDR[/PREFIX], original source */
	REPORT_SEL_DST,        /* -d ADDR[/PREFIX], original destination */
	REPORT_SEL_REPLY_SRC,  /* --reply-src */
	REPORT_SEL_REPLY_DST,  /* --reply-dst */
	REPORT_SEL_SPORT,      /* --sport, original */
	REPORT_SEL_DPORT,      /* --dport, original */
	REPORT_SEL_REPLY_SPORT, /* --reply-port-src */
	REPORT_SEL_REPLY_DPORT, /* --reply-port-dst */
	REPORT_SEL_STATE,      /* --state ESTABLISHED[,TIME_WAIT...] */
	REPORT_SEL_STATUS,     /* --status ASSURED,SEEN_REPLY,... */
	REPORT_SEL_MARK,       /* --mark N[/MASK] */
	REPORT_SEL_ZONE,       /* --zone N */
	REPORT_SEL_FROM,       /* --from epoch[.frac] | +SECONDS */
	REPORT_SEL_TO,         /* --to epoch[.frac] | +SECONDS */
	REPORT_SEL_SRC_NAT,    /* --src-nat [ADDR]: source translated (to) */
	REPORT_SEL_DST_NAT,    /* --dst-nat [ADDR]: destination translated */
	REPORT_SEL_ANY_NAT,    /* --any-nat [ADDR]: either */
	REPORT_SEL_NKEYS
};

struct report_select;

/* An empty selection (everything matches).  NULL when out of memory. */
struct report_select *report_select_create(void);
void report_select_destroy(struct report_select *s);

/*
 * Add one criterion from its command-line text.  Returns 0, or
 * CT_ERR_PARSE with errbuf (CT_ERRBUF_SIZE) saying what was expected.
 * Giving the same key twice replaces it.
 */
int report_select_parse(struct report_select *s, enum report_select_key key,
			const char *text, char *errbuf);

/* Whether any criterion (entry or time) was given. */
bool report_select_active(const struct report_select *s);

/* Resolve +SECONDS times against the first frame's time; call once. */
void report_select_set_origin(struct report_select *s, ct_time first);

/* Entry criteria only (no time window).  NULL s matches everything. */
bool report_select_conn(const struct report_select *s,
			const struct ct_conn *ct);

/* Time window only. */
bool report_select_time(const struct report_select *s, ct_time t);

/* An event: its entry, at its time. */
bool report_select_event(const struct report_select *s,
			 const struct ct_event *ev);

/*
 * A frame's verdict: on its entry when it has one, else on the packet's
 * own tuple (as if it were an entry's original tuple, reply inverted;
 * state, status and mark criteria then never match).
 */
bool report_select_verdict(const struct report_select *s,
			   const struct ct_verdict *v);

/*
 * Put the selection in front of `sink` (in place): the sink then only
 * sees matching events and verdicts.  Does nothing when the selection is
 * empty.  Returns 0, or CT_ERR_NOMEM once CT_MAX_SINKS sinks are wrapped.
 */
int report_select_wrap(struct report_select *s, struct ct_sink *sink);

#endif
