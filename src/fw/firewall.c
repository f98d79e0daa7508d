/* \summary: --firewall DIR: the ruleset, interfaces and routes of one firewall, as the engine's hooks */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "firewall.h"
#include "log.h"
#include "nft_json.h"

const char *fw_dir_file(const char *dir, const char *name, char *buf,
			size_t size)
{
	struct stat sb;

	if (!dir)
		return NULL;
	snprintf(buf, size, "%s/%s", dir, name);
	return stat(buf, &sb) == 0 ? buf : NULL;
}

/* A whole file into memory (NUL-terminated); NULL with errbuf set. */
static char *slurp(const char *path, size_t *len, char *errbuf)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f) {
		snprintf(errbuf, CT_ERRBUF_SIZE, "%.300s: cannot open", path);
		return NULL;
	}
	for (;;) {
		size_t got;

		if (n + 4096 + 1 > cap) {
			size_t c = cap ? cap * 2 : 65536;
			char *b = realloc(buf, c);

			if (!b) {
				free(buf);
				fclose(f);
				snprintf(errbuf, CT_ERRBUF_SIZE,
					 "%.300s: out of memory", path);
				return NULL;
			}
			buf = b;
			cap = c;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		snprintf(errbuf, CT_ERRBUF_SIZE, "%.300s: read error", path);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int load_ruleset(struct fw_firewall *fw, const struct fw_paths *p,
			char *errbuf)
{
	char b1[4096];
	const char *json = p->ruleset ? p->ruleset
			 : fw_dir_file(p->dir, "ruleset.json", b1, sizeof(b1));
	size_t len;
	char *text;
	int r;

	if (!json) {
		snprintf(errbuf, CT_ERRBUF_SIZE,
			 "%.300s: no ruleset (ruleset.json, from nft -j list "
			 "ruleset)", p->dir ? p->dir : "--firewall");
		return CT_ERR_PARSE;
	}
	fw->rs = fw_ruleset_new(FW_SRC_NFT_JSON);
	if (!fw->rs)
		return CT_ERR_NOMEM;
	text = slurp(json, &len, errbuf);
	if (!text)
		return CT_ERR_IO;
	fw->ruleset_file = json;
	r = fw_nft_read(fw->rs, text, len, json, errbuf);
	free(text);
	if (r != 0)
		return r;
	return fw_finish(fw->rs, errbuf);
}

int fw_firewall_load(struct fw_firewall **out, const struct fw_paths *p,
		     char *errbuf)
{
	struct fw_firewall *fw = calloc(1, sizeof(*fw));
	char b1[4096];
	const char *f;
	int r;

	*out = NULL;
	if (!fw)
		return CT_ERR_NOMEM;
	r = load_ruleset(fw, p, errbuf);
	if (r == 0) {
		f = p->addr ? p->addr : fw_dir_file(p->dir, "addr.json", b1,
						    sizeof(b1));
		if (f)
			r = fw_net_read_addr(&fw->net, f, errbuf);
	}
	if (r == 0) {
		f = p->route ? p->route : fw_dir_file(p->dir, "route.json", b1,
						      sizeof(b1));
		if (f)
			r = fw_net_read_routes(&fw->net, f, 4, errbuf);
	}
	if (r == 0) {
		f = p->route6 ? p->route6 : fw_dir_file(p->dir, "route6.json",
							b1, sizeof(b1));
		if (f)
			r = fw_net_read_routes(&fw->net, f, 6, errbuf);
	}
	if (r == 0) {
		fw->st = fw_state_create(fw->rs);
		if (!fw->st)
			r = CT_ERR_NOMEM;
	}
	if (r != 0) {
		fw_firewall_destroy(fw);
		return r;
	}
	if (p->iif)
		snprintf(fw->iif, sizeof(fw->iif), "%s", p->iif);
	*out = fw;
	return CT_OK;
}

void fw_firewall_destroy(struct fw_firewall *fw)
{
	if (!fw)
		return;
	fw_state_destroy(fw->st);
	fw_ruleset_free(fw->rs);
	fw_net_free(&fw->net);
	free(fw);
}

/* What the packet arrived with: the interface (by the capture's index,
 * or --iif), and its packet type. */
static void fwh_enter(void *ctx, struct ct_hookpkt *hp)
{
	struct fw_firewall *fw = ctx;
	const struct ct_pkt *pkt = hp->pkt;
	const struct fw_iface *f = NULL;

	if (fw->iif[0])
		f = fw_net_iface_by_name(&fw->net, fw->iif);
	else if (pkt->ifindex)
		f = fw_net_iface_by_index(&fw->net, pkt->ifindex);
	else if (pkt->maclen >= 14 && pkt->mac_dst_known)
		/* an Ethernet capture: the frame was addressed to the
		 * interface it came in on */
		f = fw_net_iface_by_mac(&fw->net, pkt->mac);
	if (f) {
		memcpy(hp->iifname, f->name, sizeof(hp->iifname));
		hp->iif = f->index;
	} else if (fw->iif[0]) {
		memcpy(hp->iifname, fw->iif, sizeof(hp->iifname));
	}
	hp->pkttype = pkt->pkttype;
}

static bool fwh_run(void *ctx, enum ct_hook hook, int32_t lo, int32_t hi,
		    struct ct_hookpkt *hp)
{
	struct fw_firewall *fw = ctx;

	return fw_run_hook(fw->st, hook, lo, hi, hp);
}

static void fwh_route(void *ctx, struct ct_hookpkt *hp)
{
	struct fw_firewall *fw = ctx;
	const struct ct_pkt *pkt = hp->pkt;
	int family = pkt->l3num == CT_L3_IPV6 ? 6 : 4;
	const struct fw_route *r;
	const struct fw_iface *f;

	hp->local = fw_net_is_local(&fw->net, family, pkt->dst);
	if (hp->local)
		return;
	r = fw_net_route(&fw->net, family, pkt->dst);
	if (!r)
		return;
	memcpy(hp->oifname, r->dev, sizeof(hp->oifname));
	f = fw_net_iface_by_name(&fw->net, r->dev);
	hp->oif = f ? f->index : 0;
}

/* One kernel log line, stamped with the capture time. */
static void fwh_log(void *ctx, const char *prefix, unsigned flags,
		    const struct ct_hookpkt *hp)
{
	struct fw_firewall *fw = ctx;
	const struct ct_pkt *pkt = hp->pkt;
	uint8_t mac[14];
	size_t maclen = pkt->maclen;
	char line[1024];
	ct_time t = hp->now;

	memcpy(mac, pkt->mac, sizeof(mac));
	if (maclen && !pkt->mac_dst_known) {
		/* the capture saw the sender's address only: the frame was
		 * addressed to the input interface's */
		const struct fw_iface *f = fw_net_iface_by_index(&fw->net,
								 hp->iif);

		if (f && f->has_mac)
			memcpy(mac, f->mac, 6);
	}
	fw_log_format(line, sizeof(line), prefix, flags, hp, mac, maclen);
	fprintf(fw->log, "[%lld.%06lld] %s\n",
		(long long)(t / CT_NSEC_PER_SEC),
		(long long)((t % CT_NSEC_PER_SEC) / 1000), line);
}

void fw_firewall_set_log(struct fw_firewall *fw, FILE *out)
{
	fw->log = out;
	fw_state_set_log(fw->st, out ? fwh_log : NULL, fw);
}

static bool fwh_local_out(void *ctx, struct ct_hookpkt *hp)
{
	struct fw_firewall *fw = ctx;
	const struct ct_pkt *pkt = hp->pkt;
	const struct fw_iface *f;

	if (!fw_net_is_own(&fw->net, pkt->l3num == CT_L3_IPV6 ? 6 : 4,
			   pkt->src))
		return false;
	f = fw_net_iface_by_index(&fw->net, pkt->ifindex);
	if (f) {
		memcpy(hp->oifname, f->name, sizeof(hp->oifname));
		hp->oif = f->index;
	}
	return true;
}

void fw_firewall_hooks(struct fw_firewall *fw, struct ct_firewall *hooks)
{
	memset(hooks, 0, sizeof(*hooks));
	hooks->ctx = fw;
	hooks->enter = fwh_enter;
	hooks->run = fwh_run;
	hooks->route = fwh_route;
	hooks->local_out = fwh_local_out;
}

int fw_firewall_write_counters(const struct fw_firewall *fw, FILE *out)
{
	const uint64_t *pk, *by, *ppk, *pby;

	fw_state_counters(fw->st, &pk, &by, &ppk, &pby);
	return fw_nft_write(out, fw->rs, pk, by);
}
