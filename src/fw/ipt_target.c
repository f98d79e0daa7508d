/* \summary: iptables-save reader: the -j targets, as statements and verdicts */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ipt_int.h"
#include "natrule.h"

/* ------------------------------------------------------------------ */
/* names the targets take */

static const struct sym log_levels[] = {
	{ "emerg", 0 }, { "panic", 0 }, { "alert", 1 }, { "crit", 2 },
	{ "error", 3 }, { "err", 3 }, { "warning", 4 }, { "warn", 4 },
	{ "notice", 5 }, { "info", 6 }, { "debug", 7 },
};

/* REJECT --reject-with: name, alias, type, icmp code (libipt_REJECT.c,
 * libip6t_REJECT.c).  iptables takes any prefix of either. */
struct reject_name {
	const char *name, *alias;
	uint8_t what;          /* enum fw_reject */
	uint8_t code;
};

static const struct reject_name reject4[] = {
	{ "icmp-net-unreachable", "net-unreach", FW_REJ_ICMP, 0 },
	{ "icmp-host-unreachable", "host-unreach", FW_REJ_ICMP, 1 },
	{ "icmp-proto-unreachable", "proto-unreach", FW_REJ_ICMP, 2 },
	{ "icmp-port-unreachable", "port-unreach", FW_REJ_ICMP, 3 },
	{ "icmp-net-prohibited", "net-prohib", FW_REJ_ICMP, 9 },
	{ "icmp-host-prohibited", "host-prohib", FW_REJ_ICMP, 10 },
	{ "tcp-reset", "tcp-rst", FW_REJ_TCP_RESET, 0 },
	{ "icmp-admin-prohibited", "admin-prohib", FW_REJ_ICMP, 13 },
};

static const struct reject_name reject6[] = {
	{ "icmp6-no-route", "no-route", FW_REJ_ICMPV6, 0 },
	{ "icmp6-adm-prohibited", "adm-prohibited", FW_REJ_ICMPV6, 1 },
	{ "icmp6-addr-unreachable", "addr-unreach", FW_REJ_ICMPV6, 3 },
	{ "icmp6-port-unreachable", "port-unreach", FW_REJ_ICMPV6, 4 },
	{ "tcp-reset", "tcp-reset", FW_REJ_TCP_RESET, 0 },
	{ "icmp6-policy-fail", "policy-fail", FW_REJ_ICMPV6, 5 },
	{ "icmp6-reject-route", "reject-route", FW_REJ_ICMPV6, 6 },
};

/* Targets of iptables' extensions (and of xtables-addons) ctreplay does
 * not evaluate: a -j to one of these makes the rule unknown.  A -j to
 * any other name must be a chain of the table, declared by the COMMIT. */
static const char *const unknown_targets[] = {
	"AUDIT", "CHECKSUM", "CLASSIFY", "CLUSTERIP", "CONNSECMARK", "DNPT",
	"DSCP", "ECN", "HL", "HMARK", "IDLETIMER", "LED", "NETMAP", "RATEEST",
	"SECMARK", "SET", "SNPT", "SYNPROXY", "TCPMSS", "TCPOPTSTRIP", "TEE",
	"TOS", "TPROXY", "TRACE", "TTL", "ULOG", "MIRROR", "SAME",
	/* xtables-addons and other out-of-tree modules */
	"ACCOUNT", "CHAOS", "DELUDE", "DHCPMAC", "DNETMAP", "ECHO", "IPMARK",
	"LOGMARK", "PROTO", "SYSRQ", "TARPIT", "STEAL", "RAWDNAT", "RAWSNAT",
	"IPV4OPTSSTRIP", "FULLCONENAT", "JOOL", "JOOL_SIIT", "NDPI",
};

/* ------------------------------------------------------------------ */
/* targets */

static const struct {
	const char *name;
	enum t_kind kind;
} target_names[] = {
	{ "ACCEPT", T_ACCEPT }, { "DROP", T_DROP }, { "RETURN", T_RETURN },
	{ "REJECT", T_REJECT }, { "LOG", T_LOG }, { "NFLOG", T_NFLOG },
	{ "MARK", T_MARK }, { "CONNMARK", T_CONNMARK },
	{ "NOTRACK", T_NOTRACK }, { "CT", T_CT }, { "SNAT", T_NAT },
	{ "DNAT", T_NAT }, { "MASQUERADE", T_NAT }, { "REDIRECT", T_NAT },
	{ "NFQUEUE", T_QUEUE }, { "QUEUE", T_QUEUE },
};

