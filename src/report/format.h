/* \summary: text building blocks shared by the reporters (not a public API) */
#ifndef CTREPLAY_REPORT_FORMAT_H
#define CTREPLAY_REPORT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../common.h"
#include "../ct/conn.h"
#include "../ct/event.h"
#include "../ct/tuple.h"
#include "report.h"

/*
 * One output line under construction.  Every field the kernel and
 * conntrack-tools print is followed by exactly one space, so lines are
 * built field by field and the final space trimmed (or kept) at the end,
 * as libnetfilter_conntrack does.  No line we print comes near the size;
 * a longer one is cut, never overrun.
 */
#define REPORT_LINE_MAX 1024

struct report_line {
	size_t len;
	char buf[REPORT_LINE_MAX];
};

void report_line_init(struct report_line *l);

/* Append printf-style text; output beyond the buffer is dropped. */
void report_line_add(struct report_line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Fast appends for the hot formatters (no printf parsing): a string, n
 * bytes of s, a decimal number, and a string padded with spaces to
 * `width` columns on the right (printf's %-Ns) or, with left_pad, on the
 * left (%Ns).  Same truncation rule as report_line_add().
 */
void report_line_str(struct report_line *l, const char *s);
void report_line_mem(struct report_line *l, const char *s, size_t n);
/* report_line_mem() of a string literal, its length known (no strlen) */
#define REPORT_LINE_LIT(l, s) report_line_mem(l, "" s, sizeof(s) - 1)
void report_line_u64(struct report_line *l, uint64_t v);
void report_line_pad(struct report_line *l, const char *s, size_t width,
		     bool left_pad);

/*
 * conntrack(8)'s "[%-.8ld.%-.6ld]\t" for capture time t: at least 8
 * digits of seconds (rounded down), microseconds cut, not rounded.
 */
void report_line_stamp(struct report_line *l, ct_time t);

/* Drop one trailing space, if any (libnetfilter_conntrack's "size--"). */
void report_line_trim(struct report_line *l);

/* Write the line and a newline to out in one call. */
void report_line_put(const struct report_line *l, FILE *out);

/*
 * Capture time as "sec.nnnnnnnnn" (nine digits, exact).  Seconds are the
 * floor, so the fraction is never negative.  buf needs 32 bytes.
 */
#define REPORT_TIME_MAX 32
void report_time_ns(char *buf, size_t len, ct_time t);

/* Whole seconds of t, rounded down (also for times before the epoch). */
int64_t report_time_sec(ct_time t);

/* Layer 3 name as both /proc and conntrack-tools print it. */
const char *report_l3_name(uint8_t l3num);

/*
 * Layer 4 name as conntrack-tools prints it: chosen by protocol number
 * from libnetfilter_conntrack's table, "unknown" for anything else.
 * (/proc prints the tracker's own name, ct->l4->name, instead.)
 */
const char *report_l4_name(uint8_t l4num);

/* How the L4 part of a tuple is printed. */
enum report_l4_kind {
	REPORT_L4_NONE = 0,    /* addresses only */
	REPORT_L4_PORTS,       /* sport= dport= */
	REPORT_L4_ICMP,        /* type= code= id= */
	REPORT_L4_KEYS,        /* srckey=0x dstkey=0x (GRE) */
};

/* conntrack-tools decides by protocol number ... */
enum report_l4_kind report_l4_kind_by_proto(uint8_t l4num);
/* ... the kernel's /proc by the tracker that owns the entry. */
enum report_l4_kind report_l4_kind_by_tracker(const struct ct_conn *ct);

/*
 * Append "src=A dst=B " and the L4 fields of kind, each followed by one
 * space.  expanded selects the /proc IPv6 form (8 full groups) over the
 * compressed one conntrack-tools prints.
 */
void report_fmt_tuple(struct report_line *l, const struct ct_tuple *t,
		      enum report_l4_kind kind, bool expanded);

/* Current TCP (or other) state name of ct, or NULL when it has none. */
const char *report_state_name(const struct ct_conn *ct);

/*
 * Which attributes a ctnetlink message carries: conntrack-tools prints a
 * field exactly when its attribute is present, so the event and list
 * reporters describe the message and one formatter prints it.
 */
struct report_ctnl_attrs {
	bool has_timeout;
	uint32_t timeout;          /* remaining seconds */
	bool has_protoinfo;        /* TCP state */
	bool has_counters;         /* packets= bytes= after each tuple */
	bool has_mark;
	bool has_delta;            /* timestamp extension: delta-time= */
	uint64_t delta;
	bool has_helper;
	bool has_use;
	uint32_t use;
};

/*
 * Append the conntrack-tools text of ct (libnetfilter_conntrack's default
 * format, after the "[NEW] " header): with REPORT_O_EXTENDED the layer 3
 * columns, with REPORT_O_ID "id=N".  The last space is trimmed.
 */
void report_fmt_ctnl(struct report_line *l, const struct ct_conn *ct,
		     const struct report_ctnl_attrs *a, unsigned oflags);

/* What a ct_event carries, as the 6.x kernel's ctnetlink builds it. */
void report_event_attrs(const struct ct_event *ev,
			struct report_ctnl_attrs *a);

/* What a conntrack -L dump carries for ct at time now. */
void report_list_attrs(const struct ct_conn *ct, ct_time now, uint32_t hz,
		       struct report_ctnl_attrs *a);

/*
 * A whole conntrack -E line (no newline): optional "[sec.usec]\t", the
 * header right-aligned in 9 columns, then report_fmt_ctnl().
 */
void report_fmt_event(struct report_line *l, const struct ct_event *ev,
		      unsigned oflags);

/*
 * A /proc/net/nf_conntrack line (no newline) for ct read at `now`: the
 * kernel's ct_seq_show(), IPv6 fully expanded, ending in "use=N".
 */
void report_fmt_proc(struct report_line *l, const struct ct_conn *ct,
		     ct_time now, uint32_t hz);

/* A --verdicts line (no newline); see verdicts.c for the format. */
void report_fmt_verdict(struct report_line *l, const struct ct_verdict *v);

/* The conntrack -S line (no newline; keeps the tool's trailing space). */
void report_fmt_stats(struct report_line *l, const struct ct_stats *st);
/* the same as the given kernel prints it (chaintoolong since 5.15) */
void report_fmt_stats_kernel(struct report_line *l, const struct ct_stats *st,
			     bool chaintoolong);

/* A UTC calendar date (no time zone, no locale: outputs stay fixed). */
struct report_utc {
	int year, month, day;  /* month 1..12, day 1..31 */
	int hour, min, sec;
	int wday;              /* 0 = Sunday */
};
void report_utc_split(int64_t sec, struct report_utc *u);

/*
 * One <flow> element and a newline, as libnetfilter_conntrack's XML
 * output prints it: for an event (ev non-NULL, type attribute, and with
 * REPORT_O_TIMESTAMP a <when> of the event's capture time in UTC) or for
 * a dump entry read at `now`.  Opens the <conntrack> document first if
 * this is the first flow (see report_xml_finish()).
 */
void report_xml_flow(FILE *out, const struct ct_conn *ct,
		     const struct report_ctnl_attrs *a,
		     const struct ct_event *ev, ct_time now, unsigned oflags);

#endif
