/* \summary: a packet's way through the firewall's hooks around conntrack (--firewall) */
#include <stdio.h>
#include <string.h>

#include "engine_int.h"

/* nft's "ct state" bit for conntrack's view of a packet (nft_ct.c,
 * nft_ct_get_eval(): no entry attached reads as invalid). */
static uint32_t engine_ctstate_bit(enum ct_ctstate s)
{
	switch (s) {
	case CT_STATE_NEW:
		return 0x08;
	case CT_STATE_ESTABLISHED:
		return 0x02;
	case CT_STATE_RELATED:
		return 0x04;
	case CT_STATE_UNTRACKED:
		return 0x40;
	default:
		return 0x01;
	}
}

/* "ct helper set" on a new entry: the helper of that name, attached as
 * the kernel's nft_ct_helper_obj_eval() does (unconfirmed entries of the
 * helper's protocol only). */
static void engine_rule_helper(struct ct_engine *eng, struct ct_conn *ct,
			       const char *name)
{
	const struct ct_helper_ops *ops = ct_helper_find(name);
	int i;

	if (!ops || (ct->status & CT_IPS_CONFIRMED) ||
	    ops->l4num != ct->tuple[CT_DIR_ORIGINAL].l4num)
		return;
	for (i = 0; i < eng->nfw_helpers; i++)
		if (eng->fw_helper_ops[i] == ops)
			break;
	if (i == eng->nfw_helpers) {
		if (i >= CT_MAX_HELPERS)
			return;
		snprintf(eng->fw_helpers[i].name, sizeof(eng->fw_helpers[i].name),
			 "%s", ops->name);
		eng->fw_helpers[i].l4num = ops->l4num;
		eng->fw_helper_ops[i] = ops;
		eng->nfw_helpers++;
	}
	if (!ct_pool_ext(&eng->pool, ct))
		return;
	ct->ext->helper = &eng->fw_helpers[i];
	ct->status |= CT_IPS_HELPER;
}

/* The firewall decided: copy its decision into the verdict. */
static void engine_fw_verdict(const struct ct_hookpkt *hp,
			      struct ct_verdict *v)
{
	v->nat_rule = hp->nat_rule;
	v->nat_inferred = hp->nat_inferred;
	v->action = hp->action;
	v->hook = hp->rule ? hp->rule_hook : hp->hook;
	v->rule = hp->rule;
	v->rule_comment = hp->comment;
	v->unknown_rule = hp->unknown ? hp->unknown_rule : NULL;
}

/* A nat statement's mapping (hook.h's nat_setup): the NAT core's. */
static bool engine_nat_setup(void *ctx, struct ct_hookpkt *hp,
			     const struct ct_nat_range *r, enum ct_nat_manip m)
{
	struct ct_engine *eng = ctx;

	if (!hp->ct || hp->untracked)
		return true;
	return ct_nat_setup(eng, hp->ct, r, m, hp->pkt);
}

/*
 * The NAT core at one hook (nf_nat_ipv4_fn(), nf_nat_inet_fn()), where
 * a nat chain exists for the packet's family: an ICMP error about a
 * translated connection has its quote and outer header rewritten; a
 * connection's first packet runs the nat chains, or gets the null
 * binding; then the packet is translated as its connection says.  The
 * chains after it see that packet (hp->pkt).  False when a nat chain
 * dropped it.
 */
static bool hp_nat(struct ct_engine *eng, struct ct_hookpkt *hp,
		   enum ct_hook hook)
{
	const struct ct_firewall *fw = &eng->fw;
	enum ct_nat_manip m = hook == CT_HOOK_PREROUTING ||
				      hook == CT_HOOK_OUTPUT
			      ? CT_NAT_MANIP_DST
			      : CT_NAT_MANIP_SRC;
	struct ct_conn *ct = hp->ct;

	if (!eng->nat || !ct || hp->untracked ||
	    !(hp->pkt->l3num == CT_L3_IPV6 ? fw->nat6 : fw->nat4))
		return true;
	if (hp->ctstate == engine_ctstate_bit(CT_STATE_RELATED) &&
	    ct_icmp_pkt_is_error(hp->pkt)) {
		hp->pkt = ct_nat_icmp_error(eng->nat, hp->pkt, ct, hp->dir, m);
		return true;
	}
	/* a connection's first packet (NEW, or RELATED: an expected one) */
	if (!ct_nat_initialized(ct, m) &&
	    (hp->ctstate == engine_ctstate_bit(CT_STATE_NEW) ||
	     hp->ctstate == engine_ctstate_bit(CT_STATE_RELATED))) {
		enum ct_hook at = hp->hook;

		hp->hook = hook;
		if (fw->run_nat && !fw->run_nat(fw->ctx, hook, hp)) {
			hp->hook = at;
			return false;
		}
		hp->hook = at;
		if (!ct_nat_initialized(ct, m) &&
		    !ct_nat_null_binding(eng, ct, m, hp->pkt)) {
			hp->action = CT_ACT_DROP;
			return false;
		}
		if (ct_nat_inferred(eng->nat, ct))
			hp->nat_inferred = true;
	}
	hp->pkt = ct_nat_packet(eng->nat, hp->pkt, ct, hp->dir, m);
	return true;
}