void ipt_set_target(struct ipt *p, struct tctx *t, const char *name, bool go)
{
	size_t k;

	t->name = name;
	if (go) {
		t->kind = T_GOTO;
		return;
	}
	t->kind = T_JUMP;
	for (k = 0; k < CT_ARRAY_SIZE(target_names); k++)
		if (strcmp(target_names[k].name, name) == 0) {
			t->kind = target_names[k].kind;
			break;
		}
	if (t->kind == T_JUMP && ipt_chain_lookup(p, name) < 0)
		for (k = 0; k < CT_ARRAY_SIZE(unknown_targets); k++)
			if (strcmp(unknown_targets[k], name) == 0)
				t->kind = T_UNKNOWN;
	if (t->kind == T_CONNMARK)
		t->cm_ctmask = t->cm_nfmask = UINT32_MAX;
	if (t->kind == T_LOG)
		t->level = 4;  /* LOG_WARNING, libxt_LOG's default */
}

static int opt_reject(struct ipt *p, struct tctx *t, const char *opt,
		      bool inv, char **v, int n, int *i)
{
	bool v6 = p->fam == FW_FAM_IP6;
	const struct reject_name *tab = v6 ? reject6 : reject4;
	size_t nt = v6 ? CT_ARRAY_SIZE(reject6) : CT_ARRAY_SIZE(reject4), k;
	const char *a;
	size_t al;

	if (!ipt_opt_is(opt, "--reject-with", NULL))
		return 0;
	NO_INV();
	ONCE(t->rej_set);
	ARG(a);
	al = strlen(a);
	/* libipt_REJECT.c: any prefix of a name or its alias */
	for (k = 0; al && k < nt; k++)
		if (strncasecmp(tab[k].name, a, al) == 0 ||
		    strncasecmp(tab[k].alias, a, al) == 0)
			break;
	if (!al || k == nt)
		return ipt_fail(p, "--reject-with %s: unknown reject type", a);
	t->rej_set = true;
	t->rej_what = tab[k].what;
	t->rej_code = tab[k].code;
	return 1;
}

static int opt_log(struct ipt *p, struct tctx *t, const char *opt, bool inv,
		   char **v, int n, int *i)
{
	static const char *const flags[] = {
		"--log-tcp-sequence", "--log-tcp-options", "--log-ip-options",
		"--log-uid", "--log-macdecode",
	};
	const char *a;
	size_t k;

	for (k = 0; k < CT_ARRAY_SIZE(flags); k++)
		if (strcmp(opt, flags[k]) == 0) {
			NO_INV();
			return 1;
		}
	if (ipt_opt_is(opt, "--log-prefix", NULL)) {
		NO_INV();
		ONCE(t->prefix);
		ARG(a);
		t->prefix = a;
		return 1;
	}
	if (ipt_opt_is(opt, "--log-level", NULL)) {
		uint32_t level;

		NO_INV();
		ARG(a);
		if (!ipt_parse_u32(a, 7, &level) &&
		    !ipt_sym_find(SYMS(log_levels), a, &level))
			return ipt_fail(p, "--log-level %s: 0 to 7 or a syslog "
					"level name", a);
		t->level = (uint8_t)level;
		return 1;
	}
	return 0;
}

static int opt_nflog(struct ipt *p, struct tctx *t, const char *opt,
		     bool inv, char **v, int n, int *i)
{
	static const char *const nums[] = {
		"--nflog-group", "--nflog-range", "--nflog-size",
		"--nflog-threshold",
	};
	const char *a;
	uint32_t x;
	size_t k;

	NO_INV();
	if (ipt_opt_is(opt, "--nflog-prefix", NULL)) {
		ONCE(t->prefix);
		ARG(a);
		t->prefix = a;
		return 1;
	}
	for (k = 0; k < CT_ARRAY_SIZE(nums); k++)
		if (strcmp(opt, nums[k]) == 0) {
			ARG(a);
			if (!ipt_parse_u32(a, UINT32_MAX, &x))
				return ipt_fail(p, "%s %s: not a number",
						opt, a);
			return 1;
		}
	return 0;
}

