/* \summary: libFuzzer harness: a capture replayed through a firewall that translates (masquerade, SNAT, DNAT, redirect, FTP helper) */
/*
 * The input is a capture file, as for fuzz_replay.c.  Its frames are read
 * and decoded first, so that NAT's look at the frames ahead (the port
 * the kernel picked, from a translated copy) has them, then replayed
 * through the engine with the built-in firewall below: a router with
 * lan0 (10.0.0.1/24, fd00::1/64) and wan0 (192.0.2.1/24, 2001:db8::1/64),
 * its ruleset (nft -j list ruleset of the rules in fuzz/README.md) doing
 * every kind of NAT the replay models.  Every frame's verdict and every
 * event goes through the reporters.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "decode.h"
#include "fuzz_common.h"
#include "fw/firewall.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char ruleset_json[] =
	"{\"nftables\":[{\"metainfo\":{\"version\":\"1.0.6\",\"release_name\":\"Lester Goo"
	"ch #5\",\"json_schema_version\":1}},{\"table\":{\"family\":\"inet\",\"name\":\"fw\""
	",\"handle\":2}},{\"ct helper\":{\"family\":\"inet\",\"name\":\"ftp-std\",\"table\":\""
	"fw\",\"handle\":3,\"type\":\"ftp\",\"protocol\":\"tcp\",\"l3proto\":\"inet\"}},{\"chai"
	"n\":{\"family\":\"inet\",\"table\":\"fw\",\"name\":\"pre\",\"handle\":1,\"type\":\"filte"
	"r\",\"hook\":\"prerouting\",\"prio\":-300,\"policy\":\"accept\"}},{\"chain\":{\"fami"
	"ly\":\"inet\",\"table\":\"fw\",\"name\":\"forward\",\"handle\":2,\"type\":\"filter\",\"h"
	"ook\":\"forward\",\"prio\":0,\"policy\":\"drop\"}},{\"rule\":{\"family\":\"inet\",\"ta"
	"ble\":\"fw\",\"chain\":\"pre\",\"handle\":4,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":"
	"{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":21}},{\"ct helpe"
	"r\":\"ftp-std\"}]}},{\"rule\":{\"family\":\"inet\",\"table\":\"fw\",\"chain\":\"forwar"
	"d\",\"handle\":5,\"expr\":[{\"match\":{\"op\":\"in\",\"left\":{\"ct\":{\"key\":\"state\"}"
	"},\"right\":\"invalid\"}},{\"drop\":null}]}},{\"rule\":{\"family\":\"inet\",\"table"
	"\":\"fw\",\"chain\":\"forward\",\"handle\":6,\"expr\":[{\"match\":{\"op\":\"in\",\"left\""
	":{\"ct\":{\"key\":\"state\"}},\"right\":[\"established\",\"related\"]}},{\"accept\":"
	"null}]}},{\"rule\":{\"family\":\"inet\",\"table\":\"fw\",\"chain\":\"forward\",\"hand"
	"le\":7,\"expr\":[{\"match\":{\"op\":\"in\",\"left\":{\"ct\":{\"key\":\"status\"}},\"righ"
	"t\":\"dnat\"}},{\"accept\":null}]}},{\"rule\":{\"family\":\"inet\",\"table\":\"fw\",\""
	"chain\":\"forward\",\"handle\":8,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"meta\""
	":{\"key\":\"iifname\"}},\"right\":\"lan0\"}},{\"accept\":null}]}},{\"table\":{\"fam"
	"ily\":\"ip\",\"name\":\"nat\",\"handle\":3}},{\"map\":{\"family\":\"ip\",\"name\":\"port"
	"map\",\"table\":\"nat\",\"type\":\"inet_service\",\"handle\":3,\"map\":\"ipv4_addr ."
	" inet_service\",\"elem\":[[2222,{\"concat\":[\"10.0.0.3\",22]}]]}},{\"chain\":{"
	"\"family\":\"ip\",\"table\":\"nat\",\"name\":\"pre\",\"handle\":1,\"type\":\"nat\",\"hook"
	"\":\"prerouting\",\"prio\":-100,\"policy\":\"accept\"}},{\"chain\":{\"family\":\"ip\""
	",\"table\":\"nat\",\"name\":\"post\",\"handle\":2,\"type\":\"nat\",\"hook\":\"postrouti"
	"ng\",\"prio\":100,\"policy\":\"accept\"}},{\"rule\":{\"family\":\"ip\",\"table\":\"nat"
	"\",\"chain\":\"pre\",\"handle\":4,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"meta\":"
	"{\"key\":\"iifname\"}},\"right\":\"wan0\"}},{\"match\":{\"op\":\"==\",\"left\":{\"paylo"
	"ad\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":8080}},{\"dnat\":{\"addr\""
	":\"10.0.0.2\",\"port\":80}}]}},{\"rule\":{\"family\":\"ip\",\"table\":\"nat\",\"chain"
	"\":\"pre\",\"handle\":5,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\""
	"iifname\"}},\"right\":\"wan0\"}},{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"pr"
	"otocol\":\"udp\",\"field\":\"dport\"}},\"right\":{\"range\":[5000,5010]}}},{\"dnat"
	"\":{\"addr\":{\"range\":[\"10.0.0.2\",\"10.0.0.4\"]},\"port\":{\"range\":[6000,6010"
	"]},\"flags\":\"persistent\"}}]}},{\"rule\":{\"family\":\"ip\",\"table\":\"nat\",\"cha"
	"in\":\"pre\",\"handle\":6,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\""
	":\"iifname\"}},\"right\":\"wan0\"}},{\"dnat\":{\"family\":\"ip\",\"addr\":{\"map\":{\"k"
	"ey\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"data\":\"@portmap\"}}"
	"}}]}},{\"rule\":{\"family\":\"ip\",\"table\":\"nat\",\"chain\":\"pre\",\"handle\":7,\"e"
	"xpr\":[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":"
	"\"dport\"}},\"right\":3128}},{\"redirect\":{\"port\":8000}}]}},{\"rule\":{\"famil"
	"y\":\"ip\",\"table\":\"nat\",\"chain\":\"post\",\"handle\":8,\"expr\":[{\"match\":{\"op\""
	":\"==\",\"left\":{\"meta\":{\"key\":\"oifname\"}},\"right\":\"wan0\"}},{\"match\":{\"op"
	"\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":\"saddr\"}},\"right\":{\""
	"prefix\":{\"addr\":\"10.0.0.128\",\"len\":25}}}},{\"snat\":{\"addr\":{\"range\":[\"1"
	"92.0.2.10\",\"192.0.2.12\"]},\"flags\":\"random\"}}]}},{\"rule\":{\"family\":\"ip\""
	",\"table\":\"nat\",\"chain\":\"post\",\"handle\":9,\"expr\":[{\"match\":{\"op\":\"==\",\""
	"left\":{\"meta\":{\"key\":\"oifname\"}},\"right\":\"wan0\"}},{\"match\":{\"op\":\"==\","
	"\"left\":{\"meta\":{\"key\":\"l4proto\"}},\"right\":\"udp\"}},{\"masquerade\":{\"port"
	"\":{\"range\":[20000,20100]}}}]}},{\"rule\":{\"family\":\"ip\",\"table\":\"nat\",\"c"
	"hain\":\"post\",\"handle\":10,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\""
	"key\":\"oifname\"}},\"right\":\"wan0\"}},{\"masquerade\":null}]}},{\"table\":{\"fa"
	"mily\":\"ip6\",\"name\":\"nat6\",\"handle\":4}},{\"chain\":{\"family\":\"ip6\",\"table"
	"\":\"nat6\",\"name\":\"post\",\"handle\":1,\"type\":\"nat\",\"hook\":\"postrouting\",\"p"
	"rio\":100,\"policy\":\"accept\"}},{\"rule\":{\"family\":\"ip6\",\"table\":\"nat6\",\"c"
	"hain\":\"post\",\"handle\":2,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"k"
	"ey\":\"oifname\"}},\"right\":\"wan0\"}},{\"masquerade\":{\"flags\":\"fully-random\""
	"}}]}}]}";

static const char addr_json[] =
	"[{\"ifindex\":1,\"ifname\":\"lo\",\"address\":\"00:00:00:00:00:00\",\"addr_info\":"
	"[{\"family\":\"inet\",\"local\":\"127.0.0.1\",\"prefixlen\":8},{\"family\":\"inet6\""
	",\"local\":\"::1\",\"prefixlen\":128}]},{\"ifindex\":2,\"ifname\":\"lan0\",\"addres"
	"s\":\"02:00:00:00:00:02\",\"addr_info\":[{\"family\":\"inet\",\"local\":\"10.0.0.1"
	"\",\"prefixlen\":24},{\"family\":\"inet6\",\"local\":\"fd00::1\",\"prefixlen\":64}]"
	"},{\"ifindex\":3,\"ifname\":\"wan0\",\"address\":\"02:00:00:00:00:03\",\"addr_inf"
	"o\":[{\"family\":\"inet\",\"local\":\"192.0.2.1\",\"prefixlen\":24},{\"family\":\"in"
	"et6\",\"local\":\"2001:db8::1\",\"prefixlen\":64}]}]";

static const char route_json[] =
	"[{\"dst\":\"default\",\"dev\":\"wan0\"},{\"dst\":\"10.0.0.0/24\",\"dev\":\"lan0\",\"pre"
	"fsrc\":\"10.0.0.1\"},{\"dst\":\"192.0.2.0/24\",\"dev\":\"wan0\",\"prefsrc\":\"192.0."
	"2.1\"},{\"type\":\"local\",\"dst\":\"10.0.0.1\",\"dev\":\"lan0\",\"table\":\"local\"},{"
	"\"type\":\"local\",\"dst\":\"192.0.2.1\",\"dev\":\"wan0\",\"table\":\"local\"}]";

static const char route6_json[] =
	"[{\"dst\":\"default\",\"dev\":\"wan0\"},{\"dst\":\"fd00::/64\",\"dev\":\"lan0\"},{\"dst"
	"\":\"2001:db8::/64\",\"dev\":\"wan0\"},{\"type\":\"local\",\"dst\":\"fd00::1\",\"dev\":"
	"\"lan0\",\"table\":\"local\"},{\"type\":\"local\",\"dst\":\"2001:db8::1\",\"dev\":\"wan"
	"0\",\"table\":\"local\"}]";

#define FUZZ_NAT_FRAMES 4096

static char dir[64], capfile[96];

static void put_file(const char *name, const char *text)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		perror(path);
		abort();
	}
}

/* The firewall's directory, written once per process. */
static void setup(void)
{
	const char *tmp;

	if (dir[0])
		return;
	tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof(dir), "%s/ctreplay-fuzz-nat-%ld", tmp,
		 (long)getpid());
	if (mkdir(dir, 0700) != 0) {
		perror(dir);
		abort();
	}
	put_file("ruleset.json", ruleset_json);
	put_file("addr.json", addr_json);
	put_file("route.json", route_json);
	put_file("route6.json", route6_json);
	snprintf(capfile, sizeof(capfile), "%s/input.cap", dir);
}

