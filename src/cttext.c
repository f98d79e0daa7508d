/* \summary: conntrack's text read back: lines, events, table lines */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cttext.h"

#define CTTEXT_MAX_TOKS 64

/* ------------------------------------------------------------------ */
/* text buffers */

int membuf_open(struct membuf *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	return m->f ? 0 : -1;
}

/* Close the stream; buf/len then hold the text (NUL-terminated). */
int membuf_finish(struct membuf *m)
{
	int rc = 0;

	if (m->f) {
		if (ferror(m->f))
			rc = -1;
		if (fclose(m->f) != 0)
			rc = -1;
		m->f = NULL;
	}
	if (m->buf == NULL)
		rc = -1;
	return rc;
}

void membuf_free(struct membuf *m)
{
	if (m->f)
		fclose(m->f);
	free(m->buf);
	m->f = NULL;
	m->buf = NULL;
}

int lines_push(struct lines *l, char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = s;
	return 0;
}

/* Cut text into lines in place, trailing white space (and CR) removed. */
int split_lines(char *text, struct lines *l)
{
	char *p = text;

	while (*p) {
		char *nl = strchr(p, '\n');
		char *end = nl ? nl : p + strlen(p);

		while (end > p && (end[-1] == ' ' || end[-1] == '\t' ||
				   end[-1] == '\r'))
			end--;
		*end = '\0';
		if (lines_push(l, p) != 0)
			return -1;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}

/* Whole file into a NUL-terminated buffer.  -1 with errno on failure. */
int slurp(const char *path, char **out)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (f == NULL)
		return -1;
	do {
		if (cap - len < 65536) {
			char *nb;

			cap = cap ? cap * 2 : 131072;
			nb = realloc(buf, cap + 1);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return -1;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		errno = EIO;
		return -1;
	}
	fclose(f);
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* ------------------------------------------------------------------ */
/* conntrack text lines */

struct tok {
	const char *p;
	size_t len;
};

static size_t tokenize(const char *s, struct tok *t, size_t max)
{
	size_t n = 0;

	while (*s && n < max) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		t[n].p = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		t[n].len = (size_t)(s - t[n].p);
		n++;
	}
	return n;
}

static bool tok_is(const struct tok *t, const char *s)
{
	return t->len == strlen(s) && memcmp(t->p, s, t->len) == 0;
}

static bool tok_digits(const struct tok *t)
{
	size_t i;

	if (t->len == 0 || t->len > 9)
		return false;
	for (i = 0; i < t->len; i++)
		if (t->p[i] < '0' || t->p[i] > '9')
			return false;
	return true;
}

static bool tuple_key(const struct tok *t)
{
	static const char *const keys[] = { "src", "dst", "sport", "dport",
					    "type", "code", "id", "srckey",
					    "dstkey" };
	const char *eq = memchr(t->p, '=', t->len);
	size_t i, kl;

	if (eq == NULL)
		return false;
	kl = (size_t)(eq - t->p);
	for (i = 0; i < CT_ARRAY_SIZE(keys); i++)
		if (strlen(keys[i]) == kl && memcmp(t->p, keys[i], kl) == 0)
			return true;
	return false;
}

/* Append "k=v" with addresses in one canonical form: /proc expands IPv6
 * addresses, conntrack -E compresses them. */
static void key_append(char *buf, size_t size, const struct tok *t)
{
	size_t used = strlen(buf);
	const char *eq = memchr(t->p, '=', t->len);
	char addr[INET6_ADDRSTRLEN + 1], norm[INET6_ADDRSTRLEN];
	size_t kl = (size_t)(eq - t->p), vl = t->len - kl - 1;
	struct in6_addr a6;

	if (used + t->len + 2 >= size)
		return;
	if (((kl == 3 && (memcmp(t->p, "src", 3) == 0 ||
			  memcmp(t->p, "dst", 3) == 0))) &&
	    memchr(eq + 1, ':', vl) && vl < sizeof(addr)) {
		memcpy(addr, eq + 1, vl);
		addr[vl] = '\0';
		if (inet_pton(AF_INET6, addr, &a6) == 1 &&
		    inet_ntop(AF_INET6, &a6, norm, sizeof(norm))) {
			snprintf(buf + used, size - used, " %.*s=%s", (int)kl,
				 t->p, norm);
			return;
		}
	}
	snprintf(buf + used, size - used, " %.*s", (int)t->len, t->p);
}

/*
 * Parse one line of conntrack text.  exp_line: a /proc/net/nf_conntrack_expect
 * line, whose timeout comes first.  Returns -1 when memory runs out.
 */
static int ctline_parse(struct ctline *c, const char *text, bool exp_line)
{
	struct tok t[CTTEXT_MAX_TOKS];
	size_t n = tokenize(text, t, CTTEXT_MAX_TOKS), i = 0, j;
	const struct tok *to = NULL, *l4 = NULL;
	char key[512];

	memset(c, 0, sizeof(*c));
	c->text = text;
	c->timeout = -1;
	if (n && t[0].len > 2 && t[0].p[0] == '[' && t[0].p[t[0].len - 1] == ']') {
		if (tok_is(&t[0], "[NEW]"))
			c->type = LT_NEW;
		else if (tok_is(&t[0], "[UPDATE]"))
			c->type = LT_UPDATE;
		else if (tok_is(&t[0], "[DESTROY]"))
			c->type = LT_DESTROY;
		i = 1;
	}
	if (!exp_line) {
		if (i < n && (tok_is(&t[i], "ipv4") || tok_is(&t[i], "ipv6")))
			i += 2;
		if (i + 1 < n && tok_digits(&t[i + 1])) {
			l4 = &t[i];
			i += 2;
		}
	}
	if ((exp_line || l4) && i < n && tok_digits(&t[i])) {
		to = &t[i];
		c->timeout = strtol(to->p, NULL, 10);
		i++;
	}
	if (to) {
		size_t pre = (size_t)(to->p - text);
		size_t post = strlen(to->p + to->len);

		c->masked = malloc(pre + post + 2);
		if (c->masked == NULL)
			return -1;
		memcpy(c->masked, text, pre);
		c->masked[pre] = 'T';
		memcpy(c->masked + pre + 1, to->p + to->len, post + 1);
	} else {
		c->masked = strdup(text);
		if (c->masked == NULL)
			return -1;
	}

	key[0] = '\0';
	if (l4) {
		snprintf(key, sizeof(key), "%.*s", (int)l4->len, l4->p);
		for (j = i; j < n && !(t[j].len > 4 && memcmp(t[j].p, "src=", 4) == 0);
		     j++)
			;
		for (; j < n && tuple_key(&t[j]); j++) {
			if (j > i && memcmp(t[j].p, "src=", 4) == 0 &&
			    strstr(key, " src=") != NULL)
				break;
			key_append(key, sizeof(key), &t[j]);
		}
	}
	c->key = strdup(key);
	return c->key ? 0 : -1;
}

void ctline_free(struct ctline *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(c[i].masked);
		free(c[i].key);
	}
	free(c);
}

