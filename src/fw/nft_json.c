/* \summary: read `nft -j list ruleset` (libnftables-json(5)) into a ruleset, and write its counters back */
/*
 * The JSON form of a ruleset is a list of objects: tables, chains, sets
 * and maps, named objects (ct helper, counter ...) and rules, each rule a
 * list of expressions ("match", "counter", "accept" ...).  A match
 * compares a key (meta, payload, ct, a concatenation, a bitwise and) with
 * a value, a prefix, a range, a set or a list of flags.  Constants are
 * typed by the key they are compared with: "established" for ct state,
 * "tcp" for meta l4proto, "10.0.0.1" for ip saddr, as nft's own
 * datatypes parse them (nftables src/datatype.c, src/proto.c).
 *
 * What ctreplay does not know is never guessed: such an expression makes
 * its rule "unknown" (fw_rule_unknown()), and the evaluator reports every
 * frame that reaches it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../ct/hook.h"
#include "nft_int.h"
#include "nft_json.h"

/* ------------------------------------------------------------------ */
/* verdicts */

/* {"accept": null} ... into code and target name; false if not one. */
static bool verdict_of(struct nj *p, const json_t *j, int *code,
		       const char **target)
{
	static const struct sym v[] = {
		{ "accept", FW_V_ACCEPT }, { "drop", FW_V_DROP },
		{ "continue", FW_V_CONTINUE }, { "return", FW_V_RETURN },
		{ "jump", FW_V_JUMP }, { "goto", FW_V_GOTO },
		{ "queue", FW_V_QUEUE },
	};
	size_t i;

	*target = NULL;
	if (!json_is_object(j))
		return false;
	for (i = 0; i < CT_ARRAY_SIZE(v); i++) {
		const json_t *a = json_object_get(j, v[i].name);

		if (!a)
			continue;
		*code = (int)v[i].value;
		if (v[i].value == FW_V_JUMP || v[i].value == FW_V_GOTO) {
			const char *t = json_string_value(
				json_object_get(a, "target"));

			if (!t)
				return false;
			*target = fw_strdup(p->rs, t);
		}
		return true;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* sets */

/* A NAT map's data "address . port" ({"concat": [addr, port]}): the
 * address (4 or 16 bytes) then the port, big-endian, padded to 4 bytes
 * as nft's registers hold them. */
static bool nat_data(const json_t *data, struct fw_val *v)
{
	const json_t *c = json_object_get(data, "concat");
	struct fw_val a;
	json_int_t port;

	if (!json_is_array(c) || json_array_size(c) != 2 ||
	    !nj_scalar(json_array_get(c, 0), VT_ADDR, 16, &a) ||
	    !json_is_integer(json_array_get(c, 1)))
		return false;
	port = json_integer_value(json_array_get(c, 1));
	if (port < 0 || port > 65535)
		return false;
	memset(v, 0, sizeof(*v));
	memcpy(v->b, a.b, a.len);
	v->b[a.len] = (uint8_t)(port >> 8);
	v->b[a.len + 1] = (uint8_t)port;
	v->len = (uint8_t)(a.len + 4);
	return true;
}

static int set_elements(struct nj *p, int set, const struct keyinfo *ki,
			const json_t *elems, bool vmap)
{
	const json_t *e;
	size_t i;

	json_array_foreach(elems, i, e) {
		struct fw_elem el;
		const json_t *k = e, *data = NULL;

		if (json_is_array(e) && json_array_size(e) == 2) {
			k = json_array_get(e, 0);
			data = json_array_get(e, 1);
		}
		if (!nj_elem_value(ki, k, &el))
			return nj_fail(p, "set element of the wrong type in %s",
				       p->rs->sets[set].name[0]
					       ? p->rs->sets[set].name
					       : "an anonymous set");
		if (data && vmap) {
			int code;
			const char *target;

			if (!verdict_of(p, data, &code, &target))
				return nj_fail(p, "map element without a "
					       "verdict", NULL);
			el.verdict = code;
			if (target) {
				memset(&el.data, 0, sizeof(el.data));
				snprintf((char *)el.data.b, sizeof(el.data.b),
					 "%s", target);
				el.data.len = (uint8_t)(strlen(target) + 1);
			}
		} else if (data) {
			/* a data map (marks, NAT targets): keep a number or
			 * an address when it is one */
			if (!nj_scalar(data, VT_INT, 4, &el.data) &&
			    !nj_scalar(data, VT_ADDR, 16, &el.data) &&
			    !nat_data(data, &el.data))
				memset(&el.data, 0, sizeof(el.data));
		}
		if (!fw_set_add(p->rs, set, &el))
			return nj_nomem(p);
	}
	return 0;
}

static int parse_set_object(struct nj *p, const json_t *o, bool is_map)
{
	const char *name = json_string_value(json_object_get(o, "name"));
	const char *table = json_string_value(json_object_get(o, "table"));
	const char *fam = json_string_value(json_object_get(o, "family"));
	const json_t *mapto = json_object_get(o, "map");
	struct keyinfo ki;
	int t, s;
	enum fw_family f;

	if (!name || !table || !fam)
		return nj_fail(p, "a set without name, table or family", NULL);
	if (!fw_family_parse(fam, &f))
		return nj_fail(p, "unknown family %s", fam);
	t = fw_find_table(p->rs, table, f);
	if (t < 0)
		return nj_fail(p, "set in an unknown table %s", table);
	if (!nj_set_type(json_object_get(o, "type"), &ki)) {
		/* a set of a type ctreplay cannot read: rules using it
		 * become unknown */
		return 0;
	}
	s = fw_add_set(p->rs, t, name, (uint8_t)ki.len);
	if (s < 0)
		return nj_nomem(p);
	p->rs->sets[s].interval =
		nj_has_flag(json_object_get(o, "flags"), "interval");
	p->rs->sets[s].is_map = is_map;
	p->rs->sets[s].is_vmap = is_map && json_is_string(mapto) &&
				 strcmp(json_string_value(mapto), "verdict") == 0;
	if (json_object_get(o, "elem"))
		return set_elements(p, s, &ki, json_object_get(o, "elem"),
				    p->rs->sets[s].is_vmap);
	return 0;
}

/* The set a rule names: "@name" in its table, or an anonymous
 * {"set": [...]} built against the key.  Returns the set index, -1 with
 * an error set, or -2 for a named set ctreplay could not read. */
static int rule_set(struct nj *p, const json_t *j, const struct keyinfo *ki,
		    bool vmap, int *err)
{
	int s;

	*err = 0;
	if (json_is_string(j) && json_string_value(j)[0] == '@') {
		s = fw_find_set(p->rs, p->table, json_string_value(j) + 1);
		return s < 0 ? -2 : s;
	}
	s = fw_add_set(p->rs, p->table, NULL, (uint8_t)ki->len);
	if (s < 0) {
		*err = nj_nomem(p);
		return -1;
	}
	p->rs->sets[s].is_vmap = vmap;
	p->rs->sets[s].is_map = vmap;
	*err = set_elements(p, s, ki,
			    json_is_array(j) ? j : json_object_get(j, "set"),
			    vmap);
	return *err ? -1 : s;
}

/* ------------------------------------------------------------------ */
/* rule expressions */

static enum fw_op op_of(const char *op, bool *ok)
{
	static const struct sym ops[] = {
		{ "==", FW_OP_EQ }, { "!=", FW_OP_NE }, { "<", FW_OP_LT },
		{ ">", FW_OP_GT }, { "<=", FW_OP_LE }, { ">=", FW_OP_GE },
		{ "in", FW_OP_IN },
	};
	uint32_t v;

	*ok = op && nj_sym_find(SYMS(ops), op, &v);
	return *ok ? (enum fw_op)v : FW_OP_EQ;
}

static bool vt_is_flags(enum vt vt)
{
	return vt == VT_CT_STATE || vt == VT_CT_STATUS || vt == VT_TCP_FLAGS;
}

static int parse_match(struct nj *p, const json_t *m)
{
	const json_t *left = json_object_get(m, "left");
	const json_t *right = json_object_get(m, "right");
	const json_t *band = json_is_object(left) ? json_object_get(left, "&")
						  : NULL;
	struct keyinfo ki;
	struct fw_expr *x;
	bool ok;
	enum fw_op op = op_of(json_string_value(json_object_get(m, "op")), &ok);
	int r;

	if (!ok || !left || !right)
		return nj_fail(p, "a match without op, left or right", NULL);
	r = nj_parse_key(p, band ? json_array_get(band, 0) : left, &ki);
	if (r < 0)
		return r;
	if (r > 0 || ki.key < 0) {
		const json_t *k = band ? json_array_get(band, 0) : left;
		const char *what = json_is_object(k) ?
			json_object_iter_key(json_object_iter((json_t *)k)) :
			NULL;

		fw_rule_unknown(p->rs, what ? what : "match");
		return 0;
	}
	if (json_is_boolean(right))
		nj_fib_present(p, &ki);
	x = fw_add_expr(p->rs);
	if (!x)
		return nj_nomem(p);
	x->kind = FW_X_MATCH;
	x->key = (uint16_t)ki.key;
	if (band && !nj_flags_value(json_array_get(band, 1), ki.vt[0], ki.len,
				 &x->mask))
		return nj_fail(p, "bitwise mask of the wrong type", NULL);
	/* what nft prints as "in": a set, or flags of a bitmask type */
	if (json_is_string(right) && json_string_value(right)[0] == '@') {
		int err;

		x->set = rule_set(p, right, &ki, false, &err);
		if (x->set == -2) {
			p->rs->nexprs--;
			p->rs->rules[p->rs->cur_rule].n--;
			fw_rule_unknown(p->rs, "a set ctreplay cannot read");
			return 0;
		}
		if (x->set < 0)
			return err;
		x->op = op == FW_OP_NE ? FW_OP_NOTIN : FW_OP_IN;
		return 0;
	}
	if (json_is_object(right) && json_object_get(right, "set")) {
		int err;

		x->set = rule_set(p, right, &ki, false, &err);
		if (x->set < 0)
			return err;
		x->op = op == FW_OP_NE ? FW_OP_NOTIN : FW_OP_IN;
		return 0;
	}
	if (json_is_object(right) &&
	    (json_object_get(right, "range") || json_object_get(right, "prefix"))) {
		struct fw_elem e;

		if (!nj_elem_value(&ki, right, &e))
			return nj_fail(p, "range or prefix of the wrong type",
				       NULL);
		x->val = e.lo;
		x->hi = e.hi;
		x->op = op == FW_OP_NE ? FW_OP_NOTIN : FW_OP_IN;
		return 0;
	}
	if (ki.nparts == 1 && ki.vt[0] == VT_INT && json_is_string(right) &&
	    p->rs->keys[ki.key].kind == FW_KEY_META &&
	    (p->rs->keys[ki.key].what == FW_META_IIF ||
	     p->rs->keys[ki.key].what == FW_META_OIF)) {
		/* meta iif "lo": nft turned the name into an index when the
		 * rule was loaded; compare names (the same while the
		 * interfaces are the ones addr.json lists) */
		struct fw_key *k = &p->rs->keys[ki.key];

		k->what = k->what == FW_META_IIF ? FW_META_IIFNAME
						 : FW_META_OIFNAME;
		k->len = 16;
		ki.vt[0] = VT_IFNAME;
		ki.len = ki.partlen[0] = 16;
	}
	if (ki.nparts == 1 && ki.vt[0] == VT_IFNAME && json_is_string(right)) {
		struct fw_elem e;

		/* "eth*": a range of names */
		if (!nj_elem_value(&ki, right, &e))
			return nj_fail(p, "bad interface name", NULL);
		x->val = e.lo;
		x->hi = e.hi;
		if (memcmp(e.lo.b, e.hi.b, 16) != 0) {
			x->op = op == FW_OP_NE ? FW_OP_NOTIN : FW_OP_IN;
			return 0;
		}
		x->op = op == FW_OP_IN ? FW_OP_EQ : op;
		return 0;
	}
	if (!nj_key_value(&ki, right, &x->val))
		return nj_fail(p, "value of the wrong type for its key", NULL);
	if (op == FW_OP_IN) {
		/* implicit op: flags test for bitmask types, else equality */
		if (ki.nparts == 1 && vt_is_flags(ki.vt[0]) && !band) {
			x->op = FW_OP_FLAGS;
			return 0;
		}
		x->op = FW_OP_EQ;
		return 0;
	}
	x->op = (uint8_t)op;
	return 0;
}

static int parse_counter(struct nj *p, const json_t *c)
{
	struct fw_expr *x = fw_add_expr(p->rs);
	json_t *obj = (json_t *)c;

	if (!x)
		return nj_nomem(p);
	x->kind = FW_X_COUNTER;
	if (json_is_object(c)) {
		x->packets = (uint64_t)json_integer_value(
			json_object_get(c, "packets"));
		x->nbytes = (uint64_t)json_integer_value(
			json_object_get(c, "bytes"));
	} else {
		/* a named counter object: counted, not written back */
		obj = NULL;
	}
	if (p->doc->ncounters == p->doc->cap) {
		size_t cap = p->doc->cap ? p->doc->cap * 2 : 64;
		json_t **n = realloc(p->doc->counters, cap * sizeof(*n));

		if (!n)
			return nj_nomem(p);
		p->doc->counters = n;
		p->doc->cap = cap;
	}
	/* counter expressions are numbered in reading order (fw_finish()) */
	p->doc->counters[p->doc->ncounters++] = obj;
	return 0;
}

static uint64_t per_ns(const char *per)
{
	static const struct {
		const char *name;
		uint64_t s;
	} units[] = {
		{ "second", 1 }, { "minute", 60 }, { "hour", 3600 },
		{ "day", 86400 }, { "week", 604800 },
	};
	size_t i;

	for (i = 0; per && i < CT_ARRAY_SIZE(units); i++)
		if (strcmp(units[i].name, per) == 0)
			return units[i].s * (uint64_t)CT_NSEC_PER_SEC;
	return 0;
}

static uint64_t byte_unit(const char *u)
{
	if (!u || strcmp(u, "bytes") == 0)
		return 1;
	if (strcmp(u, "kbytes") == 0)
		return 1024;
	if (strcmp(u, "mbytes") == 0)
		return 1024 * 1024;
	return 0;
}

static int parse_limit(struct nj *p, const json_t *l)
{
	struct fw_expr *x;
	const char *ru, *bu;

	if (!json_is_object(l)) {
		fw_rule_unknown(p->rs, "named limit");
		return 0;
	}
	x = fw_add_expr(p->rs);
	if (!x)
		return nj_nomem(p);
	x->kind = FW_X_LIMIT;
	x->rate = (uint64_t)json_integer_value(json_object_get(l, "rate"));
	x->burst = (uint64_t)json_integer_value(json_object_get(l, "burst"));
	x->unit_ns = per_ns(json_string_value(json_object_get(l, "per")));
	x->inv = json_is_true(json_object_get(l, "inv"));
	ru = json_string_value(json_object_get(l, "rate_unit"));
	bu = json_string_value(json_object_get(l, "burst_unit"));
	if (ru && strcmp(ru, "packets") != 0) {
		x->bytes = true;
		x->rate *= byte_unit(ru);
		x->burst *= byte_unit(bu ? bu : "bytes");
	}
	if (x->rate == 0 || x->unit_ns == 0)
		return nj_fail(p, "limit without a rate or unit", NULL);
	return 0;
}

static int parse_reject(struct nj *p, const json_t *r)
{
	struct fw_expr *x = fw_add_expr(p->rs);
	const char *type = json_is_object(r) ?
		json_string_value(json_object_get(r, "type")) : NULL;
	const json_t *code = json_is_object(r) ? json_object_get(r, "expr")
					       : NULL;

	if (!x)
		return nj_nomem(p);
	x->kind = FW_X_REJECT;
	x->what = FW_REJ_DEFAULT;
	x->code = 3;
	if (type && strcmp(type, "tcp reset") == 0) {
		x->what = FW_REJ_TCP_RESET;
	} else if (type) {
		static const struct sym icmpx[] = {
			{ "no-route", 0 }, { "port-unreachable", 1 },
			{ "host-unreachable", 2 }, { "admin-prohibited", 3 },
		};
		static const struct sym icmpv6[] = {
			{ "no-route", 0 }, { "admin-prohibited", 1 },
			{ "addr-unreachable", 3 }, { "port-unreachable", 4 },
			{ "policy-fail", 5 }, { "reject-route", 6 },
		};
		uint32_t v = 0;

		if (strcmp(type, "icmpx") == 0) {
			x->what = FW_REJ_ICMPX;
			v = 1;
			if (json_is_string(code) &&
			    !nj_sym_find(SYMS(icmpx), json_string_value(code), &v))
				return nj_fail(p, "unknown icmpx code %s",
					       json_string_value(code));
		} else if (strcmp(type, "icmpv6") == 0) {
			x->what = FW_REJ_ICMPV6;
			v = 4;
			if (json_is_string(code) &&
			    !nj_sym_find(SYMS(icmpv6), json_string_value(code), &v))
				return nj_fail(p, "unknown icmpv6 code %s",
					       json_string_value(code));
		} else {
			x->what = FW_REJ_ICMP;
			v = 3;
			if (json_is_string(code) &&
			    !nj_icmp_code(json_string_value(code), &v))
				return nj_fail(p, "unknown icmp code %s",
					       json_string_value(code));
		}
		if (json_is_integer(code))
			v = (uint32_t)json_integer_value(code);
		x->code = v;
	}
	x = fw_add_expr(p->rs);
	if (!x)
		return nj_nomem(p);
	x->kind = FW_X_VERDICT;
	x->verdict = FW_V_REJECT;
	return 0;
}

/* meta mark set / ct mark set / ct helper set / meta nftrace ... */
static int parse_mangle(struct nj *p, const json_t *m)
{
	const json_t *key = json_object_get(m, "key");
	const json_t *value = json_object_get(m, "value");
	const json_t *meta = json_is_object(key) ? json_object_get(key, "meta")
						 : NULL;
	const json_t *ct = json_is_object(key) ? json_object_get(key, "ct")
					       : NULL;
	const char *name = json_string_value(
		json_object_get(meta ? meta : ct, "key"));
	struct fw_expr *x;
	struct keyinfo src;

	if (!name || (meta && strcmp(name, "mark") != 0) ||
	    (ct && strcmp(name, "mark") != 0)) {
		fw_rule_unknown(p->rs, name ? name : "mangle");
		return 0;
	}
	if (meta && strcmp(name, "nftrace") == 0)
		return 0;
	x = fw_add_expr(p->rs);
	if (!x)
		return nj_nomem(p);
	x->kind = meta ? FW_X_META_SET : FW_X_CT_SET;
	x->what = meta ? FW_META_MARK : FW_CT_MARK;
	if (json_is_object(value) &&
	    (json_object_get(value, "meta") || json_object_get(value, "ct"))) {
		int r = nj_parse_key(p, value, &src);

		if (r < 0)
			return r;
		if (r > 0 || src.key < 0) {
			p->rs->nexprs--;
			p->rs->rules[p->rs->cur_rule].n--;
			fw_rule_unknown(p->rs, "mark set from an unknown key");
			return 0;
		}
		x->key = (uint16_t)src.key;
		return 0;
	}
	if (json_is_object(value) &&
	    (json_object_get(value, "|") || json_object_get(value, "&") ||
	     json_object_get(value, "^"))) {
		/* meta mark set meta mark | 0x100, ct mark set meta mark &
		 * 0xff: a key through nft's bitwise, (key & and) ^ xor */
		const char *op = json_object_get(value, "|") ? "|"
			       : json_object_get(value, "&") ? "&" : "^";
		const json_t *args = json_object_get(value, op);
		struct fw_val c;
		unsigned i;
		int r;

		if (json_array_size(args) != 2 ||
		    !nj_scalar(json_array_get(args, 1), VT_INT, 4, &c))
			goto unknown;
		r = nj_parse_key(p, json_array_get(args, 0), &src);
		if (r < 0)
			return r;
		if (r > 0 || src.key < 0)
			goto unknown;
		x->key = (uint16_t)src.key;
		x->mask.len = 4;
		x->xor.len = 4;
		for (i = 0; i < 4; i++) {
			x->mask.b[i] = *op == '&' ? c.b[i]
				   : *op == '|' ? (uint8_t)~c.b[i] : 0xff;
			x->xor.b[i] = *op == '&' ? 0 : c.b[i];
		}
		return 0;
unknown:
		p->rs->nexprs--;
		p->rs->rules[p->rs->cur_rule].n--;
		fw_rule_unknown(p->rs, "mark set from an expression");
		return 0;
	}
	if (!nj_scalar(value, VT_INT, 4, &x->val))
		return nj_fail(p, "mark set to a value that is not a number",
			       NULL);
	return 0;
}

static int parse_vmap(struct nj *p, const json_t *v)
{
	struct keyinfo ki;
	struct fw_expr *x;
	int r, err;

	r = nj_parse_key(p, json_object_get(v, "key"), &ki);
	if (r < 0)
		return r;
	if (r > 0 || ki.key < 0) {
		fw_rule_unknown(p->rs, "vmap on an unknown key");
		return 0;
	}
	x = fw_add_expr(p->rs);
	if (!x)
		return nj_nomem(p);
	x->kind = FW_X_VMAP;
	x->key = (uint16_t)ki.key;
	x->set = rule_set(p, json_object_get(v, "data"), &ki, true, &err);
	if (x->set == -2) {
		p->rs->nexprs--;
		p->rs->rules[p->rs->cur_rule].n--;
		fw_rule_unknown(p->rs, "a map ctreplay cannot read");
		return 0;
	}
	return x->set < 0 ? err : 0;
}

/* An address of a nat statement's "addr": a string, a range, a prefix
 * (its first and last address); false for anything else. */
static bool nat_addr(const json_t *a, struct fw_val *lo, struct fw_val *hi)
{
	const json_t *r = json_object_get(a, "range"), *pf;

	if (json_is_string(a)) {
		if (!nj_scalar(a, VT_ADDR, 16, lo))
			return false;
		*hi = *lo;
		return true;
	}
	if (json_is_array(r) && json_array_size(r) == 2)
		return nj_scalar(json_array_get(r, 0), VT_ADDR, 16, lo) &&
		       nj_scalar(json_array_get(r, 1), VT_ADDR, 16, hi) &&
		       lo->len == hi->len;
	pf = json_object_get(a, "prefix");
	if (pf && nj_scalar(json_object_get(pf, "addr"), VT_ADDR, 16, lo)) {
		json_int_t len = json_integer_value(json_object_get(pf, "len"));
		unsigned i;

		if (len < 0 || len > lo->len * 8)
			return false;
		*hi = *lo;
		for (i = 0; i < (unsigned)lo->len * 8; i++)
			if (i >= (unsigned)len) {
				lo->b[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
				hi->b[i / 8] |= (uint8_t)(0x80u >> (i % 8));
			}
		return true;
	}
	return false;
}

/* snat, dnat, masquerade, redirect (libnftables-json(5)): what the
 * statement maps to; an address map makes the rule look its data up. */
static int parse_nat(struct nj *p, const char *kind, const json_t *v)
{
	static const struct sym flags[] = {
		{ "random", CT_NAT_PROTO_RANDOM },
		{ "fully-random", CT_NAT_PROTO_RANDOM_FULLY },
		{ "persistent", CT_NAT_PERSISTENT },
		{ "netmap", CT_NAT_NETMAP },
	};
	const json_t *addr = json_object_get(v, "addr");
	const json_t *port = json_object_get(v, "port");
	const json_t *fl = json_object_get(v, "flags");
	const char *fam = json_string_value(json_object_get(v, "family"));
	const json_t *map = json_object_get(addr, "map"), *one;
	struct fw_expr *x = fw_add_expr(p->rs);
	uint32_t f;
	size_t i;

	if (!x)
		return nj_nomem(p);
	x->kind = FW_X_NAT;
	x->what = strcmp(kind, "snat") == 0 ? FW_NAT_SNAT
		  : strcmp(kind, "dnat") == 0 ? FW_NAT_DNAT
		  : strcmp(kind, "masquerade") == 0 ? FW_NAT_MASQUERADE
						    : FW_NAT_REDIRECT;
	x->text = fw_strdup(p->rs, kind);
	if (fam)
		x->nat_family = strcmp(fam, "ip6") == 0 ? 6 : 4;
	else if (p->family == FW_FAM_IP)
		x->nat_family = 4;
	else if (p->family == FW_FAM_IP6)
		x->nat_family = 6;
	if (json_is_string(fl) && nj_sym_find(SYMS(flags),
					      json_string_value(fl), &f))
		x->code |= f;
	json_array_foreach(fl, i, one)
		if (json_is_string(one) &&
		    nj_sym_find(SYMS(flags), json_string_value(one), &f))
			x->code |= f;
	if (json_is_integer(port)) {
		x->port_min = x->port_max =
			(uint16_t)json_integer_value(port);
	} else if (json_is_array(json_object_get(port, "range"))) {
		const json_t *r = json_object_get(port, "range");

		x->port_min = (uint16_t)json_integer_value(json_array_get(r, 0));
		x->port_max = (uint16_t)json_integer_value(json_array_get(r, 1));
	} else if (port && !json_is_null(port)) {
		fw_rule_unknown(p->rs, "a nat port ctreplay cannot read");
		return 0;
	}
	if (map) {
		struct keyinfo ki;
		int r, err;

		r = nj_parse_key(p, json_object_get(map, "key"), &ki);
		if (r < 0)
			return r;
		if (r > 0 || ki.key < 0) {
			fw_rule_unknown(p->rs, "a nat map on an unknown key");
			return 0;
		}
		x->key = (uint16_t)ki.key;
		x->set = rule_set(p, json_object_get(map, "data"), &ki, false,
				  &err);
		if (x->set == -2) {
			fw_rule_unknown(p->rs, "a nat map ctreplay cannot read");
			return 0;
		}
		if (x->set >= 0)
			p->rs->sets[x->set].is_map = true;
		return x->set < 0 ? err : 0;
	}
	if (addr && !json_is_null(addr) &&
	    !nat_addr(addr, &x->val, &x->hi)) {
		fw_rule_unknown(p->rs, "a nat address ctreplay cannot read");
		return 0;
	}
	return 0;
}

/* ct helper objects of the ruleset: name -> helper type. */
static const char *helper_type(struct nj *p, const char *obj)
{
	const json_t *list = json_object_get(p->doc->root, "nftables"), *e;
	size_t i;

	json_array_foreach(list, i, e) {
		const json_t *h = json_object_get(e, "ct helper");
		const char *table = json_string_value(json_object_get(h, "table"));

		if (!h || !table || strcmp(table, p->rs->tables[p->table].name))
			continue;
		if (strcmp(json_string_value(json_object_get(h, "name")) ?
			   json_string_value(json_object_get(h, "name")) : "",
			   obj) == 0)
			return json_string_value(json_object_get(h, "type"));
	}
	return NULL;
}

/* "flags": "all" or a list of "tcp sequence", "tcp options", "ip
 * options", "skuid", "ether" (nftables src/json.c, log_stmt_json()). */
static unsigned log_flags(const json_t *f)
{
	static const struct sym names[] = {
		{ "tcp sequence", FW_LOG_TCPSEQ }, { "tcp options", FW_LOG_TCPOPT },
		{ "ip options", FW_LOG_IPOPT }, { "skuid", FW_LOG_UID },
		{ "ether", FW_LOG_MACDECODE },
		{ "all", FW_LOG_TCPSEQ | FW_LOG_TCPOPT | FW_LOG_IPOPT |
			 FW_LOG_UID | FW_LOG_MACDECODE },
	};
	const json_t *e;
	unsigned flags = 0;
	uint32_t v;
	size_t i;

	if (json_is_string(f))
		return nj_sym_find(SYMS(names), json_string_value(f), &v) ? v : 0;
	json_array_foreach(f, i, e)
		if (json_is_string(e) &&
		    nj_sym_find(SYMS(names), json_string_value(e), &v))
			flags |= v;
	return flags;
}

static int parse_stmt(struct nj *p, const json_t *e)
{
	const char *kind;
	const json_t *v;
	struct fw_expr *x;
	int code;
	const char *target;

	if (!json_is_object(e) || json_object_size(e) != 1)
		return nj_fail(p, "an expression must be an object with one "
			       "key", NULL);
	kind = json_object_iter_key(json_object_iter((json_t *)e));
	v = json_object_get(e, kind);
	if (strcmp(kind, "match") == 0)
		return parse_match(p, v);
	if (strcmp(kind, "counter") == 0)
		return parse_counter(p, v);
	if (verdict_of(p, e, &code, &target)) {
		x = fw_add_expr(p->rs);
		if (!x)
			return nj_nomem(p);
		x->kind = FW_X_VERDICT;
		x->verdict = (uint8_t)code;
		x->target_name = target;
		if (code == FW_V_QUEUE && json_is_object(v))
			x->queue_bypass = nj_has_flag(
				json_object_get(v, "flags"), "bypass");
		return 0;
	}
	if (strcmp(kind, "log") == 0) {
		const char *prefix = json_string_value(
			json_object_get(v, "prefix"));

		x = fw_add_expr(p->rs);
		if (!x)
			return nj_nomem(p);
		x->kind = FW_X_LOG;
		x->text = fw_strdup(p->rs, prefix ? prefix : "");
		x->code = log_flags(json_object_get(v, "flags"));
		/* log group N goes to nflog, not the kernel log */
		x->inv = json_object_get(v, "group") != NULL;
		return 0;
	}
	if (strcmp(kind, "limit") == 0)
		return parse_limit(p, v);
	if (strcmp(kind, "reject") == 0)
		return parse_reject(p, v);
	if (strcmp(kind, "mangle") == 0)
		return parse_mangle(p, v);
	if (strcmp(kind, "vmap") == 0)
		return parse_vmap(p, v);
	if (strcmp(kind, "notrack") == 0) {
		x = fw_add_expr(p->rs);
		if (!x)
			return nj_nomem(p);
		x->kind = FW_X_NOTRACK;
		return 0;
	}
	if (strcmp(kind, "ct helper") == 0 && json_is_string(v)) {
		const char *type = helper_type(p, json_string_value(v));

		if (!type) {
			fw_rule_unknown(p->rs, "ct helper set to an unknown "
					"helper object");
			return 0;
		}
		x = fw_add_expr(p->rs);
		if (!x)
			return nj_nomem(p);
		x->kind = FW_X_CT_SET;
		x->what = FW_CT_HELPER;
		x->text = fw_strdup(p->rs, type);
		return 0;
	}
	if (strcmp(kind, "ct count") == 0) {
		x = fw_add_expr(p->rs);
		if (!x)
			return nj_nomem(p);
		x->kind = FW_X_CT_COUNT;
		x->code = (uint32_t)json_integer_value(json_object_get(v, "val"));
		x->inv = json_is_true(json_object_get(v, "inv"));
		fw_rule_unknown(p->rs, "ct count");
		return 0;
	}
	if (strcmp(kind, "snat") == 0 || strcmp(kind, "dnat") == 0 ||
	    strcmp(kind, "masquerade") == 0 || strcmp(kind, "redirect") == 0)
		return parse_nat(p, kind, v);
	fw_rule_unknown(p->rs, kind);
	return 0;
}

/* ------------------------------------------------------------------ */
/* objects */

bool fw_family_parse(const char *s, enum fw_family *out)
{
	static const struct sym fams[] = {
		{ "ip", FW_FAM_IP }, { "ip6", FW_FAM_IP6 },
		{ "inet", FW_FAM_INET }, { "arp", FW_FAM_ARP },
		{ "bridge", FW_FAM_BRIDGE }, { "netdev", FW_FAM_NETDEV },
	};
	uint32_t v;

	if (!s || !nj_sym_find(SYMS(fams), s, &v))
		return false;
	*out = (enum fw_family)v;
	return true;
}

static bool hook_parse(const char *s, enum fw_hook *out)
{
	static const struct sym hooks[] = {
		{ "prerouting", FW_HOOK_PREROUTING }, { "input", FW_HOOK_INPUT },
		{ "forward", FW_HOOK_FORWARD }, { "output", FW_HOOK_OUTPUT },
		{ "postrouting", FW_HOOK_POSTROUTING },
		{ "ingress", FW_HOOK_INGRESS }, { "egress", FW_HOOK_INGRESS },
	};
	uint32_t v;

	if (!s || !nj_sym_find(SYMS(hooks), s, &v))
		return false;
	*out = (enum fw_hook)v;
	return true;
}

static int parse_table(struct nj *p, const json_t *o)
{
	const char *name = json_string_value(json_object_get(o, "name"));
	const char *fam = json_string_value(json_object_get(o, "family"));
	enum fw_family f;

	if (!name || !fw_family_parse(fam, &f))
		return nj_fail(p, "a table without name or family", NULL);
	if (fw_add_table(p->rs, name, f, (uint64_t)json_integer_value(
				 json_object_get(o, "handle"))) < 0)
		return nj_nomem(p);
	return 0;
}

static int parse_chain(struct nj *p, const json_t *o)
{
	const char *name = json_string_value(json_object_get(o, "name"));
	const char *table = json_string_value(json_object_get(o, "table"));
	const char *fam = json_string_value(json_object_get(o, "family"));
	const char *hook = json_string_value(json_object_get(o, "hook"));
	const char *type = json_string_value(json_object_get(o, "type"));
	const char *policy = json_string_value(json_object_get(o, "policy"));
	const json_t *prio = json_object_get(o, "prio");
	enum fw_family f;
	enum fw_hook h = FW_HOOK_NONE;
	enum fw_chain_type ct = FW_CHAIN_FILTER;
	int t;

	if (!name || !table || !fw_family_parse(fam, &f))
		return nj_fail(p, "a chain without name, table or family",
			       NULL);
	t = fw_find_table(p->rs, table, f);
	if (t < 0)
		return nj_fail(p, "chain in an unknown table %s", table);
	if (hook && !hook_parse(hook, &h))
		return nj_fail(p, "unknown hook %s", hook);
	if (type && strcmp(type, "nat") == 0)
		ct = FW_CHAIN_NAT;
	else if (type && strcmp(type, "route") == 0)
		ct = FW_CHAIN_ROUTE;
	if (fw_add_chain(p->rs, t, name, h, ct,
			 (int32_t)json_integer_value(prio),
			 policy && strcmp(policy, "drop") == 0 ? FW_V_DROP
							       : FW_V_ACCEPT,
			 (uint64_t)json_integer_value(
				 json_object_get(o, "handle"))) < 0)
		return nj_nomem(p);
	return 0;
}

static int parse_rule(struct nj *p, const json_t *o)
{
	const char *chain = json_string_value(json_object_get(o, "chain"));
	const char *table = json_string_value(json_object_get(o, "table"));
	const char *fam = json_string_value(json_object_get(o, "family"));
	const char *comment = json_string_value(json_object_get(o, "comment"));
	const json_t *exprs = json_object_get(o, "expr"), *e;
	enum fw_family f;
	size_t i;
	int c, r;

	if (!chain || !table || !fw_family_parse(fam, &f))
		return nj_fail(p, "a rule without chain, table or family",
			       NULL);
	p->table = fw_find_table(p->rs, table, f);
	if (p->table < 0)
		return nj_fail(p, "rule in an unknown table %s", table);
	p->family = f;
	c = fw_find_chain(p->rs, p->table, chain);
	if (c < 0)
		return nj_fail(p, "rule in an unknown chain %s", chain);
	p->chain = p->rs->chains[c].name;
	p->handle = (uint64_t)json_integer_value(json_object_get(o, "handle"));
	if (fw_begin_rule(p->rs, c, p->handle,
			  comment ? fw_strdup(p->rs, comment) : NULL) < 0)
		return nj_nomem(p);
	if (!json_is_array(exprs))
		return nj_fail(p, "a rule without expressions", NULL);
	json_array_foreach(exprs, i, e) {
		r = parse_stmt(p, e);
		if (r != 0)
			return r;
	}
	p->chain = NULL;
	return 0;
}

/* One pass over the list, for the objects of one kind. */
static int nj_pass(struct nj *p, const json_t *list, const char *kind,
		   int (*fn)(struct nj *, const json_t *))
{
	const json_t *e;
	size_t i;

	json_array_foreach(list, i, e) {
		const json_t *o = json_object_get(e, kind);
		int r;

		if (!o)
			continue;
		r = fn(p, o);
		if (r != 0)
			return r;
	}
	return 0;
}

static int parse_set_obj(struct nj *p, const json_t *o)
{
	return parse_set_object(p, o, false);
}

static int parse_map_obj(struct nj *p, const json_t *o)
{
	return parse_set_object(p, o, true);
}

static void nft_doc_free(struct fw_ruleset *rs)
{
	struct nft_doc *d = rs->doc;

	if (!d)
		return;
	json_decref(d->root);
	free(d->counters);
	free(d);
	rs->doc = NULL;
}

int fw_nft_read(struct fw_ruleset *rs, const char *text, size_t len,
		const char *filename, char *errbuf)
{
	struct nj p;
	json_error_t jerr;
	const json_t *list;
	int r;

	memset(&p, 0, sizeof(p));
	p.rs = rs;
	p.file = filename;
	p.errbuf = errbuf;
	p.doc = calloc(1, sizeof(*p.doc));
	if (!p.doc)
		return nj_nomem(&p);
	rs->doc = p.doc;
	rs->doc_free = nft_doc_free;
	p.doc->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!p.doc->root) {
		snprintf(errbuf, CT_ERRBUF_SIZE, "%s:%d:%d: %s", filename,
			 jerr.line, jerr.column, jerr.text);
		return CT_ERR_PARSE;
	}
	list = json_object_get(p.doc->root, "nftables");
	if (!json_is_array(list))
		return nj_fail(&p, "not the output of nft -j list ruleset (no "
			       "\"nftables\" list)", NULL);
	r = nj_pass(&p, list, "table", parse_table);
	if (r == 0)
		r = nj_pass(&p, list, "chain", parse_chain);
	if (r == 0)
		r = nj_pass(&p, list, "set", parse_set_obj);
	if (r == 0)
		r = nj_pass(&p, list, "map", parse_map_obj);
	if (r == 0)
		r = nj_pass(&p, list, "rule", parse_rule);
	return r;
}


int fw_nft_write(FILE *out, const struct fw_ruleset *rs,
		 const uint64_t *pkts, const uint64_t *bytes)
{
	struct nft_doc *d = rs->doc;
	size_t i;

	if (!d || !d->root)
		return CT_ERR_PARSE;
	for (i = 0; pkts && bytes && i < d->ncounters && i < rs->ncounters;
	     i++) {
		json_t *c = d->counters[i];

		if (!c)
			continue;
		json_object_set_new(c, "packets", json_integer(
					    (json_int_t)pkts[i]));
		json_object_set_new(c, "bytes", json_integer(
					    (json_int_t)bytes[i]));
	}
	if (json_dumpf(d->root, out, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0)
		return CT_ERR_IO;
	fputc('\n', out);
	return CT_OK;
}
