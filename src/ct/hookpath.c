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
	v->action = hp->action;
	v->hook = hp->rule ? hp->rule_hook : hp->hook;
	v->rule = hp->rule;
	v->rule_comment = hp->comment;
	v->unknown_rule = hp->unknown ? hp->unknown_rule : NULL;
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
	if (ct_engine_helper(eng, ct, v))
		ct_engine_confirm_hook(eng, ct, v);
	else
		/* the helper dropped it, after the chains counted it */
		v->action = CT_ACT_DROP;
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
		go = fw->run(fw->ctx, CT_HOOK_PREROUTING, CT_PRIO_CONNTRACK,
			     INT32_MAX, hp);
	if (go) {
		fw->route(fw->ctx, hp);
		if (hp->local) {
			hp->hook = CT_HOOK_INPUT;
			go = fw->run(fw->ctx, CT_HOOK_INPUT, INT32_MIN,
				     INT32_MAX, hp);
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
				go = fw->run(fw->ctx, CT_HOOK_POSTROUTING,
					     INT32_MIN, INT32_MAX, hp);
			}
		}
	}
	hp_finish(eng, hp, ct, go, v);
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
	bool go, dropped;

	if (!fw->local_out)
		return false;
	hp = hp_start(eng, pkt, CT_HOOK_OUTPUT);
	switch (fw->local_out(fw->ctx, hp)) {
	case CT_OUT_FORWARDED:
		return false;
	case CT_OUT_UNEXPECTED:
		v->reason = "left the firewall, but the replay did not "
			    "forward it";
		return true;
	case CT_OUT_LOCAL:
		break;
	}
	v->reason = NULL;
	go = fw->run(fw->ctx, CT_HOOK_OUTPUT, INT32_MIN, CT_PRIO_CONNTRACK, hp);
	ct = hp_conntrack(eng, hp, go, ct_icmp_pkt_is_error(pkt), v, &dropped);
	if (dropped)
		return true;
	if (go)
		go = fw->run(fw->ctx, CT_HOOK_OUTPUT, CT_PRIO_CONNTRACK,
			     INT32_MAX, hp);
	if (go) {
		hp->hook = CT_HOOK_POSTROUTING;
		go = fw->run(fw->ctx, CT_HOOK_POSTROUTING, INT32_MIN,
			     INT32_MAX, hp);
	}
	hp_finish(eng, hp, ct, go, v);
	return true;
}

void ct_engine_set_firewall(struct ct_engine *eng,
			    const struct ct_firewall *fw)
{
	eng->fw = *fw;
	eng->has_fw = fw->run != NULL && fw->route != NULL;
}