/* "tcp 10.77.1.2:40006 > 10.77.2.2:9001" from a key. */
void flow_name(const char *key, char *buf, size_t size)
{
	struct tok t[16];
	size_t n = tokenize(key, t, CT_ARRAY_SIZE(t)), i;
	const struct tok *src = NULL, *dst = NULL, *sp = NULL, *dp = NULL;
	const struct tok *type = NULL, *id = NULL;
	bool v6;

	for (i = 1; i < n; i++) {
		const struct tok *x = &t[i];

		if (x->len > 4 && memcmp(x->p, "src=", 4) == 0 && !src)
			src = x;
		else if (x->len > 4 && memcmp(x->p, "dst=", 4) == 0 && !dst)
			dst = x;
		else if (x->len > 6 && memcmp(x->p, "sport=", 6) == 0)
			sp = x;
		else if (x->len > 6 && memcmp(x->p, "dport=", 6) == 0)
			dp = x;
		else if (x->len > 5 && memcmp(x->p, "type=", 5) == 0)
			type = x;
		else if (x->len > 3 && memcmp(x->p, "id=", 3) == 0)
			id = x;
	}
	if (n == 0 || src == NULL || dst == NULL) {
		snprintf(buf, size, "%s", key[0] ? key : "(unparsed line)");
		return;
	}
	v6 = memchr(src->p, ':', src->len) != NULL;
	if (sp && dp)
		snprintf(buf, size, "%.*s %s%.*s%s:%.*s > %s%.*s%s:%.*s",
			 (int)t[0].len, t[0].p, v6 ? "[" : "",
			 (int)src->len - 4, src->p + 4, v6 ? "]" : "",
			 (int)sp->len - 6, sp->p + 6, v6 ? "[" : "",
			 (int)dst->len - 4, dst->p + 4, v6 ? "]" : "",
			 (int)dp->len - 6, dp->p + 6);
	else if (type && id)
		snprintf(buf, size, "%.*s %.*s > %.*s %.*s %.*s",
			 (int)t[0].len, t[0].p, (int)src->len - 4, src->p + 4,
			 (int)dst->len - 4, dst->p + 4, (int)type->len,
			 type->p, (int)id->len, id->p);
	else
		snprintf(buf, size, "%.*s %.*s > %.*s", (int)t[0].len, t[0].p,
			 (int)src->len - 4, src->p + 4, (int)dst->len - 4,
			 dst->p + 4);
}

