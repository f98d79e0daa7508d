/* \summary: libFuzzer harness: the input is nft -j list ruleset JSON, read, run on a few packets, written back */
/*
 * The bytes go to fw_nft_read() as they are.  What reads is finished
 * (fw_finish()), evaluated by a firewall state on the hooks of a handful
 * of packets (TCP, UDP, ICMP, IPv6) so that every key, match, set and
 * statement the reader built is exercised, and written back with
 * fw_nft_write() to /dev/null.  "No crash, no leak, no undefined
 * behaviour" is the property; the JSON must also read again after being
 * written (the writer only replaces counter values).
 *
 * Seeds: the firewall recordings' ruleset.json files (fuzz/make-seeds.sh).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "fw/eval.h"
#include "fw/fw.h"
#include "fw/nft_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Raw IPv4/IPv6 packets (link type RAW), checksums not needed here. */
static const uint8_t tcp4[] = {
	0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 1, 0, 2, 10, 2, 0, 2,
	0x9c, 0x40, 0x1f, 0x90, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff,
	0, 0, 0, 0,
};
static const uint8_t udp4[] = {
	0x45, 0, 0, 28, 0, 2, 0, 0, 1, 17, 0, 0, 10, 1, 0, 2, 10, 2, 0, 2,
	0x13, 0x89, 0, 53, 0, 8, 0, 0,
};
static const uint8_t icmp4[] = {
	0x45, 0, 0, 28, 0, 3, 0, 0, 64, 1, 0, 0, 10, 1, 0, 2, 10, 1, 0, 1,
	8, 0, 0, 0, 0, 7, 0, 1,
};
static const uint8_t tcp6[] = {
	0x60, 0, 0, 0, 0, 20, 6, 64,
	0xfd, 0x77, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	0xfd, 0x77, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x12, 0xff, 0xff,
	0, 0, 0, 0,
};

static void run_packets(const struct fw_ruleset *rs)
{
	static const struct {
		const uint8_t *p;
		uint32_t len;
	} pkts[] = {
		{ tcp4, sizeof(tcp4) }, { udp4, sizeof(udp4) },
		{ icmp4, sizeof(icmp4) }, { tcp6, sizeof(tcp6) },
	};
	struct fw_state *st = fw_state_create(rs);
	size_t i;
	int h;

	if (!st)
		return;
	for (i = 0; i < sizeof(pkts) / sizeof(pkts[0]); i++) {
		struct ct_pkt pkt;
		struct ct_hookpkt hp;

		ct_decode(101 /* LINKTYPE_RAW */, pkts[i].p, pkts[i].len,
			  i + 1, (ct_time)i * 1000000, &pkt);
		if (pkt.kind != CT_PKT_IP)
			continue;
		memset(&hp, 0, sizeof(hp));
		hp.pkt = &pkt;
		hp.now = pkt.ts;
		hp.ctstate = i % 2 ? 0x08 : 0x01;
		memcpy(hp.iifname, "rc0", 3);
		memcpy(hp.oifname, "rs0", 3);
		for (h = CT_HOOK_PREROUTING; h <= CT_HOOK_POSTROUTING; h++) {
			hp.hook = (enum ct_hook)h;
			hp.local = h == CT_HOOK_INPUT;
			(void)fw_run_hook(st, (enum ct_hook)h, INT32_MIN,
					  INT32_MAX, &hp);
		}
	}
	fw_state_destroy(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_ruleset *rs = fw_ruleset_new(FW_SRC_NFT_JSON);
	char err[CT_ERRBUF_SIZE];
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!rs)
		abort();
	if (fw_nft_read(rs, (const char *)data, size, "fuzz", err) != 0 ||
	    fw_finish(rs, err) != 0) {
		fw_ruleset_free(rs);
		return 0;
	}
	run_packets(rs);
	f = open_memstream(&buf, &len);
	if (!f)
		abort();
	if (fw_nft_write(f, rs, NULL, NULL) != 0)
		abort();
	fclose(f);
	fw_ruleset_free(rs);
	/* the written document reads again */
	rs = fw_ruleset_new(FW_SRC_NFT_JSON);
	if (!rs)
		abort();
	if (fw_nft_read(rs, buf, len, "fuzz-again", err) != 0)
		abort();
	fw_ruleset_free(rs);
	free(buf);
	return 0;
}