/* MARK (libxt_MARK.c, revision 2): the kernel does
 * mark = (mark & ~mask) ^ value. */
static int opt_mark_target(struct ipt *p, struct tctx *t, const char *opt,
			   bool inv, char **v, int n, int *i,
			   uint32_t *value, uint32_t *mask)
{
	const char *a;
	uint32_t val, m;

	if (ipt_opt_is(opt, "--set-xmark", NULL) ||
	    ipt_opt_is(opt, "--set-mark", NULL)) {
		ARG(a);
		if (!ipt_parse_markmask(a, &val, &m))
			return ipt_fail(p, "%s %s: not VALUE[/MASK]", opt, a);
		*value = val;
		/* --set-mark: clear the mask's bits, then OR the value */
		*mask = opt[6] == 'x' ? m : m | val;
		return 1;
	}
	if (ipt_opt_is(opt, "--and-mark", NULL) ||
	    ipt_opt_is(opt, "--or-mark", NULL) ||
	    ipt_opt_is(opt, "--xor-mark", NULL)) {
		ARG(a);
		if (!ipt_parse_u32(a, UINT32_MAX, &val))
			return ipt_fail(p, "%s %s: not a number", opt, a);
		switch (opt[2]) {
		case 'a':
			*value = 0;
			*mask = ~val;
			break;
		case 'o':
			*value = *mask = val;
			break;
		default:
			*value = val;
			*mask = 0;
			break;
		}
		return 1;
	}
	return 0;
}

static int opt_connmark(struct ipt *p, struct tctx *t, const char *opt,
			bool inv, char **v, int n, int *i)
{
	const char *a;
	uint32_t x;
	int rc;

	NO_INV();
	rc = opt_mark_target(p, t, opt, inv, v, n, i, &t->cm_mark,
			     &t->cm_ctmask);
	if (rc) {
		if (rc > 0 && t->cm_mode)
			return ipt_fail(p, "-j CONNMARK: one of --set-*, "
					"--save-mark, --restore-mark");
		if (rc > 0)
			t->cm_mode = CM_SET;
		return rc;
	}
	if (ipt_opt_is(opt, "--save-mark", NULL) ||
	    ipt_opt_is(opt, "--restore-mark", NULL)) {
		if (t->cm_mode)
			return ipt_fail(p, "-j CONNMARK: one of --set-*, "
					"--save-mark, --restore-mark");
		t->cm_mode = opt[2] == 's' ? CM_SAVE : CM_RESTORE;
		return 1;
	}
	if (ipt_opt_is(opt, "--mask", NULL) ||
	    ipt_opt_is(opt, "--nfmask", NULL) ||
	    ipt_opt_is(opt, "--ctmask", NULL)) {
		ARG(a);
		if (!ipt_parse_u32(a, UINT32_MAX, &x))
			return ipt_fail(p, "%s %s: not a number", opt, a);
		if (opt[2] != 'c')
			t->cm_nfmask = x;
		if (opt[2] != 'n')
			t->cm_ctmask = x;
		return 1;
	}
	if (ipt_opt_is(opt, "--left-shift-mark", NULL) ||
	    ipt_opt_is(opt, "--right-shift-mark", NULL)) {
		ARG(a);
		if (!ipt_parse_u32(a, 31, &x))
			return ipt_fail(p, "%s %s: 0 to 31", opt, a);
		if (x)
			t->cm_shift = true;
		return 1;
	}
	return 0;
}

static int opt_ct(struct ipt *p, struct tctx *t, const char *opt, bool inv,
		  char **v, int n, int *i)
{
	static const char *const others[] = {
		"--ctevents", "--expevents", "--zone", "--zone-orig",
		"--zone-reply", "--timeout",
	};
	const char *a;
	size_t k;

	NO_INV();
	if (ipt_opt_is(opt, "--notrack", NULL)) {
		t->ct_notrack = true;
		return 1;
	}
	if (ipt_opt_is(opt, "--helper", NULL)) {
		ONCE(t->ct_helper);
		ARG(a);
		if (!a[0] || strlen(a) >= 16)
			return ipt_fail(p, "--helper %s: a name of 1 to 15 "
					"characters", a);
		t->ct_helper = a;
		return 1;
	}
	for (k = 0; k < CT_ARRAY_SIZE(others); k++)
		if (strcmp(opt, others[k]) == 0) {
			ARG(a);
			if (!t->ct_other)
				t->ct_other = others[k];
			return 1;
		}
	return 0;
}

