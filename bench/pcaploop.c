/* \summary: baseline for the benchmark: read every record through libpcap and touch each byte */
/*
 * pcaploop FILE...
 *
 * The floor under any replay tool: what it costs libpcap to hand over
 * every frame, plus one pass over the bytes (so the data is really pulled
 * through the cache, as a decoder would).  Prints the frame count and a
 * byte sum so the loop cannot be optimised away.
 */
/* libpcap headers use the BSD u_char family, hidden by strict C11 */
#define _DEFAULT_SOURCE
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	uint64_t frames = 0, bytes = 0, sum = 0;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: pcaploop FILE...\n");
		return 1;
	}
	for (i = 1; i < argc; i++) {
		struct pcap_pkthdr *h;
		const u_char *data;
		pcap_t *p = pcap_open_offline(argv[i], errbuf);
		int rc;

		if (!p) {
			fprintf(stderr, "pcaploop: %s\n", errbuf);
			return 2;
		}
		while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
			uint32_t j;

			for (j = 0; j < h->caplen; j++)
				sum += data[j];
			frames++;
			bytes += h->caplen;
		}
		if (rc == PCAP_ERROR)
			fprintf(stderr, "pcaploop: %s: %s\n", argv[i], pcap_geterr(p));
		pcap_close(p);
	}
	printf("%llu frames, %llu bytes, sum %llu\n", (unsigned long long)frames,
	       (unsigned long long)bytes, (unsigned long long)sum);
	return 0;
}
