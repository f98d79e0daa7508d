/* \summary: building a ruleset: tables, chains, sets, rules and their expressions */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw.h"

void *fw_array_add(void **arr, size_t *n, size_t *cap, size_t sz)
{
	char *p;

	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		void *a = realloc(*arr, c * sz);

		if (!a)
			return NULL;
		*arr = a;
		*cap = c;
	}
	p = (char *)*arr + *n * sz;
	memset(p, 0, sz);
	(*n)++;
	return p;
}

/* Capacities, kept beside the ruleset (the struct shows only counts). */
struct fw_caps {
	size_t tables, chains, rules, exprs, keys, sets, strings;
};

struct fw_ruleset_alloc {
	struct fw_ruleset rs;
	struct fw_caps cap;
};

static struct fw_caps *caps(struct fw_ruleset *rs)
{
	return &((struct fw_ruleset_alloc *)(void *)rs)->cap;
}

struct fw_ruleset *fw_ruleset_new(enum fw_source source)
{
	struct fw_ruleset_alloc *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->rs.source = source;
	a->rs.cur_rule = -1;
	return &a->rs;
}

void fw_ruleset_free(struct fw_ruleset *rs)
{
	size_t i;

	if (!rs)
		return;
	if (rs->doc_free)
		rs->doc_free(rs);
	for (i = 0; i < rs->nstrings; i++)
		free(rs->strings[i]);
	for (i = 0; i < rs->nsets; i++)
		free(rs->sets[i].elems);
	free(rs->strings);
	free(rs->sets);
	free(rs->keys);
	free(rs->exprs);
	free(rs->rules);
	free(rs->chains);
	free(rs->tables);
	free(rs);
}

const char *fw_strdup(struct fw_ruleset *rs, const char *s)
{
	char **slot;
	size_t len = strlen(s);
	char *c = malloc(len + 1);

	if (!c)
		return NULL;
	memcpy(c, s, len + 1);
	slot = fw_array_add((void **)&rs->strings, &rs->nstrings, &caps(rs)->strings,
		    sizeof(*slot));
	if (!slot) {
		free(c);
		return NULL;
	}
	*slot = c;
	return c;
}