static int opt_nat(struct ipt *p, struct tctx *t, const char *opt, bool inv,
		   char **v, int n, int *i)
{
	static const char *const with_arg[] = {
		"--to-source", "--to-destination", "--to-ports", "--to",
	};
	static const char *const flags[] = {
		"--random", "--random-fully", "--persistent",
	};
	const char *a = NULL;
	size_t k;
	bool known = false;

	for (k = 0; k < CT_ARRAY_SIZE(with_arg) && !known; k++)
		if (strcmp(opt, with_arg[k]) == 0) {
			ARG(a);
			known = true;
		}
	for (k = 0; k < CT_ARRAY_SIZE(flags) && !known; k++)
		known = strcmp(opt, flags[k]) == 0;
	if (!known)
		return 0;
	NO_INV();
	if (!ipt_sbuf_add(&t->nat, " ", 1) ||
	    !ipt_sbuf_add(&t->nat, opt, strlen(opt)) ||
	    (a && (!ipt_sbuf_add(&t->nat, " ", 1) ||
		   !ipt_sbuf_add(&t->nat, a, strlen(a)))))
		return ipt_nomem(p);
	return 1;
}

static int opt_queue(struct ipt *p, struct tctx *t, const char *opt,
		     bool inv, char **v, int n, int *i)
{
	const char *a;

	if (strcmp(t->name, "QUEUE") == 0)
		return 0;
	NO_INV();
	if (ipt_opt_is(opt, "--queue-num", NULL)) {
		ARG(a);
		if (!ipt_parse_u32(a, 65535, &t->qnum))
			return ipt_fail(p, "--queue-num %s: 0 to 65535", a);
		return 1;
	}
	if (ipt_opt_is(opt, "--queue-balance", NULL)) {
		struct range r;

		ARG(a);
		memset(&r, 0, sizeof(r));
		if (!ipt_parse_port_range(a, &r))
			return ipt_fail(p, "--queue-balance %s: not N:M", a);
		/* spread over queues by flow hash: the first stands for all */
		t->qnum = r.lo;
		return 1;
	}
	if (ipt_opt_is(opt, "--queue-bypass", NULL) ||
	    ipt_opt_is(opt, "--fail-open", NULL)) {
		if (opt[2] == 'q')
			t->qbypass = true;
		return 1;
	}
	if (ipt_opt_is(opt, "--queue-cpu-fanout", NULL))
		return 1;
	return 0;
}

int ipt_target_option(struct ipt *p, struct tctx *t, const char *opt,
		      bool inv, char **v, int n, int *i)
{
	switch (t->kind) {
	case T_REJECT:
		return opt_reject(p, t, opt, inv, v, n, i);
	case T_LOG:
		return opt_log(p, t, opt, inv, v, n, i);
	case T_NFLOG:
		return opt_nflog(p, t, opt, inv, v, n, i);
	case T_MARK: {
		int rc;

		NO_INV();
		rc = opt_mark_target(p, t, opt, inv, v, n, i, &t->mk_value,
				     &t->mk_mask);
		if (rc > 0 && t->mk_set)
			return ipt_fail(p, "-j MARK: one of --set-xmark, "
					"--set-mark, --and-mark, --or-mark, "
					"--xor-mark");
		if (rc > 0)
			t->mk_set = true;
		return rc;
	}
	case T_CONNMARK:
		return opt_connmark(p, t, opt, inv, v, n, i);
	case T_CT:
		return opt_ct(p, t, opt, inv, v, n, i);
	case T_NAT:
		return opt_nat(p, t, opt, inv, v, n, i);
	case T_QUEUE:
		return opt_queue(p, t, opt, inv, v, n, i);
	default:
		return 0;
	}
}

/* A value for a mark statement: the constant, or (key & mask) ^ xor. */
static struct fw_expr *xmark_set(struct ipt *p, enum fw_expr_kind kind,
				 uint8_t what)
{
	struct fw_expr *x = ipt_xnew(p, kind);

	if (x)
		x->what = what;
	return x;
}

