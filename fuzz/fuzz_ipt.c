/* \summary: libFuzzer harness: the input is iptables-save text, read, finished and written back */
/*
 * The bytes go to fw_ipt_read() as they are, once as an iptables-save
 * (IPv4) file and once as an ip6tables-save file, each into a ruleset of
 * its own, then both into one ruleset (the IPv4 and IPv6 files of one
 * host).  What reads is finished (fw_finish()) and written back with
 * fw_ipt_write() to /dev/null.
 *
 * One property on top of "no crash, no leak": what fw_ipt_write() prints
 * is iptables-save -c text, so it must read again, and print the same
 * text again.  A difference aborts (a finding, like a crash).
 *
 * Seeds: the .txt files of tests/fw/ipt (fuzz/make-seeds.sh copies them).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw/fw.h"
#include "fw/ipt_save.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull(void)
{
	static FILE *f;

	if (!f) {
		f = fopen("/dev/null", "w");
		if (!f)
			abort();
	}
	return f;
}

/*
 * fw_finish(); with no rule at all it would hand qsort() a NULL array
 * (undefined behaviour, though the count is 0), so it is skipped then,
 * until src/fw/ruleset.c checks for that itself.
 */
static int finish(struct fw_ruleset *rs, char *err)
{
	return rs->nrules ? fw_finish(rs, err) : 0;
}

/* The ruleset as fw_ipt_write() prints it, in a heap buffer. */
static char *written(const struct fw_ruleset *rs, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		abort();
	if (fw_ipt_write(f, rs, NULL, NULL, NULL, NULL) != 0)
		abort();
	fclose(f);
	return buf;
}

/* Read as family fam; when it reads, write it back and read that again. */
static void one_family(const uint8_t *data, size_t size, enum fw_family fam)
{
	struct fw_ruleset *rs = fw_ruleset_new(FW_SRC_IPTABLES);
	struct fw_ruleset *again;
	char err[CT_ERRBUF_SIZE];
	char *out1, *out2;
	size_t len1, len2;

	if (!rs)
		abort();
	if (fw_ipt_read(rs, (const char *)data, size, fam, "fuzz", err) != 0) {
		fw_ruleset_free(rs);
		return;
	}
	/* the reader checks every jump at COMMIT: finishing cannot fail */
	if (finish(rs, err) != 0)
		abort();
	out1 = written(rs, &len1);
	fw_ruleset_free(rs);

	again = fw_ruleset_new(FW_SRC_IPTABLES);
	if (!again)
		abort();
	if (fw_ipt_read(again, out1, len1, fam, "written", err) != 0 ||
	    finish(again, err) != 0) {
		fprintf(stderr, "written text does not read: %s\n", err);
		abort();
	}
	out2 = written(again, &len2);
	if (len1 != len2 || memcmp(out1, out2, len1) != 0) {
		fprintf(stderr, "written twice, two texts:\n%s\n--\n%s\n", out1,
			out2);
		abort();
	}
	free(out1);
	free(out2);
	fw_ruleset_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_ruleset *rs;
	char err[CT_ERRBUF_SIZE];

	one_family(data, size, FW_FAM_IP);
	one_family(data, size, FW_FAM_IP6);

	/* both families in one ruleset, each written apart */
	rs = fw_ruleset_new(FW_SRC_IPTABLES);
	if (!rs)
		abort();
	if (fw_ipt_read(rs, (const char *)data, size, FW_FAM_IP, "fuzz4",
			err) == 0 &&
	    fw_ipt_read(rs, (const char *)data, size, FW_FAM_IP6, "fuzz6",
			err) == 0) {
		if (finish(rs, err) != 0)
			abort();
		fw_ipt_write(devnull(), rs, NULL, NULL, NULL, NULL);
		fw_ipt_write_family(devnull(), rs, FW_FAM_IP6, NULL, NULL, NULL,
				    NULL);
	}
	fw_ruleset_free(rs);
	return 0;
}