static void copy_name(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

int fw_add_table(struct fw_ruleset *rs, const char *name,
		 enum fw_family family, uint64_t handle)
{
	struct fw_table *t = fw_array_add((void **)&rs->tables, &rs->ntables,
				  &caps(rs)->tables, sizeof(*t));

	if (!t)
		return -1;
	copy_name(t->name, sizeof(t->name), name);
	t->family = family;
	t->handle = handle;
	return (int)(rs->ntables - 1);
}

int fw_add_chain(struct fw_ruleset *rs, int table, const char *name,
		 enum fw_hook hook, enum fw_chain_type type, int32_t prio,
		 int policy, uint64_t handle)
{
	struct fw_chain *c = fw_array_add((void **)&rs->chains, &rs->nchains,
				  &caps(rs)->chains, sizeof(*c));

	if (!c)
		return -1;
	copy_name(c->name, sizeof(c->name), name);
	c->table = table;
	c->hook = hook;
	c->type = type;
	c->prio = prio;
	c->policy = policy;
	c->handle = handle;
	return (int)(rs->nchains - 1);
}

int fw_add_set(struct fw_ruleset *rs, int table, const char *name,
	       uint8_t keylen)
{
	struct fw_set *s = fw_array_add((void **)&rs->sets, &rs->nsets,
				&caps(rs)->sets, sizeof(*s));

	if (!s)
		return -1;
	copy_name(s->name, sizeof(s->name), name ? name : "");
	s->table = table;
	s->keylen = keylen;
	return (int)(rs->nsets - 1);
}

int fw_find_table(const struct fw_ruleset *rs, const char *name,
		  enum fw_family family)
{
	size_t i;

	for (i = 0; i < rs->ntables; i++)
		if (rs->tables[i].family == family &&
		    strcmp(rs->tables[i].name, name) == 0)
			return (int)i;
	return -1;
}

int fw_find_chain(const struct fw_ruleset *rs, int table, const char *name)
{
	size_t i;

	for (i = 0; i < rs->nchains; i++)
		if (rs->chains[i].table == table &&
		    strcmp(rs->chains[i].name, name) == 0)
			return (int)i;
	return -1;
}

int fw_find_set(const struct fw_ruleset *rs, int table, const char *name)
{
	size_t i;

	for (i = 0; i < rs->nsets; i++)
		if (rs->sets[i].table == table && rs->sets[i].name[0] &&
		    strcmp(rs->sets[i].name, name) == 0)
			return (int)i;
	return -1;
}

bool fw_set_add(struct fw_ruleset *rs, int set, const struct fw_elem *e)
{
	struct fw_set *s = &rs->sets[set];
	struct fw_elem *d = fw_array_add((void **)&s->elems, &s->nelems, &s->cap,
				 sizeof(*d));

	if (!d)
		return false;
	*d = *e;
	return true;
}

int fw_begin_rule(struct fw_ruleset *rs, int chain, uint64_t handle,
		  const char *comment)
{
	struct fw_rule *r = fw_array_add((void **)&rs->rules, &rs->nrules,
				 &caps(rs)->rules, sizeof(*r));

	if (!r)
		return -1;
	r->handle = handle;
	r->chain = chain;
	r->comment = comment;
	r->first = (uint32_t)rs->nexprs;
	rs->cur_rule = (int)(rs->nrules - 1);
	return rs->cur_rule;
}

struct fw_expr *fw_add_expr(struct fw_ruleset *rs)
{
	struct fw_expr *x;

	if (rs->cur_rule < 0)
		return NULL;
	x = fw_array_add((void **)&rs->exprs, &rs->nexprs, &caps(rs)->exprs,
		 sizeof(*x));
	if (!x)
		return NULL;
	x->key = UINT16_MAX;
	x->set = -1;
	x->target = -1;
	x->counter = -1;
	rs->rules[rs->cur_rule].n++;
	return x;
}

int fw_add_key(struct fw_ruleset *rs, const struct fw_key *k)
{
	struct fw_key *d;

	if (rs->nkeys >= UINT16_MAX)
		return -1;
	d = fw_array_add((void **)&rs->keys, &rs->nkeys, &caps(rs)->keys, sizeof(*d));
	if (!d)
		return -1;
	*d = *k;
	return (int)(rs->nkeys - 1);
}

void fw_rule_unknown(struct fw_ruleset *rs, const char *what)
{
	struct fw_expr *x;

	if (rs->cur_rule < 0)
		return;
	x = fw_add_expr(rs);
	if (x) {
		x->kind = FW_X_UNKNOWN;
		x->text = fw_strdup(rs, what);
	}
	if (!rs->rules[rs->cur_rule].unknown) {
		rs->rules[rs->cur_rule].unknown = true;
		rs->rules[rs->cur_rule].unknown_what = x ? x->text : NULL;
	}
}

static int rule_cmp_chain(const void *a, const void *b)
{
	const struct fw_rule *x = a, *y = b;

	if (x->chain != y->chain)
		return x->chain < y->chain ? -1 : 1;
	/* stable: by position of creation (first expression) */
	return x->first < y->first ? -1 : x->first > y->first;
}

int fw_finish(struct fw_ruleset *rs, char *errbuf)
{
	size_t i;

	for (i = 0; i < rs->nexprs; i++) {
		struct fw_expr *x = &rs->exprs[i];

		if (x->kind == FW_X_COUNTER)
			x->counter = (int32_t)rs->ncounters++;
	}
	if (rs->nrules)
		qsort(rs->rules, rs->nrules, sizeof(*rs->rules),
		      rule_cmp_chain);
	for (i = 0; i < rs->nchains; i++)
		rs->chains[i].nrules = 0;
	for (i = 0; i < rs->nrules; i++) {
		struct fw_rule *r = &rs->rules[i];
		struct fw_chain *c = &rs->chains[r->chain];
		uint32_t k;

		if (c->nrules == 0)
			c->first_rule = (uint32_t)i;
		c->nrules++;
		r->id = (int32_t)i;
		for (k = r->first; k < r->first + r->n; k++) {
			struct fw_expr *x = &rs->exprs[k];
			int t;

			if (!x->target_name)
				continue;
			t = fw_find_chain(rs, rs->chains[r->chain].table,
					  x->target_name);
			if (t < 0) {
				snprintf(errbuf, CT_ERRBUF_SIZE,
					 "chain %s, rule %llu: jump to a chain "
					 "that does not exist: %s",
					 c->name, (unsigned long long)r->handle,
					 x->target_name);
				return CT_ERR_PARSE;
			}
			x->target = t;
		}
	}
	for (i = 0; i < rs->nsets; i++) {
		struct fw_set *s = &rs->sets[i];
		size_t e;

		for (e = 0; e < s->nelems; e++) {
			/* vmap elements name their chain in data (a string) */
			struct fw_elem *el = &s->elems[e];

			if ((el->verdict == FW_V_JUMP ||
			     el->verdict == FW_V_GOTO) && el->target < 0 &&
			    el->data.len > 0) {
				el->target = fw_find_chain(
					rs, s->table, (const char *)el->data.b);
				if (el->target < 0) {
					snprintf(errbuf, CT_ERRBUF_SIZE,
						 "map %s: jump to a chain that "
						 "does not exist: %s", s->name,
						 (const char *)el->data.b);
					return CT_ERR_PARSE;
				}
			}
		}
	}
	rs->cur_rule = -1;
	return CT_OK;
}

const char *fw_hook_name(enum fw_hook hook)
{
	static const char *const names[] = {
		"prerouting", "input", "forward", "output", "postrouting",
		"ingress", "-",
	};

	return (unsigned)hook < CT_ARRAY_SIZE(names) ? names[hook] : "?";
}

const char *fw_family_name(enum fw_family fam)
{
	static const char *const names[] = {
		"ip", "ip6", "inet", "arp", "bridge", "netdev",
	};

	return (unsigned)fam < CT_ARRAY_SIZE(names) ? names[fam] : "?";
}