/*
 * The chains of `hook` from priority lo, the NAT core at `at`, the chains
 * up to hi; without NAT the chains in one run.
 */
static bool hp_run_nat(struct ct_engine *eng, struct ct_hookpkt *hp,
		       enum ct_hook hook, int32_t lo, int32_t at, int32_t hi)
{
	const struct ct_firewall *fw = &eng->fw;

	if (!eng->nat)
		return fw->run(fw->ctx, hook, lo, hi, hp);
	return fw->run(fw->ctx, hook, lo, at, hp) && hp_nat(eng, hp, hook) &&
	       fw->run(fw->ctx, hook, at, hi, hp);
}

/* A packet's start at the hooks: nothing attached, "ct state invalid"
 * as nft sees a packet conntrack has not looked at, accepted so far. */
static struct ct_hookpkt *hp_start(struct ct_engine *eng,
				   const struct ct_pkt *pkt, enum ct_hook hook)
{
	struct ct_hookpkt *hp = &eng->hp;

	memset(hp, 0, sizeof(*hp));
	hp->pkt = pkt;
	hp->now = eng->now;
	hp->ctstate = 0x01;
	hp->action = CT_ACT_ACCEPT;
	hp->hook = hook;
	if (eng->nat) {
		hp->nat_setup = engine_nat_setup;
		hp->nat_ctx = eng;
	}
	return hp;
}

/*
 * Conntrack's hook (PREROUTING or LOCAL_OUT) after the chains before it
 * (go: they let the packet on): the entry attached to the packet, as the
 * rest of the chains see it.  Returns the entry to confirm, or NULL;
 * *dropped when conntrack itself dropped the packet (table full).
 */
static struct ct_conn *hp_conntrack(struct ct_engine *eng,
				    struct ct_hookpkt *hp, bool go,
				    bool related, struct ct_verdict *v,
				    bool *dropped)
{
	struct ct_conn *ct = NULL;

	*dropped = false;
	if (go && hp->notrack) {
		v->state = CT_STATE_UNTRACKED;
	} else if (go && related) {
		v->state = CT_STATE_RELATED;
	} else if (go) {
		ct = ct_engine_conntrack_in(eng, hp->pkt, v);
		*dropped = v->state == CT_STATE_DROP;
	}
	hp->ct = v->state == CT_STATE_INVALID ? NULL : (struct ct_conn *)v->ct;
	hp->dir = v->dir;
	hp->ctstate = engine_ctstate_bit(v->state);
	hp->untracked = v->state == CT_STATE_UNTRACKED;
	return ct;
}

/* The end of the hooks for an entry conntrack attached: a packet dropped
 * before nf_confirm() leaves a new entry unconfirmed (what it did to an
 * existing one is reported with that entry's next packet); one that went
 * on meets the helper, then confirmation. */
static void hp_finish(struct ct_engine *eng, struct ct_hookpkt *hp,
		      struct ct_conn *ct, bool go, struct ct_verdict *v)
{
	engine_fw_verdict(hp, v);
	if (!ct)
		return;
	if (!go) {
		ct_engine_drop_unconfirmed(eng, ct, v);
		return;
	}
	if (hp->helper)
		engine_rule_helper(eng, ct, hp->helper);
	if (ct_engine_helper(eng, ct, v)) {
		ct_engine_confirm_hook(eng, ct, v);
		/* nf_confirm(): the sequence numbers a NAT helper moved */
		if (eng->nat && v->ct)
			hp->pkt = ct_nat_seq_adjust(eng->nat, hp->pkt, ct,
						    hp->dir);
	} else {
		/* the helper dropped it at the last hook, after the chains
		 * accepted and counted it: no rule decided the drop
		 * (ct_engine_helper() set the action) */
		v->hook = hp->hook;
		v->rule = NULL;
		v->rule_comment = NULL;
	}
}

/* A forwarded packet leaves, as NAT and the helpers left it: the
 * firewall expects its copy in the capture. */
static void hp_left(struct ct_engine *eng, struct ct_hookpkt *hp, bool go,
		    const struct ct_verdict *v)
{
	const struct ct_firewall *fw = &eng->fw;

	if (go && fw->left && !hp->local && hp->hook == CT_HOOK_POSTROUTING &&
	    v->action == CT_ACT_ACCEPT)
		fw->left(fw->ctx, hp);
}

/* POSTROUTING: the chains before source NAT, NAT, the chains after. */
static bool hp_postrouting(struct ct_engine *eng, struct ct_hookpkt *hp)
{
	return hp_run_nat(eng, hp, CT_HOOK_POSTROUTING, INT32_MIN,
			  CT_PRIO_NAT_SRC, INT32_MAX);
}

/*
 * One packet through the hooks with a firewall: chains before conntrack
 * (raw), conntrack, the rest of prerouting, the routing decision, input
 * or forward (after ip_forward()'s TTL check) and postrouting, then the
 * helper and confirmation.  A packet without an entry (INVALID, or
 * untracked) still crosses every chain: "ct state invalid" sees it.
 */
