/* \summary: --expect DIR: replay, compare semantically with expected outputs; --update */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture.h"
#include "check.h"
#include "common.h"
#include "cttext.h"
#include "ct/engine.h"
#include "replay.h"
#include "report/report.h"

/*
 * The kernel is not deterministic everywhere, so the comparison follows
 * tests/golden/compare.py:
 *  - events are grouped per flow lifetime (l4 protocol and original tuple;
 *    a NEW, or the first line after a DESTROY, starts a lifetime) and
 *    compared in order within each lifetime.  Timestamps are ignored:
 *    conntrack stamps the time it read the message, and the kernel's GC
 *    reports expiries late, so the interleaving of flows is not stable.
 *    Timeouts are exact, except in a DESTROY of an entry killed by a packet
 *    (1 s: the jiffy phase is unknown).  An expiry DESTROY present on one
 *    side only is tolerated, with a note, when the recording could not
 *    have shown it (after the end of the capture, or not yet reported by
 *    the kernel when it already hid the entry).
 *  - snapshots are multisets of lines, timeouts within 1 s (jiffies);
 *    the kernel lists them in hash order.
 *  - verdicts are exact, frame by frame (ctreplay is the only source).
 *  - the list is a multiset, like a snapshot.
 */

#define CHECK_MAX_SHOWN 50     /* differences printed per section */
#define CHECK_PATH_MAX 4096

/* ------------------------------------------------------------------ */
/* snapshots */

struct snap {
	const char *timetext;  /* as in the header: epoch, +SECONDS or end */
	const char *label;     /* rest of the header, may be "" */
	struct replay_instant at;
	struct lines ct, exp;  /* expected lines */
	struct membuf out;     /* ctreplay's snapshot text */
	struct lines got_ct, got_exp;
};

/*
 * Split the blocks of a proc file ("# snapshot TIME [LABEL]", lines,
 * "# expect", lines) into snaps (appended to *v).  Headers are cut in
 * place.  Returns -1 on memory exhaustion, -2 on a bad TIME (*bad names it).
 */