struct frames {
	struct ct_pkt pkt[FUZZ_NAT_FRAMES];
	uint8_t *copy[FUZZ_NAT_FRAMES];
	size_t n, cur;
};

static const struct ct_pkt *peek(void *ctx, unsigned k)
{
	struct frames *fr = ctx;
	size_t i = fr->cur + 1 + k;

	return i < fr->n ? &fr->pkt[i] : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct frames fr;
	char *files[1];
	char errbuf[CT_ERRBUF_SIZE];
	struct ct_settings set;
	struct fw_paths paths;
	struct fw_firewall *fw = NULL;
	struct ct_firewall hooks;
	struct capture *cap;
	struct ct_engine *eng;
	struct fuzz_reporters *fr_rep;
	struct ct_frame frame;
	FILE *f;
	int err = 0;
	size_t i;

	setup();
	f = fopen(capfile, "wb");
	if (f == NULL || (size && fwrite(data, 1, size, f) != size) ||
	    fclose(f) != 0)
		abort();
	files[0] = capfile;
	cap = capture_open(files, 1, NULL, &err, errbuf);
	if (cap == NULL)
		return 0;
	fr.n = 0;
	while (fr.n < FUZZ_NAT_FRAMES && capture_next(cap, &frame) == 1) {
		fr.copy[fr.n] = fuzz_exact_copy(frame.data, frame.caplen);
		ct_decode(frame.dlt, fr.copy[fr.n], frame.caplen, frame.number,
			  frame.ts, &fr.pkt[fr.n]);
		fr.n++;
	}
	capture_close(cap);

	fuzz_settings(&set, FUZZ_SET_HELPERS);
	eng = ct_engine_create(&set);
	memset(&paths, 0, sizeof(paths));
	paths.dir = dir;
	if (eng == NULL || fw_firewall_load(&fw, &paths, errbuf) != 0)
		abort();
	fw_firewall_hooks(fw, &hooks);
	ct_engine_set_peek(eng, peek, &fr);
	ct_engine_set_firewall(eng, &hooks);
	fr_rep = fuzz_reporters_attach(eng, &set, 0);
	for (i = 0; i < fr.n; i++) {
		fr.cur = i;
		ct_engine_packet(eng, &fr.pkt[i]);
		if (i % 64 == 1)
			fuzz_snapshot(fr_rep, eng);
	}
	fuzz_reporters_finish(fr_rep, eng);
	ct_engine_destroy(eng);
	fw_firewall_destroy(fw);
	for (i = 0; i < fr.n; i++)
		free(fr.copy[i]);
	return 0;
}
