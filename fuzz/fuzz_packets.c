/* \summary: libFuzzer harness: the input is a compact packet stream fed to decode and the engine */
/*
 * Record framing cannot get in the mutator's way here, so it reaches deep
 * into the trackers faster than fuzz_replay.  Layout:
 *
 *   byte 0     link type selector (index into link_types[], modulo)
 *   byte 1     settings selector (fuzz_common.h)
 *   then records: DT LEN_HI LEN_LO DATA[LEN]
 *
 * DT advances the clock: DT < 128 is DT milliseconds, otherwise
 * (DT - 127) minutes, so timeouts from seconds to days are reachable.
 * A record longer than what is left is cut to what is left, as a snap
 * length would cut it.  Every frame lives in a heap block of exactly its
 * length, so AddressSanitizer catches any read past it.
 */
#include <stdint.h>
#include <stdlib.h>

#include "decode.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The link types ct_decode() supports (libpcap DLT values). */
static const int link_types[] = { 1, 12, 0, 108, 113, 276, 228, 229, 14, 101,
				  9, 50, 51, 104, 239 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_settings set;
	struct ct_engine *eng;
	struct fuzz_reporters *fr;
	struct ct_pkt pkt;
	ct_time now = 1700000000LL * CT_NSEC_PER_SEC;
	uint64_t number = 0;
	size_t pos = 2;
	int dlt;

	if (size < 2)
		return 0;
	dlt = link_types[data[0] % (sizeof(link_types) / sizeof(link_types[0]))];
	fuzz_settings(&set, data[1]);
	eng = ct_engine_create(&set);
	if (eng == NULL)
		abort();
	fr = fuzz_reporters_attach(eng, &set, data[1]);
	while (pos + 3 <= size) {
		uint8_t dt = data[pos];
		uint32_t len = (uint32_t)data[pos + 1] << 8 | data[pos + 2];
		uint8_t *copy;

		pos += 3;
		if (len > size - pos)
			len = (uint32_t)(size - pos);
		now += dt < 128 ? (ct_time)dt * 1000000
				: (ct_time)(dt - 127) * 60 * CT_NSEC_PER_SEC;
		copy = fuzz_exact_copy(data + pos, len);
		pos += len;
		ct_decode(dlt, copy, len, ++number, now, &pkt);
		ct_engine_packet(eng, &pkt);
		free(copy);
		if (number % 16 == 0)
			fuzz_snapshot(fr, eng);
	}
	fuzz_reporters_finish(fr, eng);
	ct_engine_destroy(eng);
	return 0;
}
