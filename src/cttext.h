/* \summary: conntrack's text read back: lines, events, table lines */
#ifndef CTREPLAY_CTTEXT_H
#define CTREPLAY_CTTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common.h"

/* Text written through a stdio stream into memory. */
struct membuf {
	char *buf;
	size_t len;
	FILE *f;
};

/* 0, or -1 when memory runs out. */
int membuf_open(struct membuf *m);
/* Close the stream; buf/len then hold the text (NUL-terminated).  0 or -1. */
int membuf_finish(struct membuf *m);
void membuf_free(struct membuf *m);

/* Lines pointing into a text (the array is the only allocation). */
struct lines {
	char **v;
	size_t n, cap;
};

/* Append one; 0, or -1 when memory runs out. */
int lines_push(struct lines *l, char *s);
/* Cut text into lines in place, trailing white space (and CR) removed. */
int split_lines(char *text, struct lines *l);
/* Whole file into a NUL-terminated buffer.  -1 with errno on failure. */
int slurp(const char *path, char **out);

enum line_type { LT_NONE = 0, LT_NEW, LT_UPDATE, LT_DESTROY };

/* One line of conntrack text: an event, a /proc or -L line, an expectation. */
struct ctline {
	const char *text;      /* as read, after any timestamp (for display) */
	char *masked;          /* text with the timeout replaced by "T" */
	char *key;             /* l4 protocol and original tuple, or "" */
	long timeout;          /* -1: the line has none */
	enum line_type type;
	bool has_ts;
	ct_time ts;
	size_t seq;            /* position in its file */
	unsigned life;         /* lifetime of its flow, from 0 */
};

void ctline_free(struct ctline *c, size_t n);

/*
 * Event lines of a conntrack -E log, sorted by flow then file order, with
 * lifetimes numbered.  *extended: the first event had the l3 columns (set
 * when it is -1).  0, or -1 when memory runs out.
 */
int parse_events(struct lines *ls, struct ctline **out, size_t *nout,
		 int *extended);

/* Every line of ls parsed, in order (exp_line: /proc's expectation
 * lines, timeout first).  0, or -1 when memory runs out. */
int parse_many(struct lines *ls, bool exp_line, struct ctline **out);

/* "tcp 10.77.1.2:40006 > 10.77.2.2:9001" from a key. */
void flow_name(const char *key, char *buf, size_t size);

#endif