static int parse_proc(struct lines *ls, struct snap **v, size_t *n,
		      bool into_got, const char **bad)
{
	struct snap *cur = NULL;
	bool in_exp = false;
	size_t i;

	for (i = 0; i < ls->n; i++) {
		char *line = ls->v[i];

		if (strncmp(line, "# snapshot", 10) == 0 &&
		    (line[10] == ' ' || line[10] == '\0')) {
			char *p = line + 10, *tt;
			struct snap *nv;

			if (into_got) {
				/* one snapshot per buffer: ours */
				cur = &(*v)[0];
				in_exp = false;
				continue;
			}
			nv = realloc(*v, (*n + 1) * sizeof(**v));
			if (nv == NULL)
				return -1;
			*v = nv;
			cur = &nv[(*n)++];
			memset(cur, 0, sizeof(*cur));
			while (*p == ' ')
				p++;
			tt = p;
			while (*p && *p != ' ')
				p++;
			if (*p)
				*p++ = '\0';
			while (*p == ' ')
				p++;
			cur->timetext = tt;
			cur->label = p;
			if (replay_parse_instant(tt, &cur->at) != 0) {
				*bad = tt;
				return -2;
			}
			in_exp = false;
		} else if (strncmp(line, "# expect", 8) == 0 && line[8] == '\0') {
			in_exp = true;
		} else if (line[0] == '#' || line[0] == '\0' || cur == NULL) {
			continue;
		} else if (lines_push(into_got ? (in_exp ? &cur->got_exp : &cur->got_ct)
					       : (in_exp ? &cur->exp : &cur->ct),
				      line) != 0) {
			return -1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* the report of differences */

struct check_report {
	bool failed;
	struct membuf notes;
};

static int cmp_masked_timeout(const void *a, const void *b)
{
	const struct ctline *x = a, *y = b;
	int c = strcmp(x->masked, y->masked);

	if (c)
		return c;
	return x->timeout < y->timeout ? -1 : x->timeout > y->timeout;
}

/*
 * Multiset comparison: lines equal except for the timeout, which may
 * differ by 1 s.  Prints "title:" then - missing, + extra, ~ timeout lines.
 * Returns the number of matched lines, or -1 when memory runs out.
 */
static long compare_multiset(struct lines *want, struct lines *got,
			     bool exp_line, const char *title,
			     struct check_report *rep, unsigned *shown)
{
	struct ctline *e = NULL, *g = NULL;
	size_t i = 0, j = 0;
	long matched = 0;
	bool titled = false;

	if (parse_many(want, exp_line, &e) != 0)
		return -1;
	if (parse_many(got, exp_line, &g) != 0) {
		ctline_free(e, want->n);
		return -1;
	}
	qsort(e, want->n, sizeof(*e), cmp_masked_timeout);
	qsort(g, got->n, sizeof(*g), cmp_masked_timeout);
	while (i < want->n || j < got->n) {
		int c;
		const char *mark = NULL;
		const struct ctline *show = NULL;

		if (i >= want->n)
			c = 1;
		else if (j >= got->n)
			c = -1;
		else
			c = strcmp(e[i].masked, g[j].masked);
		if (c == 0) {
			long d = e[i].timeout - g[j].timeout;

			if (d == 0 || (e[i].timeout >= 0 && g[j].timeout >= 0 &&
				       d >= -1 && d <= 1)) {
				matched++;
			} else {
				mark = "~";
				show = &e[i];
			}
			i++;
			j++;
		} else if (c < 0) {
			mark = "-";
			show = &e[i++];
		} else {
			mark = "+";
			show = &g[j++];
		}
		if (mark == NULL)
			continue;
		rep->failed = true;
		if (!titled) {
			printf("%s:\n", title);
			titled = true;
		}
		if (++*shown > CHECK_MAX_SHOWN)
			continue;
		if (mark[0] == '~')
			printf("  ~ timeout expected %ld, got %ld: %s\n",
			       show->timeout, g[j - 1].timeout, show->text);
		else if (mark[0] == '-')
			printf("  - expected: %s\n", show->text);
		else
			printf("  + got:      %s\n", show->text);
	}
	ctline_free(e, want->n);
	ctline_free(g, got->n);
	return matched;
}

/* ------------------------------------------------------------------ */
/* events */

struct flowres {
	size_t order;          /* first appearance: expected file, then ours */
	const struct ctline *e, *g;
	size_t en, gn;
	int how;               /* 0 equal, 1 tolerated (note), 2 differs */
	const char *note;
	ct_time late;          /* for the note: how long after the end */
};

static int cmp_order(const void *a, const void *b)
{
	const struct flowres *x = a, *y = b;

	return x->order < y->order ? -1 : x->order > y->order;
}

static bool step_equal(const struct ctline *k, const struct ctline *c)
{
	long d;

	if (strcmp(k->masked, c->masked) != 0)
		return false;
	if (k->timeout < 0 || c->timeout < 0)
		return k->timeout == c->timeout;
	d = k->timeout - c->timeout;
	if (k->type == LT_DESTROY)
		return d >= -1 && d <= 1;
	return d == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Compare one lifetime; see the comment at the top of the file. */
static void judge_lifetime(struct flowres *r, ct_time end_ts, char **alive,
			   size_t nalive)
{
	size_t n = r->en < r->gn ? r->en : r->gn, i;
	const struct ctline *d;

	r->how = 2;
	if (r->en == 0 || r->gn == 0)
		return;
	for (i = 0; i < n; i++)
		if (!step_equal(&r->e[i], &r->g[i]))
			return;
	if (r->en == r->gn) {
		r->how = 0;
		return;
	}
	if (r->en == r->gn + 1) {
		d = &r->e[r->en - 1];
		if (d->type != LT_DESTROY || d->timeout >= 0)
			return;
		if (!d->has_ts || end_ts < 0) {
			r->how = 1;
			r->note = "expected expiry DESTROY not reproduced (no timestamps to tell)";
		} else if (d->ts > end_ts) {
			r->how = 1;
			r->note = "expiry DESTROY after the end of the capture; ctreplay stops at the last frame";
			r->late = d->ts - end_ts;
		}
		return;
	}
	if (r->gn == r->en + 1) {
		const char *k;

		d = &r->g[r->gn - 1];
		k = d->key;
		if (d->type == LT_DESTROY && d->timeout < 0 &&
		    bsearch(&k, alive, nalive, sizeof(*alive), cmp_str) == NULL) {
			r->how = 1;
			r->note = "ctreplay's expiry DESTROY not in the expected events (reported late by the kernel's GC, gone from the last snapshot)";
		}
	}
}

struct evstats {
	size_t total, good, extra;
};

static int compare_events(struct lines *want_ls, const char *got_text,
			  ct_time end_ts, char **alive, size_t nalive,
			  struct check_report *rep, struct evstats *st)
{
	struct lines got_ls = { 0 };
	char *gcopy = strdup(got_text);
	struct ctline *e = NULL, *g = NULL;
	struct flowres *res = NULL;
	size_t en = 0, gn = 0, nres = 0, i = 0, j = 0, k, shown = 0;
	int ext = 0, rc = -1;

	memset(st, 0, sizeof(*st));
	if (gcopy == NULL || split_lines(gcopy, &got_ls) != 0)
		goto out;
	ext = -1;
	if (parse_events(want_ls, &e, &en, &ext) != 0)
		goto out;
	ext = -1;
	if (parse_events(&got_ls, &g, &gn, &ext) != 0)
		goto out;
	res = calloc(en + gn + 1, sizeof(*res));
	if (res == NULL)
		goto out;
	/* both sorted by (key, life): walk the runs together */
	while (i < en || j < gn) {
		struct flowres *r = &res[nres++];
		int c;

		if (i >= en)
			c = 1;
		else if (j >= gn)
			c = -1;
		else {
			c = strcmp(e[i].key, g[j].key);
			if (c == 0)
				c = e[i].life < g[j].life ? -1 : e[i].life > g[j].life;
		}
		if (c <= 0) {
			r->e = &e[i];
			r->order = e[i].seq;
			while (i < en && strcmp(e[i].key, r->e->key) == 0 &&
			       e[i].life == r->e->life) {
				r->en++;
				if (e[i].seq < r->order)
					r->order = e[i].seq;
				i++;
			}
		}
		if (c >= 0) {
			const struct ctline *first = &g[j];

			r->g = first;
			if (c > 0)
				r->order = en + first->seq;
			while (j < gn && strcmp(g[j].key, first->key) == 0 &&
			       g[j].life == first->life) {
				r->gn++;
				if (c > 0 && en + g[j].seq < r->order)
					r->order = en + g[j].seq;
				j++;
			}
		}
		judge_lifetime(r, end_ts, alive, nalive);
	}
	qsort(res, nres, sizeof(*res), cmp_order);
	for (k = 0; k < nres; k++) {
		struct flowres *r = &res[k];
		const struct ctline *any = r->en ? r->e : r->g;
		char name[600], life[32] = "";
		size_t s, n = r->en > r->gn ? r->en : r->gn;

		if (r->en)
			st->total++;
		else
			st->extra++;
		if (r->how < 2 && r->en)
			st->good++;
		if (r->how == 0)
			continue;
		flow_name(any->key, name, sizeof(name));
		if (any->life)
			snprintf(life, sizeof(life), " (lifetime %u)", any->life + 1);
		if (r->how == 1) {
			fprintf(rep->notes.f, "ctreplay: note: flow %s%s: %s", name,
				life, r->note);
			if (r->late)
				fprintf(rep->notes.f, " (%lld.%lld s later)",
					(long long)(r->late / CT_NSEC_PER_SEC),
					(long long)(r->late % CT_NSEC_PER_SEC / 100000000));
			fputc('\n', rep->notes.f);
			continue;
		}
		rep->failed = true;
		if (++shown > CHECK_MAX_SHOWN)
			continue;
		printf("events, flow %s%s:\n", name, life);
		for (s = 0; s < n; s++) {
			const char *a = s < r->en ? r->e[s].text : "(none)";
			const char *b = s < r->gn ? r->g[s].text : "(none)";

			if (s < r->en && s < r->gn && step_equal(&r->e[s], &r->g[s])) {
				printf("  =           %s\n", a);
			} else {
				printf("  - expected: %s\n", a);
				printf("  + got:      %s\n", b);
			}
		}
	}
	if (shown > CHECK_MAX_SHOWN)
		printf("events: %zu more flows differ\n", shown - CHECK_MAX_SHOWN);
	rc = 0;
out:
	if (e)
		ctline_free(e, en);
	if (g)
		ctline_free(g, gn);
	free(res);
	free(got_ls.v);
	free(gcopy);
	return rc;
}

/* ------------------------------------------------------------------ */
/* verdicts */

static unsigned long long frame_of(const char *line, bool *ok)
{
	char *end;
	unsigned long long f;

	errno = 0;
	f = strtoull(line, &end, 10);
	*ok = end != line && errno == 0 && (*end == ' ' || *end == '\0');
	return f;
}

static size_t compare_verdicts(struct lines *want, struct lines *got,
			       struct check_report *rep, size_t *total)
{
	size_t i = 0, j = 0, good = 0, shown = 0;

	*total = 0;
	while (i < want->n || j < got->n) {
		bool oki = false, okj = false;
		unsigned long long fi = 0, fj = 0;
		const char *a = NULL, *b = NULL;

		if (i < want->n) {
			fi = frame_of(want->v[i], &oki);
			if (!oki) {
				i++;
				continue;
			}
		}
		if (j < got->n) {
			fj = frame_of(got->v[j], &okj);
			if (!okj) {
				j++;
				continue;
			}
		}
		if (oki && (!okj || fi <= fj))
			a = want->v[i++];
		if (okj && (!oki || fj <= fi))
			b = got->v[j++];
		if (a)
			(*total)++;
		if (a && b && strcmp(a, b) == 0) {
			good++;
			continue;
		}
		rep->failed = true;
		if (++shown > CHECK_MAX_SHOWN)
			continue;
		printf("verdict, frame %llu:\n", a ? fi : fj);
		printf("  - expected: %s\n", a ? a : "(none)");
		printf("  + got:      %s\n", b ? b : "(none)");
	}
	if (shown > CHECK_MAX_SHOWN)
		printf("verdicts: %zu more frames differ\n", shown - CHECK_MAX_SHOWN);
	return good;
}

/* ------------------------------------------------------------------ */
/* the run */

static int take_snapshot(struct snap *s, struct ct_engine *eng, ct_time t)
{
	char label[512];
	/* "end" and "+SECONDS" become epochs: keep them as the label */
	const char *name = s->label[0] ? s->label
			   : (s->timetext[0] < '0' || s->timetext[0] > '9')
				   ? s->timetext : "";

	if (membuf_open(&s->out) != 0)
		return -1;
	snprintf(label, sizeof(label), "%lld.%09lld%s%s",
		 (long long)(t / CT_NSEC_PER_SEC),
		 (long long)(t % CT_NSEC_PER_SEC), name[0] ? " " : "", name);
	report_proc_snapshot(s->out.f, eng, label);
	return membuf_finish(&s->out);
}

static int path_in(char *buf, const char *dir, const char *name)
{
	int n = snprintf(buf, CHECK_PATH_MAX, "%s/%s", dir, name);

	return n > 0 && n < CHECK_PATH_MAX ? 0 : -1;
}

/* Replace DIR/NAME atomically with the n texts given. */
static int write_out(const char *dir, const char *name, const char *const *text,
		     const size_t *len, size_t n)
{
	char path[CHECK_PATH_MAX], tmp[CHECK_PATH_MAX];
	char tname[256];
	FILE *f;
	size_t i;
	int bad = 0;

	snprintf(tname, sizeof(tname), ".%s.tmp", name);
	if (path_in(path, dir, name) != 0 || path_in(tmp, dir, tname) != 0) {
		fprintf(stderr, "ctreplay: --update %s: path too long\n", dir);
		return -1;
	}
	f = fopen(tmp, "w");
	if (f == NULL) {
		fprintf(stderr, "ctreplay: --update %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++)
		if (len[i] && fwrite(text[i], 1, len[i], f) != len[i])
			bad = 1;
	if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
		fprintf(stderr, "ctreplay: --update %s: %s\n", path, strerror(errno));
		remove(tmp);
		return -1;
	}
	return 0;
}

/* Read DIR/NAME into *text and its lines.  1: absent, 0: read, -1: error. */
static int read_expected(const char *dir, const char *name, char **text,
			 struct lines *ls)
{
	char path[CHECK_PATH_MAX];

	*text = NULL;
	if (path_in(path, dir, name) != 0) {
		fprintf(stderr, "ctreplay: --expect %s: path too long\n", dir);
		return -1;
	}
	if (slurp(path, text) != 0) {
		if (errno == ENOENT)
			return 1;
		fprintf(stderr, "ctreplay: --expect %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (split_lines(*text, ls) != 0) {
		fprintf(stderr, "ctreplay: out of memory\n");
		return -1;
	}
	return 0;
}

static void list_drop_summary(struct lines *ls)
{
	size_t i, n = 0;

	for (i = 0; i < ls->n; i++)
		if (ls->v[i][0] != '\0' && ls->v[i][0] != '#' &&
		    strncmp(ls->v[i], "conntrack v", 11) != 0)
			ls->v[n++] = ls->v[i];
	ls->n = n;
}

/* Says so; the exit status of a run that ran out of memory. */
static int check_nomem(void)
{
	fprintf(stderr, "ctreplay: out of memory\n");
	return CT_EXIT_INPUT;
}

/* Everything one --expect run reads and makes. */
struct check {
	/* expected */
	char *ev_text, *proc_text, *vd_text, *ls_text;
	struct lines ev_ls, proc_ls, vd_ls, ls_ls;
	struct snap *snaps;            /* the instants, and what we got */
	size_t nsnaps;
	bool want_vd, want_ls;
	int ext;                       /* the events have l3 columns (-1: ?) */
	unsigned lflags;               /* -o flags of our -L */
	/* ctreplay's */
	struct membuf evb, vdb, lsb;
	ct_time end_ts;                /* the end of the recording; -1: none */
	bool damaged;
};

/* Read DIR's expected files.  -1 to go on, or an exit status (said). */
static int check_load(struct check *c, const struct check_opts *o)
{
	const char *bad = NULL;
	int r;

	/* the expected outputs (kept by --update for the snapshot instants) */
	if (o->update) {
		if (mkdir(o->dir, 0777) != 0 && errno != EEXIST) {
			fprintf(stderr, "ctreplay: --update %s: %s\n", o->dir,
				strerror(errno));
			return CT_EXIT_INPUT;
		}
	} else {
		r = read_expected(o->dir, "events", &c->ev_text, &c->ev_ls);
		if (r == 1)
			fprintf(stderr, "ctreplay: --expect %s: no events file (create the expectations with --update)\n",
				o->dir);
		if (r != 0)
			return CT_EXIT_INPUT;
	}
	r = read_expected(o->dir, "proc", &c->proc_text, &c->proc_ls);
	if (r < 0)
		return CT_EXIT_INPUT;
	if (r == 0) {
		r = parse_proc(&c->proc_ls, &c->snaps, &c->nsnaps, false, &bad);
		if (r == -2) {
			fprintf(stderr, "ctreplay: %s/proc: '# snapshot %s': expected epoch seconds[.fraction], +SECONDS or end\n",
				o->dir, bad);
			return CT_EXIT_INPUT;
		}
		if (r != 0)
			return check_nomem();
	}
	if (c->nsnaps == 0 && o->update) {
		c->snaps = calloc(1, sizeof(*c->snaps));
		if (c->snaps == NULL)
			return check_nomem();
		c->snaps[0].timetext = "end";
		c->snaps[0].label = "";
		c->snaps[0].at.at = REPLAY_AT_END;
		c->nsnaps = 1;
	}
	if (o->update) {
		c->want_vd = c->want_ls = true;
		return -1;
	}
	r = read_expected(o->dir, "verdicts", &c->vd_text, &c->vd_ls);
	if (r < 0)
		return CT_EXIT_INPUT;
	c->want_vd = r == 0;
	r = read_expected(o->dir, "list", &c->ls_text, &c->ls_ls);
	if (r < 0)
		return CT_EXIT_INPUT;
	c->want_ls = r == 0;
	if (c->want_ls) {
		list_drop_summary(&c->ls_ls);
		if (c->ls_ls.n && (strncmp(c->ls_ls.v[0], "ipv4 ", 5) == 0 ||
				   strncmp(c->ls_ls.v[0], "ipv6 ", 5) == 0))
			c->lflags |= REPORT_O_EXTENDED;
	}
	/* the expected log's layout decides ours: with or without l3 */
	{
		struct ctline *tmp = NULL;
		size_t nt = 0;

		if (parse_events(&c->ev_ls, &tmp, &nt, &c->ext) != 0)
			return check_nomem();
		ctline_free(tmp, nt);
	}
	return -1;
}

static int check_snapshot(void *ctx, size_t i, struct ct_engine *eng,
			  ct_time t)
{
	struct check *c = ctx;

	return take_snapshot(&c->snaps[i], eng, t);
}

/* The end of the recording (replay.h): the list; the snapshots after it
 * are still taken, but a recording holds none of its later events. */
static int check_end(void *ctx, struct ct_engine *eng, uint64_t frames)
{
	struct check *c = ctx;

	c->end_ts = frames ? ct_engine_now(eng) : -1;
	if (!c->want_ls)
		return 0;
	if (membuf_open(&c->lsb) != 0)
		return -1;
	report_list(c->lsb.f, NULL, eng, c->lflags);
	return membuf_finish(&c->lsb);
}

/* Replay the capture, what ctreplay says into c.  -1 to go on, or an exit
 * status (said). */
static int check_replay(struct check *c, const struct check_opts *o,
			const struct ct_settings *set, char *const *files,
			int nfiles)
{
	struct replay_opts ro = { .until = o->until, .nsnaps = c->nsnaps,
				  .snapshot = check_snapshot,
				  .end = check_end, .ctx = c };
	struct replay_instant *at = calloc(c->nsnaps + 1, sizeof(*at));
	char errbuf[CT_ERRBUF_SIZE];
	struct capture *cap = NULL;
	struct ct_engine *eng = NULL;
	struct replay *rp = NULL;
	struct report_events *rev = NULL;
	struct report_verdicts *rvd = NULL;
	struct ct_sink s = { 0 };
	int err = 0, rc = CT_EXIT_INPUT, i;
	size_t k;

	if (at == NULL)
		return check_nomem();
	for (k = 0; k < c->nsnaps; k++)
		at[k] = c->snaps[k].at;
	ro.snaps = at;
	cap = capture_open(files, nfiles, o->filter, &err, errbuf);
	if (cap == NULL) {
		fprintf(stderr, "ctreplay: %s\n", errbuf);
		free(at);
		return err == CT_ERR_FILTER ? CT_EXIT_USAGE : CT_EXIT_INPUT;
	}
	eng = ct_engine_create(set);
	if (eng == NULL || membuf_open(&c->evb) != 0)
		goto nomem;
	ct_engine_set_explain(eng, 0);
	if (o->fw)
		ct_engine_set_firewall(eng, o->fw);
	rp = replay_create(&ro, eng);
	rev = report_events_create(c->evb.f,
				   REPORT_O_TIMESTAMP |
					   (c->ext == 0 ? 0 : REPORT_O_EXTENDED),
				   set->hz);
	if (rp == NULL || rev == NULL)
		goto nomem;
	report_events_sink(rev, &s);
	if (replay_add_sink(rp, &s) != 0)
		goto nomem;
	if (c->want_vd) {
		if (membuf_open(&c->vdb) != 0)
			goto nomem;
		rvd = report_verdicts_create(c->vdb.f);
		if (rvd == NULL)
			goto nomem;
		report_verdicts_sink(rvd, &s);
		if (replay_add_sink(rp, &s) != 0)
			goto nomem;
	}
	if (replay_run(rp, cap) != 0 || membuf_finish(&c->evb) != 0 ||
	    (c->want_vd && membuf_finish(&c->vdb) != 0))
		goto nomem;
	for (i = 0; i < capture_damaged(cap); i++)
		fprintf(stderr, "ctreplay: %s\n", capture_error(cap, i));
	c->damaged = capture_damaged(cap) != 0;
	rc = -1;
	goto out;
nomem:
	rc = check_nomem();
out:
	replay_destroy(rp);
	report_events_destroy(rev);
	report_verdicts_destroy(rvd);
	ct_engine_destroy(eng);
	capture_close(cap);
	free(at);
	return rc;
}

/* --update: DIR's files from this run.  An exit status (said). */
static int check_update(struct check *c, const struct check_opts *o)
{
	const char **pt = calloc(c->nsnaps, sizeof(*pt));
	size_t *pl = calloc(c->nsnaps, sizeof(*pl)), i;
	const char *t1[1];
	size_t l1[1];
	int bad;

	if (c->damaged) {
		fprintf(stderr, "ctreplay: --update %s: not written\n", o->dir);
		free(pt);
		free(pl);
		return CT_EXIT_INPUT;
	}
	if (pt == NULL || pl == NULL) {
		free(pt);
		free(pl);
		return check_nomem();
	}
	for (i = 0; i < c->nsnaps; i++) {
		pt[i] = c->snaps[i].out.buf;
		pl[i] = c->snaps[i].out.len;
	}
	t1[0] = c->evb.buf;
	l1[0] = c->evb.len;
	bad = write_out(o->dir, "events", t1, l1, 1);
	bad |= write_out(o->dir, "proc", pt, pl, c->nsnaps);
	t1[0] = c->vdb.buf;
	l1[0] = c->vdb.len;
	bad |= write_out(o->dir, "verdicts", t1, l1, 1);
	t1[0] = c->lsb.buf;
	l1[0] = c->lsb.len;
	bad |= write_out(o->dir, "list", t1, l1, 1);
	free(pt);
	free(pl);
	if (bad)
		return CT_EXIT_INPUT;
	fprintf(stderr, "ctreplay: %s updated: events, %zu snapshot%s, verdicts, list\n",
		o->dir, c->nsnaps, c->nsnaps == 1 ? "" : "s");
	return CT_EXIT_OK;
}

/* The sorted keys of the flows in the expected table at its last
 * snapshot (*out NULL when there is none).  0, or -1 out of memory. */
static int last_alive(const struct check *c, char ***out, size_t *n)
{
	struct lines *last;
	struct ctline *lv = NULL;
	size_t i;

	*out = NULL;
	*n = 0;
	if (c->nsnaps == 0)
		return 0;
	last = &c->snaps[c->nsnaps - 1].ct;
	if (parse_many(last, false, &lv) != 0)
		return -1;
	*out = calloc(last->n + 1, sizeof(**out));
	if (*out == NULL) {
		ctline_free(lv, last->n);
		return -1;
	}
	for (i = 0; i < last->n; i++) {
		(*out)[i] = lv[i].key;
		lv[i].key = NULL;
	}
	*n = last->n;
	ctline_free(lv, last->n);
	qsort(*out, *n, sizeof(**out), cmp_str);
	return 0;
}

/* Every snapshot against ours.  The lines that match, or -1 out of
 * memory; *total: the expected lines. */
static long compare_snapshots(struct check *c, struct check_report *rep,
			      long *total)
{
	unsigned shown = 0;
	long good = 0, m;
	size_t i;

	*total = 0;
	for (i = 0; i < c->nsnaps; i++) {
		struct snap *s = &c->snaps[i];
		struct lines got = { 0 };
		char title[600];
		const char *bad;

		if (split_lines(s->out.buf, &got) != 0 ||
		    parse_proc(&got, &s, &c->nsnaps, true, &bad) != 0) {
			free(got.v);
			return -1;
		}
		free(got.v);
		snprintf(title, sizeof(title), "snapshot %s%s%s", s->timetext,
			 s->label[0] ? " " : "", s->label);
		m = compare_multiset(&s->ct, &s->got_ct, false, title, rep, &shown);
		if (m < 0)
			return -1;
		good += m;
		snprintf(title, sizeof(title), "snapshot %s%s%s, expectations",
			 s->timetext, s->label[0] ? " " : "", s->label);
		m = compare_multiset(&s->exp, &s->got_exp, true, title, rep, &shown);
		if (m < 0)
			return -1;
		good += m;
		*total += (long)(s->ct.n + s->exp.n);
	}
	if (shown > CHECK_MAX_SHOWN)
		printf("snapshots: %u more lines differ\n", shown - CHECK_MAX_SHOWN);
	return good;
}

/* Compare and say how it went.  An exit status. */
static int check_compare(struct check *c, const struct check_opts *o)
{
	struct check_report rep = { 0 };
	struct lines got_vd = { 0 }, got_ls = { 0 };
	struct evstats es;
	char **alive = NULL;
	size_t nalive = 0, vd_good = 0, vd_total = 0, i;
	long snap_good = 0, snap_total = 0, ls_good = 0;
	unsigned shown = 0;
	int rc = -1, erc = -1;

	if (membuf_open(&rep.notes) != 0)
		return check_nomem();
	if (last_alive(c, &alive, &nalive) == 0)
		erc = compare_events(&c->ev_ls, c->evb.buf, c->end_ts, alive,
				     nalive, &rep, &es);
	for (i = 0; i < nalive; i++)
		free(alive[i]);
	free(alive);
	if (erc != 0)
		goto out;
	snap_good = compare_snapshots(c, &rep, &snap_total);
	if (snap_good < 0)
		goto out;
	if (c->want_vd) {
		if (split_lines(c->vdb.buf, &got_vd) != 0)
			goto out;
		vd_good = compare_verdicts(&c->vd_ls, &got_vd, &rep, &vd_total);
	}
	if (c->want_ls) {
		if (split_lines(c->lsb.buf, &got_ls) != 0)
			goto out;
		list_drop_summary(&got_ls);
		ls_good = compare_multiset(&c->ls_ls, &got_ls, false, "list",
					   &rep, &shown);
		if (ls_good < 0)
			goto out;
		if (shown > CHECK_MAX_SHOWN)
			printf("list: %u more lines differ\n", shown - CHECK_MAX_SHOWN);
	}
	fflush(stdout);
	if (membuf_finish(&rep.notes) != 0)
		goto out;
	fputs(rep.notes.buf, stderr);
	if (!rep.failed) {
		fprintf(stderr, "ctreplay: %zu flows, %ld snapshot lines, %zu verdicts%s",
			es.good, snap_good, vd_good, c->want_ls ? "" : " match\n");
		if (c->want_ls)
			fprintf(stderr, ", %ld list lines match\n", ls_good);
		rc = c->damaged ? CT_EXIT_INPUT : CT_EXIT_OK;
	} else {
		fprintf(stderr, "ctreplay: %s: differences: events %zu/%zu flows",
			o->dir, es.good, es.total);
		if (es.extra)
			fprintf(stderr, " (+%zu extra)", es.extra);
		fprintf(stderr, ", snapshot lines %ld/%ld", snap_good, snap_total);
		if (c->want_vd)
			fprintf(stderr, ", verdicts %zu/%zu", vd_good, vd_total);
		if (c->want_ls)
			fprintf(stderr, ", list lines %ld/%zu", ls_good, c->ls_ls.n);
		fputc('\n', stderr);
		rc = c->damaged ? CT_EXIT_INPUT : CHECK_EXIT_MISMATCH;
	}
out:
	membuf_free(&rep.notes);
	free(got_vd.v);
	free(got_ls.v);
	return rc < 0 ? check_nomem() : rc;
}

static void check_free(struct check *c)
{
	size_t i;

	membuf_free(&c->evb);
	membuf_free(&c->vdb);
	membuf_free(&c->lsb);
	for (i = 0; i < c->nsnaps; i++) {
		membuf_free(&c->snaps[i].out);
		free(c->snaps[i].ct.v);
		free(c->snaps[i].exp.v);
		free(c->snaps[i].got_ct.v);
		free(c->snaps[i].got_exp.v);
	}
	free(c->snaps);
	free(c->ev_ls.v);
	free(c->proc_ls.v);
	free(c->vd_ls.v);
	free(c->ls_ls.v);
	free(c->ev_text);
	free(c->proc_text);
	free(c->vd_text);
	free(c->ls_text);
}

int check_run(const struct check_opts *o, const struct ct_settings *set,
	      char *const *files, int nfiles)
{
	struct check c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.ext = -1;
	c.lflags = o->oflags & ~(unsigned)REPORT_O_TIMESTAMP;
	rc = check_load(&c, o);
	if (rc < 0)
		rc = check_replay(&c, o, set, files, nfiles);
	if (rc < 0)
		rc = o->update ? check_update(&c, o) : check_compare(&c, o);
	check_free(&c);
	return rc;
}