void ct_engine_track_fw(struct ct_engine *eng, const struct ct_pkt *pkt,
			struct ct_verdict *v)
{
	struct ct_hookpkt *hp = hp_start(eng, pkt, CT_HOOK_PREROUTING);
	const struct ct_firewall *fw = &eng->fw;
	struct ct_conn *ct;
	bool go, dropped;

	if (fw->enter)
		fw->enter(fw->ctx, hp);
	go = fw->run(fw->ctx, CT_HOOK_PREROUTING, INT32_MIN, CT_PRIO_CONNTRACK,
		     hp);
	ct = hp_conntrack(eng, hp, go, false, v, &dropped);
	if (dropped)
		return;
	if (go)
		go = hp_run_nat(eng, hp, CT_HOOK_PREROUTING,
				CT_PRIO_CONNTRACK, CT_PRIO_NAT_DST,
				INT32_MAX);
	if (go) {
		/* the route of the packet as NAT left it */
		fw->route(fw->ctx, hp);
		if (hp->local) {
			hp->hook = CT_HOOK_INPUT;
			go = hp_run_nat(eng, hp, CT_HOOK_INPUT, INT32_MIN,
					CT_PRIO_NAT_SRC, INT32_MAX);
		} else if (ct_engine_ttl_runs_out(eng, pkt)) {
			v->reason = "TTL runs out in forwarding: entry not "
				    "confirmed";
			hp->action = CT_ACT_DROP;
			hp->rule = NULL;
			go = false;
		} else {
			hp->hook = CT_HOOK_FORWARD;
			go = fw->run(fw->ctx, CT_HOOK_FORWARD, INT32_MIN,
				     INT32_MAX, hp);
			if (go) {
				hp->hook = CT_HOOK_POSTROUTING;
				go = hp_postrouting(eng, hp);
			}
		}
	}
	hp_finish(eng, hp, ct, go, v);
	hp_left(eng, hp, go, v);
}

/*
 * A packet the host itself sent: OUTPUT (chains before conntrack,
 * conntrack at LOCAL_OUT, the rest), POSTROUTING, then the helper and
 * confirmation.  An ICMP error the host sent (a reject's answer, an
 * unreachable) carries the conntrack entry of the packet it answers
 * (icmp_send() -> nf_ct_attach()): it is RELATED and tracks nothing.
 * Returns false for a forwarded copy, which was tracked when it came in.
 */
bool ct_engine_track_fw_out(struct ct_engine *eng, const struct ct_pkt *pkt,
			    struct ct_verdict *v)
{
	const struct ct_firewall *fw = &eng->fw;
	struct ct_hookpkt *hp;
	struct ct_conn *ct;
	bool go, dropped, related = ct_icmp_pkt_is_error(pkt);

	if (!fw->local_out)
		return false;
	hp = hp_start(eng, pkt, CT_HOOK_OUTPUT);
	switch (fw->local_out(fw->ctx, hp)) {
	case CT_OUT_FORWARDED:
		return false;
	case CT_OUT_UNEXPECTED: {
		/* the host's own packet, translated on its way out (the
		 * answers of a redirected connection) */
		const struct ct_pkt *own = ct_nat_untranslate(eng, pkt);

		if (own && fw->local_after_all) {
			hp->pkt = own;
			fw->local_after_all(fw->ctx, hp);
			break;
		}
		v->reason = "left the firewall, but the replay did not "
			    "forward it";
		return true;
	}
	case CT_OUT_LOCAL_RELATED:
		related = true;
		break;
	case CT_OUT_LOCAL:
		break;
	}
	v->reason = NULL;
	go = fw->run(fw->ctx, CT_HOOK_OUTPUT, INT32_MIN, CT_PRIO_CONNTRACK, hp);
	ct = hp_conntrack(eng, hp, go, related, v, &dropped);
	if (dropped)
		return true;
	if (go)
		go = hp_run_nat(eng, hp, CT_HOOK_OUTPUT, CT_PRIO_CONNTRACK,
				CT_PRIO_NAT_DST, INT32_MAX);
	if (go) {
		hp->hook = CT_HOOK_POSTROUTING;
		go = hp_postrouting(eng, hp);
	}
	hp_finish(eng, hp, ct, go, v);
	return true;
}

void ct_engine_set_firewall(struct ct_engine *eng,
			    const struct ct_firewall *fw)
{
	eng->fw = *fw;
	eng->has_fw = fw->run != NULL && fw->route != NULL;
	if (eng->has_fw && (fw->nat4 || fw->nat6) && !eng->nat) {
		eng->nat = ct_nat_create();
		if (eng->nat)
			ct_nat_set_peek(eng->nat, eng->peek, eng->peek_ctx);
	}
}

void ct_engine_set_peek(struct ct_engine *eng, ct_peek_fn fn, void *ctx)
{
	eng->peek = fn;
	eng->peek_ctx = ctx;
	if (eng->nat)
		ct_nat_set_peek(eng->nat, fn, ctx);
}
