/* \summary: libFuzzer harness: the input is a capture file, replayed as ctreplay does */
/*
 * The bytes are written to a scratch file and opened through
 * capture_open(), so libpcap's pcap and pcapng readers, the merge clock,
 * decode, defrag, the engine and every reporter see them exactly as the
 * program would.  Each frame is copied into a block of exactly its
 * captured length first, so a read past the captured bytes is an
 * AddressSanitizer report rather than a silent read of libpcap's buffer.
 *
 * Settings: in a classic pcap file the byte at offset 12 (the low byte of
 * the "sigfigs" field, which libpcap ignores) selects them, see
 * fuzz_common.h; pcapng inputs use the defaults.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "decode.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char scratch[64];

/* One scratch file per process, in memory when /dev/shm exists. */
static const char *scratch_path(void)
{
	if (scratch[0] == '\0') {
		const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

		snprintf(scratch, sizeof(scratch), "%s/ctreplay-fuzz-%ld.cap",
			 dir, (long)getpid());
	}
	return scratch;
}

static void write_input(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || (size && fwrite(data, 1, size, f) != size) ||
	    fclose(f) != 0) {
		perror(path);
		abort();
	}
}

static uint8_t selector_of(const uint8_t *data, size_t size)
{
	static const uint8_t magics[][4] = {
		{ 0xd4, 0xc3, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xc3, 0xd4 },
		{ 0x4d, 0x3c, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0x3c, 0x4d },
	};
	size_t i;

	if (size < 24)
		return 0;
	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (memcmp(data, magics[i], 4) == 0)
			return data[12];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = scratch_path();
	char *files[1];
	char errbuf[CT_ERRBUF_SIZE];
	struct ct_settings set;
	struct capture *cap;
	struct ct_engine *eng;
	struct fuzz_reporters *fr;
	struct ct_frame frame;
	struct ct_pkt pkt;
	uint8_t selector = selector_of(data, size);
	int err = 0;

	write_input(path, data, size);
	files[0] = (char *)path;
	cap = capture_open(files, 1, NULL, &err, errbuf);
	if (cap == NULL) {
		unlink(path);
		return 0;
	}
	fuzz_settings(&set, selector);
	eng = ct_engine_create(&set);
	if (eng == NULL)
		abort();
	fr = fuzz_reporters_attach(eng, &set, selector);
	while (capture_next(cap, &frame) == 1) {
		uint8_t *copy = fuzz_exact_copy(frame.data, frame.caplen);

		ct_decode(frame.dlt, copy, frame.caplen, frame.number,
			  frame.ts, &pkt);
		ct_engine_packet(eng, &pkt);
		free(copy);
		if (frame.number % 64 == 1)
			fuzz_snapshot(fr, eng);
	}
	fuzz_reporters_finish(fr, eng);
	ct_engine_destroy(eng);
	capture_close(cap);
	unlink(path);
	return 0;
}