/* dst = (src & mask) ^ xor, or a constant when the source is not read. */
static int emit_mark_stmt(struct ipt *p, enum fw_expr_kind kind, uint8_t what,
			  int srckey, uint32_t mask, bool has_xor, uint32_t xr)
{
	struct fw_expr *x;

	if (srckey < 0)
		return ipt_nomem(p);
	x = xmark_set(p, kind, what);
	if (!x)
		return ipt_nomem(p);
	if (mask == 0 && has_xor) {
		/* nothing of the old value is kept: a constant */
		ipt_val_u(&x->val, xr, 4);
		return 0;
	}
	x->key = (uint16_t)srckey;
	if (mask != UINT32_MAX)
		ipt_val_u(&x->mask, mask, 4);
	if (has_xor && xr)
		ipt_val_u(&x->xor, xr, 4);
	return 0;
}

static int emit_connmark(struct ipt *p, const struct tctx *t)
{
	uint32_t ct = t->cm_ctmask, nf = t->cm_nfmask;

	if (t->cm_shift)
		return ipt_xunknown(p, "-j CONNMARK with a shift", NULL);
	switch (t->cm_mode) {
	case CM_SET:
		/* ctmark = (ctmark & ~ctmask) ^ ctmark_value */
		return emit_mark_stmt(p, FW_X_CT_SET, FW_CT_MARK,
				      ipt_key_ct(p, FW_CT_MARK, -1, 4, 0), ~ct,
				      true, t->cm_mark);
	case CM_SAVE:
		/* ctmark = (ctmark & ~ctmask) ^ (nfmark & nfmask) */
		if (ct == UINT32_MAX)
			return emit_mark_stmt(p, FW_X_CT_SET, FW_CT_MARK,
					      ipt_key_meta(p, FW_META_MARK, 4),
					      nf, false, 0);
		if (nf == 0)
			return emit_mark_stmt(p, FW_X_CT_SET, FW_CT_MARK,
					      ipt_key_ct(p, FW_CT_MARK,
							 -1, 4, 0),
					      ~ct, false, 0);
		return ipt_xunknown(p, "-j CONNMARK --save-mark with a ctmask",
				    NULL);
	case CM_RESTORE:
		/* nfmark = (nfmark & ~nfmask) ^ (ctmark & ctmask) */
		if (nf == UINT32_MAX)
			return emit_mark_stmt(p, FW_X_META_SET, FW_META_MARK,
					      ipt_key_ct(p, FW_CT_MARK,
							 -1, 4, 0),
					      ct, false, 0);
		if (ct == 0)
			return emit_mark_stmt(p, FW_X_META_SET, FW_META_MARK,
					      ipt_key_meta(p, FW_META_MARK, 4),
					      ~nf, false, 0);
		return ipt_xunknown(p, "-j CONNMARK --restore-mark with an "
				    "nfmask", NULL);
	default:
		return ipt_fail(p, "-j CONNMARK without --set-xmark, "
				"--set-mark, --save-mark, --restore-mark ...");
	}
}

static int add_jump(struct ipt *p, const char *name)
{
	struct jump *j = ipt_grow_array(p->jumps, &p->jcap, p->njumps + 1,
					sizeof(*j));

	if (!j)
		return ipt_nomem(p);
	p->jumps = j;
	p->jumps[p->njumps].name = name;
	p->jumps[p->njumps].line = p->line;
	p->njumps++;
	return 0;
}

