/* \summary: nat statements and targets: what they map to, read from iptables-save and chosen per packet */
#ifndef CTREPLAY_FW_NATRULE_H
#define CTREPLAY_FW_NATRULE_H

#include "../ct/hook.h"
#include "fw.h"
#include "route.h"

/* fw_nat_eval()'s answer when the statement does nothing (another
 * family's): the rule goes on with its next expression. */
#define FW_NAT_GO_ON (-1)

/*
 * An iptables NAT target (SNAT, DNAT, MASQUERADE, REDIRECT) and its
 * options as iptables-save writes them ("--to-destination 10.0.0.2:80
 * --random"), into the nat expression x of family 4 or 6.  -1 when the
 * options cannot be read.
 */
int fw_nat_parse_ipt(struct fw_expr *x, const char *target, const char *opts,
		     int family);

/*
 * A nat statement x on the packet at hp: the range it asks for (data:
 * the map's element when the addresses come from one) handed to the
 * connection's NAT (hp->nat_setup).  Returns FW_V_ACCEPT (the statement
 * ends the chain), FW_V_DROP (no address to take, or no room), or
 * FW_NAT_GO_ON.  rule names it for reports.
 */
int fw_nat_eval(const struct fw_expr *x, const struct fw_val *data,
		const struct fw_net *net, struct ct_hookpkt *hp,
		const char *rule);

#endif