/* "[1795347493.781885]\t" -> ns; returns the text after it, or NULL. */
static const char *strip_timestamp(const char *line, ct_time *ts)
{
	const char *p = line + 1;
	ct_time sec = 0, frac = 0;
	int fd = 0;

	if (line[0] != '[' || *p < '0' || *p > '9')
		return NULL;
	while (*p >= '0' && *p <= '9' && sec < INT64_MAX / 100)
		sec = sec * 10 + (*p++ - '0');
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (fd < 9) {
				frac = frac * 10 + (*p - '0');
				fd++;
			}
			p++;
		}
	}
	while (*p == ' ')
		p++;
	if (*p != ']' || p[1] != '\t')
		return NULL;
	while (fd++ < 9)
		frac *= 10;
	*ts = sec * CT_NSEC_PER_SEC + frac;
	return p + 2;
}

static int cmp_key_seq(const void *a, const void *b)
{
	const struct ctline *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Event lines of a conntrack -E log, sorted by flow then file order, with
 * lifetimes numbered.  *extended: the first event had the l3 columns.
 */
int parse_events(struct lines *ls, struct ctline **out, size_t *nout,
			int *extended)
{
	struct ctline *v = calloc(ls->n ? ls->n : 1, sizeof(*v));
	size_t i, n = 0;

	if (v == NULL)
		return -1;
	for (i = 0; i < ls->n; i++) {
		const char *line = ls->v[i], *body;
		ct_time ts = 0;
		bool has_ts;
		struct tok t[2];

		body = strip_timestamp(line, &ts);
		has_ts = body != NULL;
		if (body == NULL)
			body = line;
		if (tokenize(body, t, 2) < 1 || t[0].p[0] != '[')
			continue;
		if (ctline_parse(&v[n], body, false) != 0) {
			ctline_free(v, n + 1);
			return -1;
		}
		v[n].has_ts = has_ts;
		v[n].ts = ts;
		v[n].seq = n;
		if (*extended < 0)
			*extended = tokenize(body, t, 2) == 2 &&
				    (tok_is(&t[1], "ipv4") || tok_is(&t[1], "ipv6"));
		n++;
	}
	qsort(v, n, sizeof(*v), cmp_key_seq);
	for (i = 0; i < n; i++) {
		if (i == 0 || strcmp(v[i].key, v[i - 1].key) != 0)
			v[i].life = 0;
		else if (v[i].type == LT_NEW || v[i - 1].type == LT_DESTROY)
			v[i].life = v[i - 1].life + 1;
		else
			v[i].life = v[i - 1].life;
	}
	*out = v;
	*nout = n;
	return 0;
}

int parse_many(struct lines *ls, bool exp_line, struct ctline **out)
{
	struct ctline *v = calloc(ls->n ? ls->n : 1, sizeof(*v));
	size_t i;

	if (v == NULL)
		return -1;
	for (i = 0; i < ls->n; i++) {
		if (ctline_parse(&v[i], ls->v[i], exp_line) != 0) {
			ctline_free(v, i + 1);
			return -1;
		}
		v[i].seq = i;
	}
	*out = v;
	return 0;
}