int ipt_emit_target(struct ipt *p, const struct tctx *t)
{
	struct fw_expr *x;

	switch (t->kind) {
	case T_NONE:
		return 0;
	case T_ACCEPT:
	case T_DROP:
	case T_RETURN:
	case T_JUMP:
	case T_GOTO:
		x = ipt_xnew(p, FW_X_VERDICT);
		if (!x)
			return ipt_nomem(p);
		x->verdict = t->kind == T_ACCEPT ? FW_V_ACCEPT
			   : t->kind == T_DROP ? FW_V_DROP
			   : t->kind == T_RETURN ? FW_V_RETURN
			   : t->kind == T_JUMP ? FW_V_JUMP : FW_V_GOTO;
		if (t->kind == T_JUMP || t->kind == T_GOTO) {
			int c = ipt_chain_lookup(p, t->name);

			if (c >= 0 && p->rs->chains[c].hook != FW_HOOK_NONE)
				return ipt_fail(p, "%s %s: a built-in chain "
						"cannot be jumped to",
						t->kind == T_JUMP ? "-j" : "-g",
						t->name);
			x->target_name = fw_strdup(p->rs, t->name);
			if (!x->target_name)
				return ipt_nomem(p);
			if (c < 0)
				return add_jump(p, x->target_name);
		}
		return 0;
	case T_REJECT:
		x = ipt_xnew(p, FW_X_REJECT);
		if (!x)
			return ipt_nomem(p);
		if (t->rej_set) {
			x->what = t->rej_what;
			x->code = t->rej_code;
		} else {
			/* icmp(6)-port-unreachable */
			x->what = p->fam == FW_FAM_IP ? FW_REJ_ICMP
						      : FW_REJ_ICMPV6;
			x->code = p->fam == FW_FAM_IP ? 3 : 4;
		}
		x = ipt_xnew(p, FW_X_VERDICT);
		if (!x)
			return ipt_nomem(p);
		x->verdict = FW_V_REJECT;
		return 0;
	case T_LOG:
	case T_NFLOG:
		x = ipt_xnew(p, FW_X_LOG);
		if (!x)
			return ipt_nomem(p);
		x->what = t->kind == T_LOG ? t->level : 0;
		/* as nft's "log group N": to nflog, not the kernel log */
		x->inv = t->kind == T_NFLOG;
		x->text = fw_strdup(p->rs, t->prefix ? t->prefix : "");
		return x->text ? 0 : ipt_nomem(p);
	case T_MARK:
		if (!t->mk_set)
			return ipt_fail(p, "-j MARK without --set-xmark, "
					"--set-mark, --and-mark, --or-mark, "
					"--xor-mark");
		return emit_mark_stmt(p, FW_X_META_SET, FW_META_MARK,
				      ipt_key_meta(p, FW_META_MARK, 4),
				      ~t->mk_mask, true, t->mk_value);
	case T_CONNMARK:
		return emit_connmark(p, t);
	case T_NOTRACK:
		return ipt_xnew(p, FW_X_NOTRACK) ? 0 : ipt_nomem(p);
	case T_CT:
		if (t->ct_other)
			return ipt_xunknown(p, "-j CT ", t->ct_other);
		if (t->ct_notrack && !t->ct_helper)
			return ipt_xnew(p, FW_X_NOTRACK) ? 0 : ipt_nomem(p);
		if (t->ct_helper && !t->ct_notrack) {
			x = ipt_xnew(p, FW_X_CT_SET);
			if (!x)
				return ipt_nomem(p);
			x->what = FW_CT_HELPER;
			x->text = fw_strdup(p->rs, t->ct_helper);
			return x->text ? 0 : ipt_nomem(p);
		}
		return ipt_xunknown(p, "-j CT", t->ct_notrack ? " --notrack "
				    "--helper" : NULL);
	case T_NAT: {
		char lower[16];
		size_t k;
		const char *s;

		for (k = 0; t->name[k] && k + 1 < sizeof(lower); k++)
			lower[k] = (char)tolower((unsigned char)t->name[k]);
		lower[k] = '\0';
		s = ipt_scratch(p, lower, t->nat.s);
		if (!s)
			return ipt_nomem(p);
		x = ipt_xnew(p, FW_X_NAT);
		if (!x)
			return ipt_nomem(p);
		x->text = fw_strdup(p->rs, s);
		if (!x->text)
			return ipt_nomem(p);
		if (fw_nat_parse_ipt(x, t->name, t->nat.s ? t->nat.s : "",
				     p->fam == FW_FAM_IP6 ? 6 : 4) < 0) {
			p->rs->nexprs--;
			p->rs->rules[p->rs->cur_rule].n--;
			return ipt_xunknown(p, "-j ", t->name);
		}
		return 0;
	}
	case T_QUEUE:
		x = ipt_xnew(p, FW_X_VERDICT);
		if (!x)
			return ipt_nomem(p);
		x->verdict = FW_V_QUEUE;
		x->code = t->qnum;
		x->queue_bypass = t->qbypass;
		return 0;
	case T_UNKNOWN:
		return ipt_xunknown(p, "-j ", t->name);
	}
	return 0;
}
